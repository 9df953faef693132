"""Calling Microsoft Graph: bounded retries on 429/503, timeouts, and paging."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph_service.graph_paths import is_same_graph_link
from graph_service.graph_transport import GraphAnswer, GraphTransport, GraphUnreachableError

log = logging.getLogger(__name__)
RETRYABLE_STATUSES = (429, 503)


class GraphClientError(Exception):
    """Graph could not be asked, or answered in a way we will not pass on (code says which)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait for Graph when it throttles or is unavailable."""

    max_retries: int = 2
    total_deadline_seconds: float = 10.0
    default_wait_seconds: float = 1.0


def retry_after_seconds(value: str | None, default: float) -> float:
    """Parse Retry-After as decimal seconds or an HTTP date; fall back to default."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, moment.timestamp() - time.time())


class GraphClient:
    """Sends requests to one Graph base URL over the transport's pooled connections."""

    def __init__(
        self,
        transport: GraphTransport,
        base_url: str,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        self._transport = transport
        self.base_url = base_url
        self._policy = policy
        self._sleep = sleep
        self._on_retry = on_retry

    def send(
        self,
        method: str,
        url: str,
        token: str,
        *,
        headers: dict[str, str] | None = None,
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
    ) -> GraphAnswer:
        """Send once, and again after Retry-After for 429/503 while the deadline allows."""
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                answer = self._transport.request(
                    method, url, headers=headers, params=params, json_body=json_body
                )
            except GraphUnreachableError as error:
                log.warning("Graph unreachable: %s", error)
                raise GraphClientError(
                    "graph_unreachable", "Microsoft Graph did not answer."
                ) from None
            if answer.status_code not in RETRYABLE_STATUSES or attempt >= self._policy.max_retries:
                return answer
            wait = retry_after_seconds(
                answer.headers.get("Retry-After"), self._policy.default_wait_seconds
            )
            if time.monotonic() - started + wait > self._policy.total_deadline_seconds:
                return answer
            attempt += 1
            if self._on_retry is not None:
                self._on_retry()
            self._sleep(wait)

    def get_all_pages(
        self,
        url: str,
        token: str,
        *,
        max_pages: int,
        max_items: int,
        params: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[GraphAnswer, dict[str, Any] | None]:
        """Follow @odata.nextLink on the same Graph host; return the last answer and the merge.

        The merge is None when the first answer is no collection (a profile, a photo): there
        are no pages to follow, and the answer is relayed as it is.
        """
        merged: dict[str, Any] = {"value": []}
        answer = self.send("GET", url, token, params=params, headers=headers)
        if not _is_collection(answer):
            return answer, None
        for page in range(1, max_pages + 1):
            if answer.status_code != 200 or not _is_collection(answer):
                return answer, merged
            body = answer.json()
            merged["value"].extend(body.get("value", []))
            if "@odata.context" in body:
                merged.setdefault("@odata.context", body["@odata.context"])
            next_link = body.get("@odata.nextLink")
            if not next_link or len(merged["value"]) >= max_items or page == max_pages:
                if next_link:
                    merged["@odata.nextLink"] = next_link
                    merged["truncated"] = True
                break
            if not is_same_graph_link(self.base_url, next_link):
                raise GraphClientError(
                    "foreign_next_link", "Graph sent a next page link to another host."
                )
            answer = self.send("GET", next_link, token, headers=headers)
        merged["value"] = merged["value"][:max_items]
        return answer, merged


def _is_collection(answer: GraphAnswer) -> bool:
    """A 200 JSON answer whose body is an object with a `value` list: a page of a collection."""
    if answer.status_code != 200:
        return True  # an error: the caller relays it
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("value"), list)
