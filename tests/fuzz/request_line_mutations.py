"""Mutations of the request line: method, path, query string, HTTP version."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from tests.fuzz.mutation import (
    ANY_TEXT,
    Mutation,
    mutation,
    percent_encoded,
    with_path_suffix,
    with_query,
)

METHODS = (b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE")
ODD_METHODS = (b"CONNECT", b"PROPFIND", b"PRI", b"get", b"G\x00ET", b"GET\t", b"\xffGET", b"G-E-T")
ESCAPES = (
    b"%00", b"%2F", b"%2f", b"%23", b"#", b"%2e%2e/", b"%ff", b"%c0%af", b"%", b"%zz", b"%25",
    b";", b"..", b"%0d%0a", b"\\", b"%5c", b"%3F", b"%u0041", b"$", b"%24value", b"'", b'"',
)  # fmt: skip
DOT_SEGMENTS = (b"/..", b"/../..", b"/./", b"//", b"/.%2e/", b"/..;/", b"/%2e%2e", b"/.")
TARGET_FORMS = (
    b"*", b"http://evil.example", b"http://127.0.0.1", b"//evil.example", b"", b"no-slash",
    b"https://user@evil.example:99", b"/%2e%2e/%2e%2e/etc/passwd",
)  # fmt: skip
SIGN_IN_PARAMETERS = (
    "next", "scopes", "code", "state", "error", "error_description", "prompt", "claims",
    "session_state", "all", "$top", "$select", "$filter", "$skiptoken", "login_hint", "id",
)  # fmt: skip
TRICKY_VALUES = (
    "//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "%0d%0aSet-Cookie:x=1", "true", "-1", "99999999999999999999999", "", "/graph/me#x",
    "User.Read offline_access openid", '{"access_token":{"xms_cc":{"values":["cp1"]}}}',
)  # fmt: skip
VERSIONS = (
    b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1.2", b"http/1.1", b"HTTP/1", b"HTTP/1.1 x", b"HTTP/9.9",
    b"HTTP/01.1", b"FTP/1.0", b"HTTP/1.1\x00",
)  # fmt: skip


def _with_method(method: bytes) -> Mutation:
    return mutation("method: another verb", method, lambda r: replace(r, method=method))


def _with_odd_method(method: bytes) -> Mutation:
    return mutation("method: malformed", method, lambda r: replace(r, method=method))


def _with_segment(text: str) -> Mutation:
    return mutation(
        "path: an extra segment", text, lambda r: with_path_suffix(r, b"/" + percent_encoded(text))
    )


def _with_escapes(escapes: list[bytes]) -> Mutation:
    suffix = b"/" + b"".join(escapes)
    return mutation("path: percent-escapes", suffix, lambda r: with_path_suffix(r, suffix))


def _with_raw_bytes(raw: bytes) -> Mutation:
    return mutation(
        "path: raw bytes (invalid UTF-8, controls)", raw, lambda r: with_path_suffix(r, raw)
    )


def _with_dots(dots: bytes) -> Mutation:
    return mutation("path: dot segments", dots, lambda r: with_path_suffix(r, dots))


def _with_long_path(length: int) -> Mutation:
    return mutation("path: very long", length, lambda r: with_path_suffix(r, b"/" + b"a" * length))


def _with_target_form(prefix: bytes) -> Mutation:
    return mutation(
        "target: absolute or odd form", prefix, lambda r: replace(r, target=prefix + r.target)
    )


def with_parameters(pairs: list[tuple[str, str]]) -> Mutation:
    query = b"&".join(percent_encoded(k, "") + b"=" + percent_encoded(v, "") for k, v in pairs)
    return mutation("query: drawn parameters", pairs, lambda r: with_query(r, query))


def _with_raw_query(raw: bytes) -> Mutation:
    return mutation("query: raw bytes, bad escapes", raw, lambda r: with_query(r, raw))


def _with_long_query(length: int) -> Mutation:
    return mutation(
        "query: very long value", length, lambda r: with_query(r, b"next=/" + b"x" * length)
    )


def _with_many_parameters(count: int) -> Mutation:
    query = b"&".join(b"p%d=%d" % (n, n) for n in range(count))
    return mutation("query: many parameters", count, lambda r: with_query(r, query))


def _with_version(version: bytes) -> Mutation:
    return mutation("version: other or malformed", version, lambda r: replace(r, version=version))


_RAW_PATH_BYTES = st.binary(min_size=1, max_size=24).map(
    lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"").replace(b" ", b"") or b"\xff"
)
_SIGN_IN_PAIRS = st.lists(
    st.tuples(
        st.sampled_from(SIGN_IN_PARAMETERS), st.one_of(st.sampled_from(TRICKY_VALUES), ANY_TEXT)
    ),
    min_size=1,
    max_size=6,
)


def request_line_mutations() -> st.SearchStrategy[Mutation]:
    """Every kind of mutation of the request line."""
    return st.one_of(
        st.sampled_from(METHODS).map(_with_method),
        st.one_of(
            st.sampled_from(ODD_METHODS),
            st.integers(17, 4000).map(lambda n: b"A" * n),
        ).map(_with_odd_method),
        ANY_TEXT.map(_with_segment),
        st.lists(st.sampled_from(ESCAPES), min_size=1, max_size=6).map(_with_escapes),
        _RAW_PATH_BYTES.map(_with_raw_bytes),
        st.sampled_from(DOT_SEGMENTS).map(_with_dots),
        st.integers(1000, 40000).map(_with_long_path),
        st.sampled_from(TARGET_FORMS).map(_with_target_form),
        st.one_of(_SIGN_IN_PAIRS, st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=6)).map(
            with_parameters
        ),
        st.one_of(
            st.sampled_from((b"q=%ff%fe", b"%", b"q=%zz", b"=&=&", b"next=%00", b"a[]=1&a[x]=2")),
            _RAW_PATH_BYTES,
        ).map(_with_raw_query),
        st.integers(1000, 40000).map(_with_long_query),
        st.integers(100, 3000).map(_with_many_parameters),
        st.sampled_from(VERSIONS).map(_with_version),
    )
