"""graph-service settings, read from the environment."""

from __future__ import annotations

from pydantic import field_validator

from graph_service.allowlist import GraphAllowlist, parse_allowlist
from graph_service.graph_client import RetryPolicy
from signin_state.settings import IdentitySettings


class GraphSettings(IdentitySettings):
    """Everything graph-service needs to know."""

    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_allowlist: str | None = None
    graph_max_retries: int = 2
    graph_retry_deadline_seconds: float = 10.0
    graph_max_pages: int = 10
    graph_max_items: int = 1000

    @field_validator("graph_base_url")
    @classmethod
    def _graph_base_is_https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL such as https://graph.microsoft.com/v1.0")
        return value.rstrip("/")

    @field_validator("graph_allowlist")
    @classmethod
    def _allowlist_parses(cls, value: str | None) -> str | None:
        parse_allowlist(value)
        return value

    def allowlist(self) -> GraphAllowlist:
        """The pass-through's allowlist (GRAPH_ALLOWLIST JSON, or the defaults)."""
        return parse_allowlist(self.graph_allowlist)

    def retry_policy(self) -> RetryPolicy:
        """How Graph's 429 and 503 answers are retried."""
        return RetryPolicy(
            max_retries=self.graph_max_retries,
            total_deadline_seconds=self.graph_retry_deadline_seconds,
        )
