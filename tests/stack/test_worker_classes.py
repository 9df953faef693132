"""Both services run gevent workers by default; gthread, the documented fallback, works too."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import signin_core.web.gunicorn_config as gunicorn_config
from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through


@pytest.fixture
def reread_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Re-read the gunicorn configuration under a changed environment, and restore it after."""
    for name in ("GUNICORN_WORKER_CLASS", "GUNICORN_WORKER_CONNECTIONS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    monkeypatch.undo()
    importlib.reload(gunicorn_config)


def test_gevent_is_the_default_worker_class(reread_config: pytest.MonkeyPatch) -> None:
    config = importlib.reload(gunicorn_config)
    assert (config.worker_class, config.worker_connections) == ("gevent", 1000)


def test_the_stack_runs_gevent_workers(stack: NativeStack) -> None:
    assert workers_load_gevent(stack, "graph-service")
    assert workers_load_gevent(stack, "auth-service")


def test_the_worker_class_is_chosen_by_the_environment(reread_config: pytest.MonkeyPatch) -> None:
    reread_config.setenv("GUNICORN_WORKER_CLASS", "gthread")
    reread_config.setenv("GUNICORN_THREADS", "8")
    config = importlib.reload(gunicorn_config)
    assert (config.worker_class, config.threads) == ("gthread", 8)


def workers_load_gevent(stack: NativeStack, process_name: str) -> bool:
    """Whether the gunicorn workers under process_name have gevent's C code mapped."""
    popen = stack.processes[process_name].popen
    assert popen is not None
    workers = [
        stat.parent.name
        for stat in Path("/proc").glob("[0-9]*/stat")
        if _parent_pid(stat) == popen.pid
    ]
    assert workers, f"no workers under {process_name}"
    maps = [Path(f"/proc/{pid}/maps").read_text() for pid in workers]
    return all("/gevent/" in text for text in maps)


def _parent_pid(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_sign_in_and_graph_with_gthread_workers(tmp_path: Path) -> None:
    stack = NativeStack(
        StackOptions(run_dir=tmp_path, service_env={"GUNICORN_WORKER_CLASS": "gthread"})
    )
    stack.start()
    with Browser() as browser:
        assert stack.registration is not None
        home = sign_in_through(browser, stack.public_url, stack.registration.usernames[1])
        assert "Welcome," in home.text
        me = browser.get(stack.public_url + "/graph/me", headers={"Accept": "application/json"})
        assert me.status_code == 200
        assert me.json()["userPrincipalName"] == stack.registration.usernames[1]
        assert not workers_load_gevent(stack, "graph-service")
        assert not workers_load_gevent(stack, "auth-service")
        stack.stop()
