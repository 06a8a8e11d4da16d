"""Nothing blocking on the loop, bounded and separate pools, bounded background work, body timeout.

Issue 19, items 1-4: sync handlers and dependencies run on one worker thread per request (a
sync generator's set-up and teardown on the same one), in as few trips as the graph allows;
hung background tasks cannot starve request handling; shutdown and an optional timeout bound
background tasks; a stalled body is a 408.
"""

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from microapi import BackgroundTasks, Depends, MicroAPI, Request
from microapi.params import Body
from microapi.testing import TestClient
from microapi.types import Message

from tests.asgi import Exchange, call, http_scope

GENEROUS = 5.0  # seconds: a bound no healthy run comes near, never a timing measurement


def test_a_sync_generator_dependency_sets_up_and_tears_down_on_its_handlers_thread() -> None:
    app = MicroAPI()
    seen: list[tuple[str, int]] = []

    def connection() -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(":memory:")  # bound to this thread (check_same_thread)
        seen.append(("setup", threading.get_ident()))
        yield db
        db.execute("SELECT 1")
        db.close()
        seen.append(("teardown", threading.get_ident()))

    @app.get("/sync")
    def sync_handler(db: Annotated[sqlite3.Connection, Depends(connection)]) -> int:
        seen.append(("handler", threading.get_ident()))
        return int(db.execute("SELECT 1").fetchone()[0])

    @app.get("/async")
    async def async_handler(db: Annotated[sqlite3.Connection, Depends(connection)]) -> int:
        seen.append(("handler", threading.get_ident()))
        return 1

    with TestClient(app) as client:
        for path, same in (("/sync", True), ("/async", False)):
            seen.clear()
            assert client.get(path).json() == 1
            threads = dict(seen)
            assert threads["setup"] == threads["teardown"] != threading.get_ident()
            # a sync handler runs on its dependency's worker; an async one on the loop
            assert (threads["handler"] == threads["setup"]) is same
    assert app.request_threads == 40


def trips(app: MicroAPI) -> int:
    return app.lifecycle.request_threads.trips


def test_thread_hops_per_request_are_minimal() -> None:
    app = MicroAPI()

    def tx() -> Iterator[str]:
        yield "tx"

    def plain() -> str:
        return "p"

    @app.get("/all-sync")
    def all_sync(t: Annotated[str, Depends(tx)], p: Annotated[str, Depends(plain)]) -> str:
        return t + p

    @app.get("/async-handler")
    async def async_handler(t: Annotated[str, Depends(tx)]) -> str:
        return t

    @app.get("/all-async")
    async def all_async(request: Request) -> str:
        return request.path

    with TestClient(app) as client:
        hops = {}
        for path in ("/all-sync", "/async-handler", "/all-async"):
            before = trips(app)
            assert client.get(path).status_code == 200
            hops[path] = trips(app) - before
    # one trip for a graph with nothing async; set-up and teardown for an async handler's
    # sync generator; nothing for an async route
    assert hops == {"/all-sync": 1, "/async-handler": 2, "/all-async": 0}


def test_eight_hung_sync_background_tasks_do_not_delay_a_sync_handler() -> None:
    """The scenario of issue 19 item 2, with the default pool sizes."""
    app = MicroAPI()
    release = threading.Event()
    started = threading.Semaphore(0)

    def hang() -> None:
        started.release()
        release.wait(60)

    @app.get("/hang")
    def hang_route(tasks: BackgroundTasks) -> str:
        tasks.add(hang)
        return "queued"

    @app.get("/trivial")
    def trivial() -> str:
        return "ok"

    async def scenario() -> tuple[list[int], float, int]:
        await app.startup()
        try:
            statuses = []
            for _ in range(8):
                exchange = await asyncio.wait_for(call(app, http_scope("GET", b"/hang")), GENEROUS)
                statuses.append(exchange.status)
            for _ in range(8):  # every background thread is now held by a hung task
                assert await asyncio.to_thread(started.acquire, True, GENEROUS)
            begun = time.monotonic()
            trivial_answer = await asyncio.wait_for(
                call(app, http_scope("GET", b"/trivial")), GENEROUS
            )
            took = time.monotonic() - begun
            assert trivial_answer.body == b'"ok"'
            running = app.background_running
            return statuses, took, running
        finally:
            release.set()
            await app.shutdown()

    statuses, took, running = asyncio.run(scenario())
    assert statuses == [200] * 8
    assert running == 8  # the hung tasks still held their threads while the handler answered
    assert took < GENEROUS


