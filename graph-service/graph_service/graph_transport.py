"""The pooled HTTPS connections to Microsoft Graph, on urllib3 directly.

Every Graph call of every request goes through here, so it skips what requests adds per call
(merging session settings, re-quoting, hooks): measured at about half the client-side cost.
The CA bundle and the proxy come from the same OutboundSession rules as the identity
platform's calls (our CA wins over REQUESTS_CA_BUNDLE; proxies from the environment), read
once for Graph's origin. Redirects are not followed: a 3xx and its Location are passed on.

A kept-alive connection can be closed by Graph (or a proxy) at the moment we reuse it; the
request then gets no answer at all. Requests that may be repeated (GET, HEAD, PUT, DELETE,
OPTIONS) are sent once more, on another connection; POST and PATCH never are, since Graph
may have acted on them. Timeouts are not retried: the caller has waited long enough.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.util import make_headers, parse_url

from signin_core.identity.outbound_http import DEFAULT_TIMEOUT, OutboundSession

POOL_SIZE = 32
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class GraphUnreachableError(Exception):
    """No answer from Graph: refused, reset, timed out, or TLS failed."""


@dataclass(frozen=True)
class GraphAnswer:
    """Graph's whole answer, read into memory; headers look up names in any case."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.content)


class GraphTransport:
    """Sends requests to Graph over reused connections, with connect and read timeouts."""

    def __init__(
        self,
        *,
        ca_certs: str,
        proxy_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        options: dict[str, Any] = {
            "ca_certs": ca_certs,
            "cert_reqs": "CERT_REQUIRED",
            "maxsize": POOL_SIZE,
            "timeout": urllib3.Timeout(connect=timeout[0], read=timeout[1]),
            "retries": False,
        }
        self._pool: urllib3.PoolManager
        if proxy_url:
            userinfo = parse_url(proxy_url).auth
            proxy_headers = make_headers(proxy_basic_auth=userinfo) if userinfo else None
            self._pool = urllib3.ProxyManager(proxy_url, proxy_headers=proxy_headers, **options)
        else:
            self._pool = urllib3.PoolManager(**options)

    @classmethod
    def for_origin_of(cls, url: str, http: OutboundSession) -> GraphTransport:
        """A transport for url's origin with http's CA bundle, proxy and timeouts."""
        ca_certs, proxy_url = http.trust_and_proxy_for(url)
        return cls(ca_certs=ca_certs, proxy_url=proxy_url, timeout=http.timeout)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
    ) -> GraphAnswer:
        """Send one request and read the whole answer, or raise GraphUnreachableError."""
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body = None
        send_headers = dict(headers)
        if json_body is not None:
            body = json.dumps(json_body).encode()
            send_headers["Content-Type"] = "application/json"
        repeats_left = 1 if method.upper() in REPEATABLE_METHODS else 0
        while True:
            try:
                answer = self._pool.request(
                    method, url, body=body, headers=send_headers, redirect=False
                )
            except urllib3.exceptions.ProtocolError as error:  # closed without an answer
                if repeats_left:
                    repeats_left -= 1
                    continue
                raise GraphUnreachableError(type(error).__name__) from error
            except urllib3.exceptions.HTTPError as error:
                raise GraphUnreachableError(type(error).__name__) from error
            return GraphAnswer(answer.status, answer.headers, answer.data)

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()
