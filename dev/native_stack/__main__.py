"""`make dev`: run the whole stack natively at http://localhost:5000 until Ctrl-C.

`make dev ARGS=--tls` serves https at https://localhost:5443 as well (plain http redirects
there), for trying Secure cookies and HSTS as in production.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from native_stack.ports import port_is_free
from native_stack.processes import StackStartError
from native_stack.repository import REPO_ROOT
from native_stack.stack import NativeStack, StackOptions

REAL_TENANT_VARIABLES = ("CLIENT_ID", "AUTHORITY")
# Any one of these is the app's credential (signin_core/identity/client_credentials.py).
CLIENT_CREDENTIAL_VARIABLES = (
    "CLIENT_SECRET",
    "CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
)


def names_a_real_tenant(environ: Mapping[str, str]) -> bool:
    """True when the environment gives a client ID, an authority and a credential."""
    return all(environ.get(name) for name in REAL_TENANT_VARIABLES) and any(
        environ.get(name) for name in CLIENT_CREDENTIAL_VARIABLES
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="make dev", description="Run the stack on loopback with the identity emulator."
    )
    parser.add_argument("--port", type=int, default=5000, help="public port (default 5000)")
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve https on --tls-port with a certificate from a throwaway local CA; "
        "plain http then redirects there",
    )
    parser.add_argument(
        "--tls-port", type=int, default=5443, help="https port with --tls (default 5443)"
    )
    parser.add_argument(
        "--run-dir", type=Path, default=REPO_ROOT / ".dev-stack", help="logs and state"
    )
    return parser.parse_args(argv)


def port_in_use_message(option: str, port: int) -> str:
    """What to say when a port is taken, naming the option (make dev's ARGS) that picks another."""
    example = {"--port": "--port 8080", "--tls-port": "--tls --tls-port 8443"}[option]
    return (
        f"Port {port} is in use (is `make dev` already running?). "
        f'Pick another with {option}: make dev ARGS="{example}" '
        "(in containers: PUBLIC_PORT=8080 docker compose up, PUBLIC_TLS_PORT for https)."
    )


def main(argv: list[str] | None = None) -> int:
    """Start the stack, print how to use it, and stop everything on Ctrl-C."""
    arguments = parse_arguments(argv)
    ports = {"--port": arguments.port} | (
        {"--tls-port": arguments.tls_port} if arguments.tls else {}
    )
    for option, port in ports.items():
        if not port_is_free(port):
            print(port_in_use_message(option, port), file=sys.stderr)
            return 1
    real_tenant = names_a_real_tenant(os.environ)
    stack = NativeStack(
        StackOptions(
            run_dir=arguments.run_dir,
            public_host="localhost",
            public_port=arguments.port,
            use_emulator=not real_tenant,
            demo_app=True,
            redis_appendonly=True,  # as in compose: append-only, in the run folder
            tls=arguments.tls,
            tls_port=arguments.tls_port if arguments.tls else None,
            # The example SPA needs https (msal-browser refuses an http authority).
            spa=arguments.tls and not real_tenant,
        )
    )
    stopping = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stopping.set())
    print("Starting redis-server, the emulator, auth-service, graph-service, demo-app, nginx ...")
    try:
        stack.start()
    except StackStartError as error:
        print(f"Could not start the stack: {error}", file=sys.stderr)
        return 1
    try:
        print_welcome(stack)
        stopping.wait()
    finally:
        print("\nStopping ...")
        stack.stop()
    return 0


def print_welcome(stack: NativeStack) -> None:
    """Print the URL, the seeded users and where the logs are."""
    print(f"\n  Open {stack.public_url}\n")
    if stack.options.tls:
        print(f"  Its certificate is signed by a CA made for this run: {stack.tls_ca_file}")
        print("  Trust it in your browser for this run, or pass it to curl with --cacert.\n")
    print(f"  Protected demo app (signed-in users only): {stack.public_url}/app/\n")
    if stack.options.spa:
        print(f"  Single-page app (msal-browser, bearer token to /graph/me): {stack.spa_url}\n")
    elif stack.registration is not None:
        print("  The single-page app example needs https: make dev ARGS=--tls\n")
    if stack.registration is None:
        print(f"  Signing in against your tenant: {os.environ['AUTHORITY']}")
        print(f"  The app registration needs the redirect URI {stack.redirect_uri}")
    else:
        print("  Seeded users (pick one on the emulator's sign-in page):")
        registration = stack.registration
        for username, name in zip(registration.usernames, registration.display_names, strict=True):
            print(f"    {name:<24} {username}")
    print(f"\n  Logs: {stack.run_dir / 'logs'}    Stop: Ctrl-C\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
