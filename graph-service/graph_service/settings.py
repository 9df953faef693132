"""graph-service settings, read from the environment."""

from __future__ import annotations

from pydantic import field_validator

from signin_core.settings import IdentitySettings


class GraphSettings(IdentitySettings):
    """Everything graph-service needs to know."""

    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_allowlist: str | None = None  # JSON, read by graph_service.allowlist
    graph_max_retries: int = 2
    graph_retry_deadline_seconds: float = 10.0
    graph_max_pages: int = 10
    graph_max_items: int = 1000
    # The port (gunicorn binds it beside PORT) where graph-service takes the app's grants
    # (X-Graph-Grant) instead of nginx's assertions: reachable from the app's network only,
    # never through nginx. Unset: no grants accepted anywhere.
    grant_port: int | None = None

    @field_validator("graph_base_url")
    @classmethod
    def _graph_base_is_https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL such as https://graph.microsoft.com/v1.0")
        return value.rstrip("/")
