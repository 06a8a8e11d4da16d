"""A middleware that raises before or after `call_next`: a logged 500, and nothing leaks."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

import pytest
from microapi import Depends, MicroAPI, Request, Response
from microapi.background import BackgroundTasks

from tests.asgi import Exchange, call, http_scope

from .serving import error_records, serving
from .wellformed import check_response

CallNext = Callable[[Request], Awaitable[Response]]
trail: list[str] = []


def tracked() -> Iterator[str]:
    trail.append("dependency open")
    yield "value"
    trail.append("dependency closed")


def middleware_app() -> MicroAPI:
    app = MicroAPI()

    @app.add_middleware
    async def outermost(request: Request, call_next: CallNext) -> Response:
        # An inner middleware's exception arrives as core's answer to it: a response.
        response = await call_next(request)
        failure = request.exception
        trail.append(f"outermost saw {response.status_code} ({failure})")
        return response

    @app.add_middleware
    async def faulty(request: Request, call_next: CallNext) -> Response:
        if request.headers.get("x-fail") == "before":
            raise RuntimeError("failed before call_next")
        response = await call_next(request)
        if request.headers.get("x-fail") == "after":
            raise RuntimeError("failed after call_next")
        return response

    @app.get("/")
    async def handler(tasks: BackgroundTasks, value: Annotated[str, Depends(tracked)]) -> str:
        trail.append("handler")
        tasks.add(trail.append, "task ran")
        return value

    return app


async def failing_then_normal(fail: str) -> tuple[Exchange, Exchange]:
    app = middleware_app()
    async with serving(app):
        failed = await call(app, http_scope("GET", b"/", headers=[(b"x-fail", fail.encode())]))
        trail.append("--")
        return failed, await call(app, http_scope("GET", b"/"))


@pytest.fixture(autouse=True)
def clear_trail() -> None:
    trail.clear()


@pytest.mark.parametrize(
    ("fail", "before_the_line"),
    [
        ("before", ["outermost saw 500 (failed before call_next)"]),
        (
            "after",
            [
                "dependency open",
                "handler",
                "dependency closed",
                "outermost saw 500 (failed after call_next)",
            ],
        ),
    ],
)
def test_a_raising_middleware_is_a_logged_500(
    caplog: pytest.LogCaptureFixture, fail: str, before_the_line: list[str]
) -> None:
    with caplog.at_level(logging.INFO, logger="microapi"):
        failed, normal = asyncio.run(failing_then_normal(fail))
    check_response(failed.sent, "GET")
    assert (failed.status, json.loads(failed.body)) == (500, {"detail": "Internal Server Error"})
    assert (normal.status, normal.body) == (200, b'"value"')
    # The failed request's response was never sent, so its background task is dropped.
    normal_request = [
        "dependency open",
        "handler",
        "dependency closed",
        "outermost saw 200 (None)",
        "task ran",
    ]
    assert trail == [*before_the_line, "--", *normal_request]
    assert error_records(caplog.record_tuples, "microapi.errors") == [
        "unhandled RuntimeError in GET /"
    ]
    [record] = [r for r in caplog.records if r.name == "microapi.errors"]
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == f"failed {fail} call_next"
