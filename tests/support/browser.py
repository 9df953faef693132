"""An HTTP client that behaves like a browser: cookies, redirects, forms.

It runs no JavaScript but does the one thing the stack's pages script: it submits the identity
platform's form_post answer (the emulator's page with id="response-form") at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

FORM_POST_MARKER = 'id="response-form"'


@dataclass
class HtmlForm:
    """A form on a page: where it posts, its hidden fields and its submit buttons."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, label)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[HtmlForm] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = values.get("method", "get").lower()
            self.forms.append(HtmlForm(values.get("action", ""), method))
        elif not self.forms:
            return
        elif tag == "input" and values.get("type", "text") not in ("submit", "button"):
            if "name" in values:
                self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "input":
            self.forms[-1].buttons.append(
                (values.get("name", ""), values.get("value", ""), values.get("value", ""))
            )
        elif tag == "button" and values.get("type", "submit") == "submit":
            self._button = [values.get("name", ""), values.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            name, value, label = self._button
            self.forms[-1].buttons.append((name, value, label.strip()))
            self._button = None


def forms_on(html: str) -> list[HtmlForm]:
    """Return the forms of an HTML page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class Browser:
    """A cookie-keeping client that follows redirects and submits forms as a browser would."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["User-Agent"] = "stack-tests/1.0"
        self.http.headers["Accept"] = "text/html,application/xhtml+xml"

    def close(self) -> None:
        """Release connections."""
        self.http.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, url: str, **kwargs: object) -> requests.Response:
        """GET url, following redirects (and a form_post answer)."""
        return self._answered(self.http.get(url, timeout=15, **kwargs))  # type: ignore[arg-type]

    def submit(
        self, page: requests.Response, *, button: str | None = None, label: str | None = None
    ) -> requests.Response:
        """Submit the form holding the button whose value (or label) matches, as a browser would."""
        for form in forms_on(page.text):
            for name, value, text in form.buttons:
                if (button is not None and value == button) or (
                    label is not None and text == label
                ):
                    data = dict(form.fields)
                    if name:
                        data[name] = value
                    target = urljoin(page.url, form.action or page.url)
                    if form.method == "post":
                        return self._answered(self.http.post(target, data=data, timeout=15))
                    return self._answered(self.http.get(target, params=data, timeout=15))
        raise AssertionError(f"no button {button or label!r} on {page.url}:\n{page.text[:2000]}")

    def form_post_answer(self, page: requests.Response) -> HtmlForm | None:
        """The identity platform's form_post answer on page (what its script submits), if any."""
        if FORM_POST_MARKER not in page.text:
            return None
        return forms_on(page.text)[0]

    def _answered(self, page: requests.Response) -> requests.Response:
        """Submit a form_post answer as the page's script would; other pages as they are."""
        form = self.form_post_answer(page)
        if form is None:
            return page
        target = urljoin(page.url, form.action)
        return self.http.post(target, data=form.fields, timeout=15)


def plain_get(url: str, headers: dict[str, str] | None = None) -> requests.Response:
    """GET url once, with no cookies, proxies or environment CA bundle, and no redirects."""
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, headers=headers or {}, timeout=10, allow_redirects=False)
