"""Targeted properties at the ASGI boundary: the exact answer for each kind of bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from microapi import MicroAPI

from tests.asgi import Exchange, body_messages, call, http_scope

from .apps import MAX_BODY, Ledger
from .fuzzing import BUDGET, SMALL_BUDGET, started_fuzz_app
from .strategies import BAD_PERCENT, KNOWN_METHODS, ROUTE_WORDS, TOKEN_CHARS
from .wellformed import check_response

# Resource -> the methods it answers, as `Allow` lists them.
RESOURCES = {
    b"/": "GET, HEAD, OPTIONS",
    b"/items/7": "GET, HEAD, OPTIONS, POST",
    b"/deps/x": "DELETE, GET, HEAD, OPTIONS",
    b"/echo": "OPTIONS, PATCH, POST, PUT",
    b"/tasks/t": "OPTIONS, PUT",
}
GET_PATHS = (b"/", b"/items/%C3%A9", b"/users/1/posts/2", b"/users/me/posts/latest", b"/query?a=1")


@pytest.fixture(scope="module")
def target() -> Iterator[tuple[MicroAPI, Ledger]]:
    with started_fuzz_app() as started:
        yield started


def send(app: MicroAPI, method: str, raw_path: bytes, **kwargs: object) -> Exchange:
    """One request, checked for well-formedness."""
    path, _, query = raw_path.partition(b"?")
    chunks = kwargs.pop("chunks", ())
    headers = kwargs.pop("headers", ())
    scope = http_scope(method, path, query=query, headers=headers)  # type: ignore[arg-type]
    exchange = asyncio.run(call(app, scope, body_messages(chunks)))  # type: ignore[arg-type]
    check_response(exchange.sent, method)
    return exchange


@SMALL_BUDGET
@given(
    before=st.lists(st.sampled_from(ROUTE_WORDS), max_size=3),
    bad=st.sampled_from(BAD_PERCENT),
    after=st.lists(st.sampled_from(ROUTE_WORDS), max_size=3),
    method=st.sampled_from(KNOWN_METHODS),
)
def test_bad_percent_encoding_is_400_on_any_route(
    target: tuple[MicroAPI, Ledger], before: list[str], bad: str, after: list[str], method: str
) -> None:
    raw = "/" + "/".join([*before, bad, *after])
    exchange = send(target[0], method, raw.encode())
    assert exchange.status == 400
    if method != "HEAD":
        assert "invalid path" in json.loads(exchange.body)["detail"]


@SMALL_BUDGET
@given(
    resource=st.sampled_from(sorted(RESOURCES)),
    method=st.text(TOKEN_CHARS, min_size=1, max_size=10),
)
def test_unknown_method_on_a_resource_is_405_with_the_complete_allow(
    target: tuple[MicroAPI, Ledger], resource: bytes, method: str
) -> None:
    allow = RESOURCES[resource]
    exchange = send(target[0], method, resource)
    if method in allow.split(", "):
        assert exchange.status in {200, 204}
    else:
        assert exchange.status == 405
        assert exchange.headers[b"allow"] == allow.encode()


def test_options_without_a_handler_is_204_with_allow(target: tuple[MicroAPI, Ledger]) -> None:
    for resource, allow in RESOURCES.items():
        exchange = send(target[0], "OPTIONS", resource)
        assert (exchange.status, exchange.headers[b"allow"]) == (204, allow.encode())


@pytest.mark.parametrize("raw_path", GET_PATHS)
def test_head_sends_the_get_headers_and_no_body(
    target: tuple[MicroAPI, Ledger], raw_path: bytes
) -> None:
    get = send(target[0], "GET", raw_path)
    head = send(target[0], "HEAD", raw_path)
    assert get.status == head.status == 200
    assert head.body == b""
    assert head.headers == get.headers
    assert int(head.headers[b"content-length"]) == len(get.body) > 0


@BUDGET
@given(size=st.integers(MAX_BODY + 1, MAX_BODY * 50), path=st.sampled_from((b"/echo", b"/json")))
def test_a_declared_oversized_body_is_413_before_reading(
    target: tuple[MicroAPI, Ledger], size: int, path: bytes
) -> None:
    headers = [(b"content-length", str(size).encode())]
    exchange = send(target[0], "POST", path, headers=headers, chunks=[b"x" * size])
    assert exchange.status == 413
    # Only the disconnect that follows the response was received, never the body.
    assert exchange.received <= 1


@SMALL_BUDGET
@given(chunk=st.integers(1, MAX_BODY), count=st.integers(1, 40))
def test_a_streamed_body_is_cut_off_at_the_limit(
    target: tuple[MicroAPI, Ledger], chunk: int, count: int
) -> None:
    exchange = send(target[0], "POST", b"/echo", chunks=[b"z" * chunk] * count)
    total = chunk * count
    if total <= MAX_BODY:
        assert (exchange.status, json.loads(exchange.body)) == (200, {"size": total})
    else:
        assert exchange.status == 413
        assert exchange.received == MAX_BODY // chunk + 1  # stopped at the crossing chunk


@SMALL_BUDGET
@given(value=st.text(st.characters(min_codepoint=0x80, exclude_categories=["Cs"]), min_size=1))
def test_raw_utf8_bytes_in_raw_path_mean_what_percent_encoding_means(
    target: tuple[MicroAPI, Ledger], value: str
) -> None:
    encoded = send(target[0], "GET", b"/items/" + quote(value).encode())
    raw = send(target[0], "GET", b"/items/" + value.encode("utf-8"))
    assert json.loads(encoded.body) == {"item": value}
    assert json.loads(raw.body) == {"item": value}


def test_invalid_utf8_bytes_in_raw_path_are_400(target: tuple[MicroAPI, Ledger]) -> None:
    assert send(target[0], "GET", b"/items/\xff").status == 400
