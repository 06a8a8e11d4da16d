"""Background tasks that raise or hang: the response is already out, the server goes on."""

from __future__ import annotations

import asyncio
import logging

import pytest
from microapi import MicroAPI, Request
from microapi.background import BackgroundTasks

from tests.asgi import Exchange, call, http_scope, other_tasks

from .serving import error_records, serving
from .wellformed import check_response


def tasks_app(
    events: list[str], hanging: asyncio.Event, shutdown_timeout: float = 10.0
) -> MicroAPI:
    app = MicroAPI(shutdown_timeout=shutdown_timeout)

    async def explode() -> None:
        events.append("async task raised")
        raise RuntimeError("async task failed")

    def explode_in_thread() -> None:
        events.append("sync task raised")
        raise ValueError("sync task failed")

    async def wait_forever() -> None:
        events.append("hanging")
        hanging.set()
        try:
            await asyncio.Event().wait()
        finally:
            events.append("hanging task's finally ran")

    @app.get("/failing")
    async def failing(tasks: BackgroundTasks) -> str:
        tasks.add(explode)
        tasks.add(explode_in_thread)
        tasks.add(events.append, "last task ran")
        return "sent before the tasks"

    @app.get("/hanging")
    async def hangs(tasks: BackgroundTasks) -> str:
        tasks.add(wait_forever)
        tasks.add(events.append, "after the hang")
        return "sent before the hang"

    @app.get("/plain")
    async def plain(request: Request) -> str:
        return request.path

    return app


def test_failing_tasks_are_logged_and_the_rest_still_run(caplog: pytest.LogCaptureFixture) -> None:
    events: list[str] = []
    app = tasks_app(events, asyncio.Event())

    async def scenario() -> tuple[Exchange, Exchange]:
        async with serving(app):
            failed = await call(app, http_scope("GET", b"/failing"))
            return failed, await call(app, http_scope("GET", b"/plain"))

    with caplog.at_level(logging.INFO, logger="microapi"):
        failed, after = asyncio.run(scenario())
    check_response(failed.sent, "GET")
    assert (failed.status, failed.body) == (200, b'"sent before the tasks"')
    assert events == ["async task raised", "sync task raised", "last task ran"]
    assert after.body == b'"/plain"'
    logged = error_records(caplog.record_tuples, "microapi.background")
    assert [m.rsplit(".", 1)[-1] for m in logged] == ["explode failed", "explode_in_thread failed"]
    assert all(r.exc_info for r in caplog.records if r.name == "microapi.background")
    assert error_records(caplog.record_tuples, "microapi.errors") == []


def test_a_hanging_task_holds_no_request_and_shutdown_cancels_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The app returns once the response is sent (a server's graceful shutdown does not wait
    for the task); the task is counted as running; shutdown cancels it after its timeout."""
    events: list[str] = []

    async def scenario() -> tuple[Exchange, list[Exchange], int, float]:
        hanging = asyncio.Event()
        app = tasks_app(events, hanging, shutdown_timeout=0.2)
        await app.startup()
        exchange = Exchange()
        await asyncio.wait_for(call(app, http_scope("GET", b"/hanging"), exchange=exchange), 5)
        await asyncio.wait_for(hanging.wait(), 5)
        others = [await call(app, http_scope("GET", b"/plain")) for _ in range(3)]
        running = app.background_running
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(app.shutdown(), 5)
        took = asyncio.get_running_loop().time() - started
        assert not other_tasks()
        return exchange, others, running, took

    with caplog.at_level(logging.INFO, logger="microapi"):
        hung, others, running, took = asyncio.run(scenario())
    # The client had its whole response before the task started hanging.
    check_response(hung.sent, "GET")
    assert hung.body == b'"sent before the hang"'
    assert [o.body for o in others] == [b'"/plain"'] * 3
    assert running == 1
    assert 0.2 <= took < 3
    # cancelled: its finally ran, the task after it never did
    assert events == ["hanging", "hanging task's finally ran"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    warned = [r.getMessage() for r in caplog.records if r.name == "microapi.background"]
    assert any("wait_forever still running at shutdown: cancelled" in m for m in warned)
