"""Validating Gateway API manifests against the Gateway API v1 schemas, which the npm package
@kubernetes-models/gateway-api ships (tests/deploy/gateway_api/package.json pins it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.kustomize import Manifest

VALIDATOR_DIR = Path(__file__).parent / "gateway_api"
GATEWAY_API_GROUP = "gateway.networking.k8s.io"


def is_gateway_api(manifest: Manifest) -> bool:
    """Whether the manifest is of the Gateway API's group (no Kubernetes schema has it)."""
    return str(manifest["apiVersion"]).startswith(f"{GATEWAY_API_GROUP}/")


@dataclass(frozen=True)
class GatewayApiValidator:
    """validate.mjs run by node, with its pinned packages installed (npm ci) beside it."""

    node: str

    @classmethod
    def installed(cls) -> GatewayApiValidator:
        """Install the lock file's packages when they are missing or older than the lock."""
        node, npm = shutil.which("node"), shutil.which("npm")
        assert node and npm, "node and npm are needed to validate the Gateway API route"
        installed = VALIDATOR_DIR / "node_modules" / ".package-lock.json"
        lock = VALIDATOR_DIR / "package-lock.json"
        if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=VALIDATOR_DIR, check=True, capture_output=True, timeout=300,
            )  # fmt: skip
        return cls(node)

    def problems(self, manifests: list[Manifest]) -> list[str]:
        """One line per manifest its schema refuses (kind/name: what is wrong); [] if none."""
        result = subprocess.run(
            [self.node, str(VALIDATOR_DIR / "validate.mjs")],
            input=json.dumps(manifests), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode in (0, 1), result.stdout + result.stderr
        return result.stdout.splitlines()
