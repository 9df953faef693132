"""Where the repository is: the nginx templates, Redis's start script and the compose files the
dev runner and the tests use live in the checkout, not in any installed package."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
