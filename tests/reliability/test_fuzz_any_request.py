"""Fuzzing the ASGI boundary: whatever arrives, the app answers once, well-formed, never 500."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from microapi import MicroAPI

from tests.asgi import body_messages, call, http_scope, other_tasks

from .apps import Ledger
from .fuzzing import BUDGET, EXAMPLE_TIMEOUT, started_fuzz_app
from .strategies import RawRequest, raw_requests
from .wellformed import check_response

# Every status the fuzz app can legitimately answer with.
EXPECTED_STATUSES = {200, 204, 400, 404, 405, 413}


@pytest.fixture(scope="module")
def target() -> Iterator[tuple[MicroAPI, Ledger]]:
    with started_fuzz_app() as started:
        yield started


async def send_raw(app: MicroAPI, request: RawRequest) -> None:
    """Send `request`, check the answer, then check a normal request still works."""
    scope = http_scope(
        request.method,
        request.raw_path,
        query=request.query,
        headers=request.headers,
        with_raw_path=request.with_raw_path,
    )
    inbox = body_messages(request.chunks)
    exchange = await asyncio.wait_for(call(app, scope, inbox), EXAMPLE_TIMEOUT)
    check_response(exchange.sent, request.method)
    assert exchange.status in EXPECTED_STATUSES, (exchange.status, exchange.body[:300])
    await answers_normally(app)
    # Background tasks run on after the app returned; they end by themselves.
    await asyncio.wait_for(app.background_work.wait_idle(), EXAMPLE_TIMEOUT)
    assert not other_tasks()


async def answers_normally(app: MicroAPI) -> None:
    exchange = await call(app, http_scope("GET", b"/items/42"))
    check_response(exchange.sent, "GET")
    assert exchange.status == 200
    assert json.loads(exchange.body) == {"item": "42"}
    assert exchange.headers[b"x-mw"] == b"1"


@BUDGET
@given(request=raw_requests())
def test_any_request_gets_one_well_formed_non_5xx_answer(
    target: tuple[MicroAPI, Ledger], caplog: pytest.LogCaptureFixture, request: RawRequest
) -> None:
    app, ledger = target
    with caplog.at_level(logging.WARNING, logger="microapi"):
        asyncio.run(send_raw(app, request))
    assert ledger.open == 0, "a request-scoped dependency was not torn down"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
