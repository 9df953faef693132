"""Render a deploy/kubernetes overlay with `kubectl kustomize`, after checking that the secret
files its secretGenerators read exist: a missing one is named with the command that creates it
(from the overlay's secrets/README.md), where kustomize alone says only "evalsymlink failure".

    python tools/render_kubernetes.py deploy/kubernetes/overlays/production [KUBECTL]
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

# A command in secrets/README.md's indented block that writes a file: `... > NAME`.
WRITES_FILE = re.compile(r">\s*(\S+)\s*$")


@dataclass(frozen=True)
class MissingSecretFile:
    """A file a secretGenerator reads that is not there, and how to create it."""

    path: Path
    command: str | None


def secret_files(overlay_dir: Path) -> list[Path]:
    """Every file the overlay's secretGenerators read (`files:` entries, `key=path` or path)."""
    kustomization = yaml.safe_load((overlay_dir / "kustomization.yaml").read_text())
    return [
        overlay_dir / entry.partition("=")[2 if "=" in entry else 0]
        for generator in kustomization.get("secretGenerator") or []
        for entry in generator.get("files") or []
    ]


def creating_commands(readme: Path) -> dict[str, str]:
    """File name -> the README's command that writes it (continuation lines joined)."""
    if not readme.is_file():
        return {}
    block = [line.strip() for line in readme.read_text().splitlines() if line.startswith("    ")]
    commands, pending = {}, ""
    for line in block:
        pending = f"{pending} {line}".strip()
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        if written := WRITES_FILE.search(pending):
            commands[written.group(1)] = pending
        pending = ""
    return commands


def missing_secret_files(overlay_dir: Path) -> list[MissingSecretFile]:
    """The secret files the overlay needs and lacks, each with its command if documented."""
    missing = [path for path in secret_files(overlay_dir) if not path.is_file()]
    commands = {
        folder: creating_commands(folder / "README.md") for folder in {p.parent for p in missing}
    }
    return [MissingSecretFile(path, commands[path.parent].get(path.name)) for path in missing]


def explain(overlay_dir: Path, missing: list[MissingSecretFile]) -> str:
    """What to create before rendering, file by file."""
    lines = [f"{overlay_dir}: create these secret files first (kustomize reads them):"]
    for item in missing:
        lines.append(f"  {item.path}")
        if item.command:
            lines.append(f"      cd {item.path.parent} && {item.command}")
    readmes = sorted({str(item.path.parent / "README.md") for item in missing})
    lines.append(f"What each holds: {', '.join(readmes)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Check the overlay's secret files, then print `kubectl kustomize`'s output."""
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    overlay_dir = Path(argv[0])
    kubectl = argv[1] if len(argv) == 2 else "kubectl"
    if not (overlay_dir / "kustomization.yaml").is_file():
        print(f"{overlay_dir}: no kustomization.yaml here (an overlay's folder?)", file=sys.stderr)
        return 2
    if missing := missing_secret_files(overlay_dir):
        print(explain(overlay_dir, missing), file=sys.stderr)
        return 1
    return subprocess.run([kubectl, "kustomize", str(overlay_dir)]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
