"""The HTTP session used for calls to the identity platform and Graph."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

DEFAULT_TIMEOUT = (5.0, 20.0)  # (connect, read) seconds


class OutboundSession(requests.Session):
    """A requests session with default timeouts and a CA bundle the environment can't override."""

    def __init__(
        self, *, ca_bundle: str | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT
    ):
        super().__init__()
        self._ca_bundle = ca_bundle
        self.timeout = timeout
        self._environment_by_origin: dict[tuple[str, str], dict[str, Any]] = {}
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        """Send a request, applying the default timeout when none is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)

    def trust_and_proxy_for(self, url: str) -> tuple[str, str | None]:
        """The CA bundle file and the proxy URL (or None) this session would use for url."""
        environment = self.merge_environment_settings(url, None, None, None, None)
        verify = environment["verify"]
        ca_certs = verify if isinstance(verify, str) else requests.utils.DEFAULT_CA_BUNDLE_PATH
        return ca_certs, requests.utils.select_proxy(url, environment["proxies"])

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        """Proxies from the environment (looked up once per origin); our CA always wins."""
        origin = urlsplit(str(url))[:2]
        environment = self._environment_by_origin.get(origin)
        if environment is None:
            environment = super().merge_environment_settings(url, {}, None, None, None)
            self._environment_by_origin[origin] = environment
        merged: dict[str, Any] = {
            "proxies": {**environment["proxies"], **(proxies or {})},
            "stream": stream if stream is not None else self.stream,
            "verify": self._ca_bundle or (verify if verify is not None else environment["verify"]),
            "cert": cert if cert is not None else self.cert,
        }
        return merged


class SessionWithTimeout:
    """An OutboundSession's get and post with a default timeout of their own (for MSAL, whose
    http_client needs only get, post and close)."""

    def __init__(self, session: OutboundSession, timeout: tuple[float, float]) -> None:
        self._session = session
        self.timeout = timeout

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET through the session, with this timeout when none is given."""
        return self._session.get(url, **self._timed(kwargs))

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        """POST through the session, with this timeout when none is given."""
        return self._session.post(url, **self._timed(kwargs))

    def close(self) -> None:
        """Nothing to close: the session is shared, and closed by whoever made it."""

    def _timed(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return kwargs
