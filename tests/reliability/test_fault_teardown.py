"""A dependency whose teardown raises: the client gets a 500, every other teardown still runs."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest
from microapi import Depends, HTTPException, MicroAPI
from microapi.background import BackgroundTasks

from tests.asgi import call, http_scope

from .serving import error_records, serving
from .wellformed import check_response

trail: list[str] = []


async def outer() -> AsyncIterator[str]:
    trail.append("outer open")
    try:
        yield "outer"
    except Exception as exc:
        trail.append(f"outer rollback ({type(exc).__name__})")
        raise
    finally:
        trail.append("outer closed")


def failing_close(_: Annotated[str, Depends(outer)]) -> Iterator[str]:
    trail.append("inner open")
    try:
        yield "inner"
    finally:
        raise RuntimeError("close failed")


def teardown_app() -> MicroAPI:
    app = MicroAPI()

    @app.get("/ok")
    async def ok(tasks: BackgroundTasks, _: Annotated[str, Depends(failing_close)]) -> str:
        tasks.add(trail.append, "task ran")
        return "handled"

    @app.get("/missing")
    async def missing(_: Annotated[str, Depends(failing_close)]) -> str:
        raise HTTPException(404, "no such thing")

    @app.get("/plain")
    async def plain() -> str:
        return "still serving"

    return app


async def request_then_plain(app: MicroAPI, path: bytes) -> tuple[int, bytes, bytes]:
    async with serving(app):
        failed = await call(app, http_scope("GET", path))
        check_response(failed.sent, "GET")
        after = await call(app, http_scope("GET", b"/plain"))
    return failed.status, failed.body, after.body


@pytest.fixture(autouse=True)
def clear_trail() -> None:
    trail.clear()


def test_a_failing_teardown_after_success_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="microapi"):
        status, body, after = asyncio.run(request_then_plain(teardown_app(), b"/ok"))
    assert (status, json.loads(body)) == (500, {"detail": "Internal Server Error"})
    assert after == b'"still serving"'
    # The outer teardown still ran (normally: the handler succeeded); no background task ran.
    assert trail == ["outer open", "inner open", "outer closed"]
    assert error_records(caplog.record_tuples, "microapi.errors") == [
        "unhandled RuntimeError in GET /ok"
    ]
    [record] = [r for r in caplog.records if r.name == "microapi.errors"]
    assert record.exc_info is not None
    assert "close failed" in str(record.exc_info[1])


def test_a_failing_teardown_after_a_failed_handler_is_logged_and_the_handler_error_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="microapi"):
        status, _, after = asyncio.run(request_then_plain(teardown_app(), b"/missing"))
    assert status == 404  # the handler's own answer, as if the teardown had succeeded
    assert after == b'"still serving"'
    [record] = [r for r in caplog.records if r.name == "microapi.errors"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "close failed" in str(record.exc_info[1])
    assert record.getMessage().startswith("teardown raised RuntimeError in GET /missing")
    # The handler's error was thrown into the outer teardown too, so it could roll back.
    assert trail == ["outer open", "inner open", "outer rollback (HTTPException)", "outer closed"]
