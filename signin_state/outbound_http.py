"""The HTTP session used for calls to the identity platform and Graph."""

from __future__ import annotations

from typing import Any

import requests

DEFAULT_TIMEOUT = (5.0, 20.0)


class OutboundSession(requests.Session):
    """A requests session with default timeouts and a CA bundle the environment can't override."""

    def __init__(
        self, *, ca_bundle: str | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT
    ):
        super().__init__()
        self._ca_bundle = ca_bundle
        self._timeout = timeout
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        """Send a request, applying the default timeout when none is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        """Keep proxies from the environment but never let REQUESTS_CA_BUNDLE replace our CA."""
        merged: dict[str, Any] = super().merge_environment_settings(
            url, proxies, stream, verify, cert
        )
        if self._ca_bundle:
            merged["verify"] = self._ca_bundle
        return merged
