"""Stacks with demo-app behind nginx and a route policy, as the route-policy tests run them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions


@contextmanager
def app_stack_with_policy(run_dir: Path, policy: dict[str, Any]) -> Iterator[NativeStack]:
    """The whole stack with demo-app, one graph-service worker, the tests' lifted sign-in
    limits, and APP_ROUTE_POLICY set to policy; stopped on leaving."""
    options = StackOptions(
        run_dir=run_dir,
        demo_app=True,
        graph_workers=1,
        nginx_env=dict(LIFTED_SIGN_IN_LIMITS),
        service_env={"APP_ROUTE_POLICY": json.dumps(policy)},
    )
    with NativeStack(options) as running:
        yield running