def test_shutdown_bounds_a_hung_sync_task_and_abandons_it_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI(shutdown_timeout=0.1)
    release = threading.Event()
    started = threading.Event()

    def stuck() -> None:
        started.set()
        release.wait(60)

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(stuck)
        return "x"

    async def scenario() -> float:
        await app.startup()
        await call(app, http_scope("GET", b"/"))
        assert await asyncio.to_thread(started.wait, GENEROUS)
        begun = time.monotonic()
        await asyncio.wait_for(app.shutdown(), GENEROUS)
        return time.monotonic() - begun

    try:
        with caplog.at_level(logging.WARNING, logger="microapi.background"):
            took = asyncio.run(scenario())
    finally:
        release.set()
    assert took < GENEROUS
    messages = [r.getMessage() for r in caplog.records if r.name == "microapi.background"]
    assert any("stuck still running at shutdown: abandoned" in m for m in messages)


def test_background_timeout_cancels_a_task_logs_it_and_runs_the_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI(background_timeout=0.05)
    events: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            events.append("slow cleaned up")

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(slow)
        tasks.add(events.append, "next ran")
        return "x"

    with caplog.at_level(logging.ERROR, logger="microapi.background"), TestClient(app) as client:
        assert client.get("/").status_code == 200
    assert events == ["slow cleaned up", "next ran"]
    assert any("slow timed out after 0.05 s: cancelled" in r.getMessage() for r in caplog.records)
    assert app.background_timeout == 0.05


@pytest.mark.parametrize("bad", [0, -1, "1"])
def test_timeouts_and_pool_sizes_are_checked(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        MicroAPI(body_timeout=bad)
    with pytest.raises((TypeError, ValueError)):
        MicroAPI(request_threads=bad)


def stalled_body(first: bytes) -> tuple[Any, list[str]]:
    """A receive() that sends `first` (more to come), then never sends again until cancelled."""
    events: list[str] = []
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        events.append("stalled")
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive, events


@pytest.mark.parametrize("route", ["/body", "/json", "/stream", "/bound"])
def test_a_body_that_stalls_is_answered_408_before_any_dependency(route: str) -> None:
    app = MicroAPI(body_timeout=0.05)
    entered: list[str] = []

    def dependency() -> Iterator[None]:
        entered.append("dependency")
        yield

    Dep = Annotated[None, Depends(dependency)]

    @app.post("/body")
    async def body(request: Request) -> int:
        return len(await request.body())

    @app.post("/json")
    async def json_(request: Request) -> Any:
        return await request.json()

    @app.post("/stream")
    async def stream(request: Request) -> int:
        return sum([len(chunk) async for chunk in request.stream()])

    @app.post("/bound")
    def bound(item: Annotated[dict[str, int], Body()], _: Dep) -> dict[str, int]:
        return item

    async def scenario() -> Exchange:
        await app.startup()
        try:
            receive, events = stalled_body(b'{"a": ')
            headers = [(b"content-type", b"application/json")]
            exchange = Exchange()

            async def send(message: Message) -> None:
                exchange.sent.append(message)

            scope = http_scope("POST", route.encode(), headers=headers)
            await asyncio.wait_for(app(scope, receive, send), GENEROUS)
            assert events == ["stalled"]
            return exchange
        finally:
            await app.shutdown()

    exchange = asyncio.run(scenario())
    assert exchange.status == 408
    assert exchange.headers[b"connection"] == b"close"
    assert entered == []


def test_body_timeout_none_waits_and_the_default_is_30_seconds() -> None:
    assert MicroAPI().body_timeout == 30.0
    assert MicroAPI(body_timeout=None).body_timeout is None
