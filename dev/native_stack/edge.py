"""nginx's template values on loopback, and the https registration the emulator needs for TLS."""

from __future__ import annotations

from urllib.parse import urlsplit

# Defaults of the template values nginx/Dockerfile also sets, with the same limits: `make dev`
# keeps the limits docs/edge.md documents. PUBLIC_URL is unset, so nginx answers for any host
# (tests set it to check the refusal of others).
SITE_DEFAULTS = {
    "REDIRECT_PATH": "/getAToken",
    "IDENTITY_PLATFORM_ORIGIN": "https://login.microsoftonline.com",
    "TRUSTED_PROXY": "0.0.0.0/32",
    "SIGN_IN_RATE_LIMIT": "5r/s",
    "SIGN_IN_RATE_BURST": "20",
    "CLIENT_CONNECTION_LIMIT": "100",
    "PUBLIC_URL": "",
    "APP_PATH": "/app/",
    "SESSION_COOKIE_NAME": "signin_session",
    "SESSION_CHECK_CACHE_SECONDS": "2",
}
DEMO_APP_PATH = "/app/"
# For a test stack whose tests sign in often, all from 127.0.0.1: it passes these as nginx_env,
# explicitly. The benchmark lifts the limit further (benchmarks/graph_throughput.py).
LIFTED_SIGN_IN_LIMITS = {"SIGN_IN_RATE_LIMIT": "50r/s", "SIGN_IN_RATE_BURST": "100"}


def origin_of(url: str) -> str:
    """scheme://host[:port] of url."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
