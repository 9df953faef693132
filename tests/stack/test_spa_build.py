"""The native stack builds the example SPA with npm when its bundle is missing or stale, and
says what to run when npm is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from native_stack.processes import StackStartError
from native_stack.spa import SPA_DIR, build_spa, spa_is_stale


def spa_copy(tmp_path: Path) -> Path:
    """The SPA's sources and build files (not node_modules or dist) in a folder of its own."""
    target = tmp_path / "spa"
    shutil.copytree(SPA_DIR / "src", target / "src")
    for name in ("build.mjs", "package.json", "package-lock.json"):
        shutil.copy(SPA_DIR / name, target / name)
    return target


def test_a_missing_or_older_bundle_is_stale(tmp_path):
    spa = spa_copy(tmp_path)
    assert spa_is_stale(spa)
    bundle = spa / "dist" / "spa.js"
    bundle.parent.mkdir()
    bundle.write_text("// built")
    assert not spa_is_stale(spa)
    source = spa / "src" / "spa.js"
    later = bundle.stat().st_mtime + 10
    os.utime(source, (later, later))
    assert spa_is_stale(spa)


def test_without_npm_it_says_what_to_run(tmp_path, monkeypatch):
    spa = spa_copy(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    with pytest.raises(StackStartError, match=r"npm is missing.*npm ci && npm run build"):
        build_spa(spa)


def test_a_stale_bundle_is_rebuilt_with_npm(tmp_path):
    spa = spa_copy(tmp_path)
    if (SPA_DIR / "node_modules").exists():  # else build_spa runs npm ci in the copy first
        (spa / "node_modules").symlink_to(SPA_DIR / "node_modules", target_is_directory=True)
    dist = build_spa(spa)
    assert (dist / "spa.js").stat().st_size > 10_000  # msal-browser is bundled in
    assert {p.name for p in dist.iterdir()} == {"index.html", "spa.css", "spa.js"}
    assert not spa_is_stale(spa)
