"""Mutations of the body: random and invalid UTF-8 bytes, deep JSON, odd $batch items, forms,
multipart, oversized bodies."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.mutation import ANY_TEXT, Mutation, mutation, percent_encoded, with_only_header
from tests.fuzz.raw_http import RawRequest

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
BATCH_METHODS = ("GET", "get", "POST", "DELETE", "PATCH", "G\r\nET", "", "TRACE")
BATCH_URLS = (
    "/me", "me", "https://evil.example/", "//evil.example/me", "/me\r\nX-Injected: 1",
    "/users/%2F..%2F", "/users/a#b", "/users/a%23b", "/$batch", "/v1.0/$batch",
    "/me/photo/$value", "/users?$top=999999999999", "", "/" + "a" * 5000, "/users/\u00e9",
)  # fmt: skip
BATCH_HEADERS = (
    {"Content-Type": "application/json"}, {"X-Injected": "a\r\nb"}, {"a\r\nb": "c"},
    {"Authorization": "Bearer forged"}, {"ConsistencyLevel": ["eventual"]}, {"": ""},
)  # fmt: skip
FORM_NAMES = ("csrf_token", "code", "state", "error", "next", "id_token", "session_state")
MULTIPART = (
    b"--fuzz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--fuzz--\r\n",
    b"--fuzz\r\nContent-Disposition: form-data; name=\"a\"; filename=\"../../x\"\r\n\r\nv",
    b"--other\r\n\r\n--other--",
    b"--fuzz\r\n" * 200,
)  # fmt: skip


def with_body(
    kind: str, detail: object, body: bytes, content_type: bytes | None = None
) -> Mutation:
    def change(request: RawRequest) -> RawRequest:
        changed = replace(request, body=body)
        if content_type is not None:
            changed = with_only_header(changed, b"Content-Type", content_type)
        return changed

    return mutation(kind, detail, change)


def deep_json(depth: int, opener: str, closed: bool) -> Mutation:
    closer = {"[": "]", '{"a":': "}"}[opener]
    body = opener * depth + "1" + (closer * depth if closed else "")
    if opener == "[":
        body = '{"requests":' + body + "}" if closed else body
    return with_body(
        "body: deeply nested JSON", (depth, opener, closed), body.encode(), b"application/json"
    )


def _batch_item(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if draw(st.booleans()):
        item["id"] = draw(st.one_of(st.sampled_from(("1", "2", "")), JSON_SCALARS))
    if draw(st.booleans()):
        item["method"] = draw(st.one_of(st.sampled_from(BATCH_METHODS), JSON_SCALARS))
    if draw(st.booleans()):
        item["url"] = draw(st.one_of(st.sampled_from(BATCH_URLS), JSON_VALUES))
    if draw(st.booleans()):
        item["headers"] = draw(st.one_of(st.sampled_from(BATCH_HEADERS), JSON_VALUES))
    if draw(st.booleans()):
        item["body"] = draw(JSON_VALUES)
    if draw(st.booleans()):
        item["dependsOn"] = draw(st.one_of(st.just(["1"]), JSON_VALUES))
    return item


@st.composite
def _odd_batch(draw: st.DrawFn) -> Mutation:
    count = draw(st.sampled_from((0, 1, 2, 20, 21, 200)))
    items = [_batch_item(draw) for _ in range(min(count, 3))]
    requests = (items * (count // max(len(items), 1) + 1))[:count] if items else []
    outer = draw(st.sampled_from(("requests", "Requests", "value")))
    body = json.dumps({outer: requests}).encode()
    return with_body("body: odd $batch items", requests[:2], body, b"application/json")


def _form(pairs: list[tuple[str, str]]) -> Mutation:
    body = b"&".join(percent_encoded(k, "") + b"=" + percent_encoded(v, "") for k, v in pairs)
    return with_body("body: drawn form fields", pairs, body, b"application/x-www-form-urlencoded")


def _oversized(size: int, content_type: bytes) -> Mutation:
    return with_body("body: oversized", (size, content_type), b"a" * size, content_type)


def body_mutations() -> st.SearchStrategy[Mutation]:
    """Every kind of mutation of the body."""
    return st.one_of(
        st.binary(max_size=512).map(lambda b: with_body("body: random bytes", b, b)),
        st.sampled_from(
            (
                b"\xff\xfe",
                b'{"requests":[{"id":"\xff","method":"GET","url":"/me"}]}',
                b"csrf_token=\xff&state=\xc0\xaf",
                b"\xed\xa0\x80",
                b"\x00" * 16,
            )
        ).map(lambda b: with_body("body: invalid UTF-8", b, b)),
        st.builds(
            deep_json, st.integers(50, 20000), st.sampled_from(("[", '{"a":')), st.booleans()
        ),
        JSON_VALUES.map(
            lambda v: with_body(
                "body: drawn JSON value", v, json.dumps(v).encode(), b"application/json"
            )
        ),
        _odd_batch(),
        st.lists(
            st.tuples(st.one_of(st.sampled_from(FORM_NAMES), ANY_TEXT), ANY_TEXT), max_size=6
        ).map(_form),
        st.sampled_from(MULTIPART).map(
            lambda b: with_body(
                "body: broken multipart", b, b, b"multipart/form-data; boundary=fuzz"
            )
        ),
        st.builds(
            _oversized,
            st.sampled_from((65 * 1024, 300 * 1024, 1100 * 1024)),
            st.sampled_from((b"application/json", b"application/x-www-form-urlencoded")),
        ),
    )
