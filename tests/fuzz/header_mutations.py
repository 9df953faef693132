"""Mutations of the headers: Host, control bytes, counts and sizes, names, identity and
framing headers, cookies."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from tests.fuzz.mutation import (
    ANY_TEXT,
    Mutation,
    mutation,
    with_only_header,
    without_line_breaks,
)
from tests.fuzz.raw_http import RawRequest

SESSION_COOKIE = b"signin_session"
ODD_HOSTS = (
    b"", b"localhost", b"[::1]", b"a..b", b"-bad-.example", b"x:99999", b"x:abc", b"evil.example",
    b"under_score.example", b"127.0.0.1:1", b"[::1", b"a b", b"xn--", b"xn--zz.example", b"..",
    "bücher.example".encode(), b"\xff.example", b"a" * 300,
)  # fmt: skip
CONTROL_BYTES = tuple(
    bytes([value]) for value in (*range(0, 9), *range(11, 13), *range(14, 32), 127)
)
COMMON_NAMES = (
    b"X-Fuzz", b"User-Agent", b"Accept", b"Referer", b"X-Request-Id", b"Accept-Language",
    b"Origin", b"Content-Type", b"Authorization", b"If-None-Match", b"Sec-Fetch-Mode",
)  # fmt: skip
BAD_NAME_LINES = (
    b"X Fuzz: v", b"X-Fuzz\x01: v", b": no-name", b"X_User_Id: forged", b"\xffX: v",
    b"(X): v", b"NoColonHere", b" folded: continuation", b"\tfolded", b"X-Fuzz : v",
    b"X-Fuzz:", b"Host : twice.example",
)  # fmt: skip
IDENTITY_NAMES = (
    b"X-User-Assertion", b"X-User-Id", b"X-User-Name", b"X-User-Email", b"X-User-Tenant",
    b"X-Client-Principal", b"X-MS-CLIENT-PRINCIPAL", b"X-MS-TOKEN-AAD-ACCESS-TOKEN",
    b"X-Forwarded-User", b"X-Forwarded-Email", b"X-Forwarded-Access-Token",
    b"X-Auth-Request-User", b"X-Auth-Request-Groups", b"Remote-User", b"X-Remote-Email",
    b"X-WEBAUTH-USER", b"X-Authenticated-User", b"X-User", b"X-Email", b"X-Forwarded-For",
    b"X-Forwarded-Host", b"X-Forwarded-Proto", b"X-Forwarded-Prefix", b"X-Real-IP",
    b"Forwarded", b"X-Original-URI", b"X-Request-Id", b"Authorization",
)  # fmt: skip
CONTENT_HEADERS = (
    (b"Accept", b"application/json"), (b"Accept", b"*/*"), (b"Accept", b"text/html;q=0"),
    (b"Accept", b"application/json;q=abc, text/*;q=2"), (b"Accept", b";;;,,,"),
    (b"Content-Type", b"application/json; charset=nonexistent"),
    (b"Content-Type", b"application/json; charset=utf-7"),
    (b"Content-Type", b"multipart/form-data; boundary=fuzz"),
    (b"Content-Type", b"multipart/form-data"), (b"Content-Type", b"text/plain"),
    (b"Content-Type", b"application/x-www-form-urlencoded; charset=latin-1"),
    (b"Content-Encoding", b"gzip"), (b"Content-Encoding", b"br, deflate"),
    (b"Accept-Encoding", b"gzip;q=2, *;q=-1"), (b"Accept-Language", b"zz-ZZ;q=x"),
    (b"Range", b"bytes=5-1"), (b"Range", b"bytes=0-0,0-0,0-0,0-0,0-0"),
    (b"If-Modified-Since", b"yesterday"), (b"If-None-Match", b"*"),
    (b"Expect", b"100-continue"), (b"Upgrade", b"websocket"), (b"Connection", b"Upgrade"),
    (b"Origin", b"null"), (b"Sec-Fetch-Site", b"cross-site"),
)  # fmt: skip
FRAMING = (
    ((b"Content-Length", b"-1"),),
    ((b"Content-Length", b"abc"),),
    ((b"Content-Length", b"99999999999999999999999"),),
    ((b"Content-Length", b"2000000"),),
    ((b"Content-Length", b"0"), (b"Content-Length", b"5")),
    ((b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"3")),
    ((b"Transfer-Encoding", b"gzip, chunked"),),
    ((b"Transfer-Encoding", b"identity"),),
    ((b"Transfer-Encoding", b"chunked"), (b"Transfer-Encoding", b"chunked")),
)  # fmt: skip
MALFORMED_COOKIES = (
    b"=;;=", b"signin_session", b";", b"signin_session=a; signin_session=b",
    b'signin_session="quoted"', b"signin_session=\xff\xfe", b"signin_session=%00%ff",
    b"__Host-signin_session=x", b"signin_session_flows=x", b"signin_session=" + b"A" * 43,
    b"$Version=1; signin_session=x; $Path=/",
)  # fmt: skip


def long_label_host(length: int) -> Mutation:
    host = b"a" * length + b".example"
    return mutation(
        "host: a DNS label over 63 characters", length, lambda r: with_only_header(r, b"Host", host)
    )


def _odd_host(host: bytes) -> Mutation:
    return mutation("host: odd value", host, lambda r: with_only_header(r, b"Host", host))


def _host_count(count: int) -> Mutation:
    def change(request: RawRequest) -> RawRequest:
        host = request.header(b"Host") or b""
        kept = request.without_header(b"Host")
        return replace(kept, headers=((b"Host", host),) * count + kept.headers)

    return mutation("host: none or several", count, change)


def control_byte(name: bytes, byte: bytes, text: str) -> Mutation:
    value = text.encode()[:20] + byte + b"fuzz"
    return mutation(
        "header: control byte in a value", (name, value), lambda r: r.with_header(name, value)
    )


def many_headers(count: int, same_name: bool) -> Mutation:
    names = [b"X-Fuzz" if same_name else b"X-Fuzz-%d" % n for n in range(count)]
    lines = tuple((name, b"v") for name in names)
    return mutation(
        "header: many headers",
        (count, same_name),
        lambda r: replace(r, headers=r.headers + lines),
    )


def _huge_header(name: bytes, size: int) -> Mutation:
    return mutation("header: huge value", (name, size), lambda r: r.with_header(name, b"v" * size))


def _bad_name_line(line: bytes) -> Mutation:
    return mutation(
        "header: malformed line", line, lambda r: replace(r, extra_lines=(*r.extra_lines, line))
    )


def _non_ascii_value(name: bytes, value: bytes) -> Mutation:
    return mutation(
        "header: non-ASCII or invalid UTF-8 value",
        (name, value),
        lambda r: r.with_header(name, value),
    )


def _identity_header(name: bytes, value: bytes) -> Mutation:
    return mutation(
        "header: forged identity or forwarding", (name, value), lambda r: r.with_header(name, value)
    )


def _content_header(pair: tuple[bytes, bytes]) -> Mutation:
    name, value = pair
    return mutation(
        "header: content negotiation and types", pair, lambda r: with_only_header(r, name, value)
    )


def _framing(pairs: tuple[tuple[bytes, bytes], ...]) -> Mutation:
    def change(request: RawRequest) -> RawRequest:
        kept = request.without_header(b"Content-Length").without_header(b"Transfer-Encoding")
        return replace(kept, headers=kept.headers + pairs, content_length=False)

    return mutation("header: Content-Length and Transfer-Encoding", pairs, change)


def _cookie(kind: str, cookie: bytes) -> Mutation:
    return mutation(kind, cookie, lambda r: with_only_header(r, b"Cookie", cookie))


def _tampered_session(position: int, replacement: bytes) -> Mutation:
    def change(request: RawRequest) -> RawRequest:
        cookie = request.header(b"Cookie") or SESSION_COOKIE + b"=" + b"A" * 43
        name, _, value = cookie.partition(b"=")
        at = position % (len(value) + 1)
        return with_only_header(
            request, b"Cookie", name + b"=" + value[:at] + replacement + value[at + 1 :]
        )

    return mutation("cookie: tampered session id", (position, replacement), change)


_HEADER_BYTES = st.binary(min_size=1, max_size=40).map(without_line_breaks).filter(bool)
_COOKIE_TEXT = ANY_TEXT.map(str.encode).map(without_line_breaks)


def header_mutations() -> st.SearchStrategy[Mutation]:
    """Every kind of mutation of the headers and cookies."""
    return st.one_of(
        st.integers(64, 300).map(long_label_host),
        st.one_of(st.sampled_from(ODD_HOSTS), _HEADER_BYTES).map(_odd_host),
        st.sampled_from((0, 2, 3)).map(_host_count),
        st.builds(
            control_byte, st.sampled_from(COMMON_NAMES), st.sampled_from(CONTROL_BYTES), ANY_TEXT
        ),
        st.builds(many_headers, st.integers(60, 260), st.booleans()),
        st.builds(_huge_header, st.sampled_from(COMMON_NAMES), st.integers(4000, 70000)),
        st.sampled_from(BAD_NAME_LINES).map(_bad_name_line),
        st.builds(
            _non_ascii_value,
            st.sampled_from(COMMON_NAMES),
            st.one_of(_HEADER_BYTES, ANY_TEXT.map(str.encode).map(without_line_breaks)),
        ),
        st.builds(
            _identity_header,
            st.sampled_from(IDENTITY_NAMES),
            st.one_of(st.sampled_from((b"", b"admin", b"1.2.3.4", b"https")), _HEADER_BYTES),
        ),
        st.sampled_from(CONTENT_HEADERS).map(_content_header),
        st.sampled_from(FRAMING).map(_framing),
        _COOKIE_TEXT.map(
            lambda v: _cookie("cookie: drawn session value", SESSION_COOKIE + b"=" + v)
        ),
        st.integers(50, 600).map(
            lambda n: _cookie("cookie: many cookies", b"; ".join(b"c%d=v" % i for i in range(n)))
        ),
        st.integers(4000, 40000).map(
            lambda n: _cookie("cookie: huge value", SESSION_COOKIE + b"=" + b"A" * n)
        ),
        st.sampled_from(MALFORMED_COOKIES).map(lambda c: _cookie("cookie: malformed", c)),
        st.builds(
            _tampered_session,
            st.integers(0, 60),
            st.sampled_from((b"", b"A", b"%", b"\xff", b"==", b"/", b"AAAA" * 20)),
        ),
    )
