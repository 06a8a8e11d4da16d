"""Malformed input that reaches a handler: never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from microapi import MicroAPI

from tests.asgi import body_messages, call, http_scope

from .apps import MAX_BODY, Ledger
from .fuzzing import SMALL_BUDGET, started_fuzz_app
from .wellformed import check_response

# Latin-1 has digits that `str.isdigit` accepts and `int` refuses.
DIGIT_LOOKALIKES = "0123456789\u00b2\u00b3\u00b9"
# Stop at the first failure: a bug, reported as itself rather than in a group.
ONE_BUG = settings(SMALL_BUDGET, report_multiple_bugs=False)


@pytest.fixture(scope="module")
def target() -> Iterator[tuple[MicroAPI, Ledger]]:
    with started_fuzz_app() as started:
        yield started


def post(app: MicroAPI, path: bytes, content_length: bytes | None, body: bytes) -> int:
    """POST `body` to `path`, checked for well-formedness; returns the status."""
    headers = [] if content_length is None else [(b"content-length", content_length)]
    scope = http_scope("POST", path, headers=headers)
    exchange = asyncio.run(call(app, scope, body_messages([body])))
    check_response(exchange.sent, "POST")
    return exchange.status


@ONE_BUG
@given(value=st.text(DIGIT_LOOKALIKES, min_size=1, max_size=6))
def test_content_length_of_digit_lookalikes_is_never_a_500(
    target: tuple[MicroAPI, Ledger], value: str
) -> None:
    # Answered like any other content-length that is not a number (see the last test).
    assert post(target[0], b"/echo", value.encode("latin-1"), b"abc") < 500


@ONE_BUG
@given(digits=st.integers(1, 6000))
def test_content_length_of_any_length_is_a_4xx_or_read(
    target: tuple[MicroAPI, Ledger], digits: int
) -> None:
    expected = 200 if 10**digits - 1 <= MAX_BODY else 413  # 10**digits - 1 is "9" * digits
    assert post(target[0], b"/echo", b"9" * digits, b"abc") == expected


@pytest.mark.parametrize(
    "body",
    # 1000 to 2000 levels, each body under the fuzz app's 4096-byte limit.
    [b"[" * 2000, b"[" * 2000 + b"]" * 2000, b'{"":[' * 500 + b"]}" * 500],
    ids=["unclosed", "closed", "objects"],
)
def test_deeply_nested_json_is_a_400(target: tuple[MicroAPI, Ledger], body: bytes) -> None:
    assert post(target[0], b"/json", None, body) == 400


@pytest.mark.parametrize(
    ("content_length", "body", "expected"),
    [
        (b"abc", b"{}", 200),
        (b"-1", b"{}", 200),
        (b"", b"[1]", 200),
        (b"3", b"[1]", 200),
        (b"99999", b"{}", 413),
        (None, b"{", 400),
        (None, b"\xff\xfe\x00", 400),
        (None, b"", 400),
        (None, b"NaN", 400),  # not JSON (RFC 8259), though Python's json accepts it
    ],
)
def test_other_malformed_bodies_are_answered_without_a_500(
    target: tuple[MicroAPI, Ledger], content_length: bytes | None, body: bytes, expected: int
) -> None:
    assert post(target[0], b"/json", content_length, body) == expected
