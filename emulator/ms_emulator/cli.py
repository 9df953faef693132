"""Command line: `certs`, `serve` and `healthcheck`."""

from __future__ import annotations

import argparse
import os
import ssl
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ms_emulator.certificates import ensure_tls_files
from ms_emulator.server import serve
from ms_emulator.settings import DEFAULT_STATE_DIR, EmulatorSettings
from ms_emulator.signing_keys import ensure_signing_keys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ms_emulator",
        description="Local emulator of the Microsoft identity platform (v2.0) and Graph v1.0.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    default_dir = Path(os.environ.get("EMULATOR_STATE_DIR") or DEFAULT_STATE_DIR)
    names_from_env = [n for n in os.environ.get("EMULATOR_TLS_NAMES", "").split(",") if n.strip()]
    for name, text in (
        ("certs", "create or reuse the CA, TLS and token-signing keys"),
        ("serve", "create certificates if needed, then serve HTTPS"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--state-dir",
            type=Path,
            default=default_dir,
            help=f"where keys and certificates live (default {default_dir})",
        )
        command.add_argument(
            "--name",
            action="append",
            default=list(names_from_env),
            help="extra DNS name or IP for the server certificate (repeatable)",
        )
        if name == "serve":
            command.add_argument("--bind", default="0.0.0.0:8443", help="HOST:PORT to listen on")
            command.add_argument(
                "--seed",
                type=Path,
                default=None,
                help="seed JSON file (default: the packaged seed.json)",
            )
    check = commands.add_parser("healthcheck", help="GET /healthz over TLS, trusting the CA")
    check.add_argument("--state-dir", type=Path, default=default_dir)
    check.add_argument("--url", default="https://127.0.0.1:8443/healthz")
    return parser


def _healthcheck(state_dir: Path, url: str) -> int:
    """Exit code 0 when /healthz answers 200 over TLS verified with the emulator CA."""
    context = ssl.create_default_context(cafile=str(state_dir / "ca.crt"))
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "healthcheck":
        return _healthcheck(args.state_dir, args.url)
    tls = ensure_tls_files(args.state_dir, args.name)
    ensure_signing_keys(args.state_dir)
    if args.command == "certs":
        print(f"CA certificate: {tls.ca_cert}\nServer certificate: {tls.server_cert}")
        return 0
    settings = EmulatorSettings.from_env(state_dir=args.state_dir, seed_path=args.seed)
    serve(settings, args.bind, tls)
    return 0
