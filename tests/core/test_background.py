"""Background tasks: run after the response and teardown, failures logged, sync ones in threads."""

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from microapi import BackgroundTasks, Depends, MicroAPI, Request, Response
from microapi.testing import TestClient
from microapi.types import Message

from tests.asgi import http_scope


def test_background_tasks_run_after_the_body_is_sent_and_teardown_is_done() -> None:
    events: list[str] = []
    app = MicroAPI()

    def dep() -> Iterator[None]:
        yield
        events.append("teardown")

    async def task() -> None:
        events.append("task")

    @app.get("/")
    async def handler(tasks: BackgroundTasks, _: None = Depends(dep)) -> str:
        tasks.add(task)
        return "x"

    scope = http_scope("GET", b"/")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        events.append(message["type"])

    async def run() -> None:
        await app.startup()
        await app(scope, receive, send)
        await app.shutdown()

    asyncio.run(run())
    assert events == ["teardown", "http.response.start", "http.response.body", "task"]


def test_failing_task_is_logged_and_later_tasks_still_run(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []
    app = MicroAPI()

    def broken() -> None:
        raise RuntimeError("task exploded")

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(broken)
        tasks.add(done.append, "after")
        return "response unaffected"

    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        assert client.get("/").json() == "response unaffected"
        assert client.get("/").status_code == 200
    assert done == ["after", "after"]
    assert "task exploded" in caplog.text
    assert "broken" in caplog.text


def test_slow_sync_task_does_not_block_other_requests() -> None:
    app = MicroAPI()
    release = threading.Event()

    @app.get("/slow")
    async def slow(tasks: BackgroundTasks) -> str:
        tasks.add(release.wait, 5)
        return "slow"

    @app.get("/fast")
    async def fast() -> str:
        return "fast"

    from microapi.testing import AsyncTestClient

    async def run() -> float:
        async with AsyncTestClient(app) as client:
            slow_request = asyncio.create_task(client.get("/slow"))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            assert (await client.get("/fast")).json() == "fast"
            elapsed = time.perf_counter() - started
            release.set()
            await slow_request
            return elapsed

    assert asyncio.run(run()) < 2.0  # the sync task holds its thread for up to 5 s


def test_custom_response_passes_through_middleware_with_tasks() -> None:
    ran: list[str] = []
    app = MicroAPI()

    @app.add_middleware
    async def replace(request: Request, call_next: Any) -> Response:
        await call_next(request)
        return Response(b"replaced")

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(ran.append, "task")
        return "x"

    with TestClient(app) as client:
        assert client.get("/").content == b"replaced"
    assert ran == ["task"]


def test_async_callable_object_as_a_background_task() -> None:
    ran: list[str] = []

    class Notify:
        async def __call__(self, who: str) -> None:
            ran.append(who)

    app = MicroAPI()

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(Notify(), "ada")
        return "ok"

    with TestClient(app) as client:
        client.get("/")
    assert ran == ["ada"]
