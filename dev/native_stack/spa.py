"""The example single-page app (examples/spa) on the native stack: built with npm when its
bundle is missing or older than its sources, registered with the emulator, configured."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from native_stack.processes import StackStartError
from native_stack.repository import REPO_ROOT

SPA_DIR = REPO_ROOT / "examples" / "spa"
SPA_PATH = "/spa/"
# Our API's delegated scope (the emulator's API registration, App ID URI api://<client id>).
API_SCOPE_TEMPLATE = "api://{client_id}/access_as_user"
BUILD_INPUTS = ("src", "build.mjs", "package.json", "package-lock.json")


def _newest_input(spa_dir: Path) -> float:
    """The newest modification time among the SPA's sources and build files."""
    times = []
    for name in BUILD_INPUTS:
        path = spa_dir / name
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        times += [f.stat().st_mtime for f in files if f.exists()]
    return max(times)


def spa_is_stale(spa_dir: Path = SPA_DIR) -> bool:
    """True when dist/ lacks the bundle or is older than a source or build file."""
    bundle = spa_dir / "dist" / "spa.js"
    return not bundle.exists() or bundle.stat().st_mtime < _newest_input(spa_dir)


def build_spa(spa_dir: Path = SPA_DIR) -> Path:
    """Build the SPA into dist/ when needed (`npm ci` first when node_modules is missing)."""
    if spa_is_stale(spa_dir):
        npm = shutil.which("npm")
        if npm is None:
            raise StackStartError(
                f"the SPA in {spa_dir} is not built and npm is missing: install Node.js 20, "
                f"then run `npm ci && npm run build` in {spa_dir}"
            )
        steps = ([[npm, "ci"]] if not (spa_dir / "node_modules").exists() else []) + [
            [npm, "run", "build"]
        ]
        for step in steps:
            done = subprocess.run(step, cwd=spa_dir, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise StackStartError(
                    f"`{' '.join(step[1:])}` failed in {spa_dir}:\n{done.stdout}{done.stderr}"
                )
    return spa_dir / "dist"


def seeded_spa_client_id(seed_file: Path) -> str:
    """The client id of the seed's single-page app registration (the one with SPA URIs)."""
    seed = json.loads(seed_file.read_text(encoding="utf-8"))
    return next(str(a["client_id"]) for a in seed["apps"] if a.get("spa_redirect_uris"))


def spa_template_values(
    *, public_url: str, emulator_url: str, tenant_id: str, client_id: str, api_scope: str
) -> dict[str, str]:
    """nginx's values for the SPA's location and its config.json."""
    return {
        "SPA_ROOT": str(build_spa()),
        "SPA_AUTHORITY": f"{public_url}/_emulator/{tenant_id}",
        "SPA_CLIENT_ID": client_id,
        "SPA_API_SCOPE": api_scope,
        # The authority's host and the issuer's (the emulator's back channel) differ.
        "SPA_KNOWN_AUTHORITIES": f"{urlsplit(public_url).netloc} {urlsplit(emulator_url).netloc}",
    }
