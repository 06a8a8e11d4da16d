"""Hypothesis strategies for what can arrive at the ASGI boundary.

Methods, raw paths, query strings, header lists and bodies, biased towards the shapes that break
parsers: unknown and odd-case methods, malformed and overlong percent sequences, dot segments,
very long paths, runs of slashes, duplicate and odd-case headers, non-ASCII bytes, huge values,
and bodies split into chunks that disagree with their `content-length`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .apps import MAX_BODY

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
KNOWN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")
ROUTE_WORDS = (
    *("items", "users", "me", "posts", "latest", "deps", "static", "a", "b", "echo"),
    *("json", "query", "tasks", "mw", "short", ""),
)
PERCENT = ("%41", "%2F", "%2f", "%25", "%C3%A9", "%F0%9F%98%80", "%00", "%20", "%3F", "%23")
BAD_PERCENT = ("%", "%G1", "%4", "%%", "%C3", "%FF", "%E2%82", "%C0%AF", "%ED%A0%80", "%zz")
DOTS = (".", "..", "%2e", "%2E%2E", ".%2e", "...")


@dataclass(frozen=True)
class RawRequest:
    """One request as a server hands it over."""

    method: str
    raw_path: bytes
    query: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    chunks: tuple[bytes, ...]
    with_raw_path: bool


def methods() -> st.SearchStrategy[str]:
    odd_case = st.sampled_from(KNOWN_METHODS).map(lambda m: m.lower() if len(m) % 2 else m.title())
    return st.one_of(
        st.sampled_from(KNOWN_METHODS),
        odd_case,
        st.text(TOKEN_CHARS, min_size=1, max_size=12),
        st.text(max_size=12),
    )


def segments() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ROUTE_WORDS),
        st.sampled_from(PERCENT),
        st.sampled_from(BAD_PERCENT),
        st.sampled_from(DOTS),
        st.text(max_size=8).map(lambda s: s.encode("utf-8").decode("latin-1")),
        st.lists(st.sampled_from(PERCENT + BAD_PERCENT + ROUTE_WORDS), max_size=4).map("".join),
    )


def raw_paths() -> st.SearchStrategy[bytes]:
    structured = st.lists(segments(), max_size=8).map(lambda parts: "/" + "/".join(parts))
    return st.one_of(
        structured.map(lambda path: path.encode("latin-1")),
        st.binary(max_size=64).map(lambda raw: b"/" + raw),
        st.integers(1, 5000).map(lambda n: b"/" * n),
        st.integers(100, 20000).map(lambda n: b"/items" * n),
        st.integers(100, 20000).map(lambda n: b"/items/" + b"x" * n),
        st.integers(1, 2000).map(lambda n: b"/deps/" + b"%41" * n),
        st.sampled_from((b"", b"*", b"items", b"//items/1", b"/items/1/", b"/items/..")),
    )


def queries() -> st.SearchStrategy[bytes]:
    pairs = st.lists(
        st.tuples(st.sampled_from(("a", "b", "", "%zz", "%C3%A9", "a+b")), st.text(max_size=6)),
        max_size=6,
    ).map(lambda items: "&".join(f"{k}={v}" for k, v in items).encode("utf-8"))
    return st.one_of(st.just(b""), pairs, st.binary(max_size=80))


def header_values() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=40),
        st.text(max_size=20).map(lambda s: s.encode("utf-8")),
        st.integers(1, 65536).map(lambda n: b"v" * n),
        st.sampled_from((b"a=1; b=2", b'a="q"; ;=; c', b"application/json", b"chunked")),
    )


def content_lengths() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.integers(0, 10**12).map(lambda n: str(n).encode()),
        st.text("0123456789", min_size=1, max_size=40).map(str.encode),
        st.binary(min_size=1, max_size=12),
        st.sampled_from((b"-1", b" 12", b"+5", b"0x10", b"")),
    )


def header_lists() -> st.SearchStrategy[tuple[tuple[bytes, bytes], ...]]:
    names = st.one_of(
        st.sampled_from((b"host", b"cookie", b"content-type", b"x-request-id", b"Cookie")),
        st.sampled_from((b"CONTENT-TYPE", b"Transfer-Encoding", b"x-\xff", b"")),
        st.binary(min_size=1, max_size=12),
        st.text(TOKEN_CHARS, min_size=1, max_size=12).map(str.encode),
    )
    plain = st.tuples(names, header_values())
    length = st.tuples(st.sampled_from((b"content-length", b"Content-Length")), content_lengths())
    pairs = st.lists(st.one_of(plain, length), max_size=8)
    return pairs.flatmap(lambda items: st.permutations(items + items[:2])).map(tuple)


def bodies() -> st.SearchStrategy[tuple[bytes, ...]]:
    json_like = st.sampled_from(
        (b'{"a": 1}', b"[1, 2", b"\xff\xfe", b"null", b"\x00\x00\x00{", b'"\\ud800"', b"1e999")
    )
    return st.one_of(
        st.lists(st.binary(max_size=64), max_size=4),
        st.lists(json_like, min_size=1, max_size=2),
        st.integers(MAX_BODY - 2, MAX_BODY * 3).map(lambda n: [b"x" * n]),
        st.integers(1, 50).map(lambda n: [b"y" * 100] * n),
    ).map(tuple)


def aimed() -> st.SearchStrategy[tuple[str, bytes]]:
    """A method and path that reach one of the fuzz app's handlers, parameters fuzzed."""
    param = segments().map(lambda segment: segment.encode("latin-1"))
    route = st.sampled_from(ROUTES)
    return st.tuples(route, param, param).map(
        lambda r: (r[0][0], r[0][1].replace(b"{}", r[1], 1).replace(b"{}", r[2], 1))
    )


# Every (method, template) the fuzz app answers; "{}" is a path parameter.
ROUTES = (
    *(("GET", b"/"), ("HEAD", b"/"), ("OPTIONS", b"/"), ("GET", b"/static/a/b")),
    *(("GET", b"/items/{}"), ("POST", b"/items/{}"), ("HEAD", b"/items/{}")),
    *(("GET", b"/users/{}/posts/{}"), ("GET", b"/users/me/posts/latest")),
    *(("GET", b"/deps/{}"), ("DELETE", b"/deps/{}"), ("HEAD", b"/deps/{}")),
    *(("POST", b"/echo"), ("PUT", b"/echo"), ("PATCH", b"/echo"), ("POST", b"/json")),
    *(("GET", b"/query"), ("PUT", b"/tasks/{}"), ("GET", b"/mw/short")),
)


@st.composite
def raw_requests(draw: st.DrawFn) -> RawRequest:
    """Any request a server could hand over, well-formed or not; half aimed at a handler."""
    method, raw_path = draw(st.one_of(aimed(), st.tuples(methods(), raw_paths())))
    return RawRequest(
        method=method,
        raw_path=raw_path,
        query=draw(queries()),
        headers=draw(header_lists()),
        chunks=draw(bodies()),
        with_raw_path=draw(st.booleans()),
    )
