"""A start-up that fails half-way: what was created is torn down, and nothing is served."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from microapi import MicroAPI
from microapi.types import Message

from tests.asgi import Exchange, call, http_scope, other_tasks

trail: list[str] = []


class First:
    """An app service with a teardown."""


class Second:
    """An async app service that needs the first."""


class Third:
    """A plain app service created last."""


def make_first() -> Iterator[First]:
    trail.append("first created")
    try:
        yield First()
    except Exception as exc:
        trail.append(f"first rolled back ({exc})")
        raise
    trail.append("first closed")


async def make_second(_: First) -> AsyncIterator[Second]:
    trail.append("second created")
    yield Second()
    trail.append("second closed")


async def broken_second(_: First) -> AsyncIterator[Second]:
    raise RuntimeError("second cannot connect")
    yield Second()  # pragma: no cover - makes this an async generator


def make_third() -> Third:
    trail.append("third created")
    return Third()


def startup_app(second: object = make_second, *, failing_hook: bool = True) -> MicroAPI:
    app = MicroAPI()
    app.registry.register(First, make_first, scope="app")
    app.registry.register(Second, second, scope="app")  # type: ignore[arg-type]
    app.registry.register(Third, make_third, scope="app")

    @app.on_startup
    def hook_one(_: Second) -> None:
        trail.append("hook one")

    @app.on_startup
    def hook_two() -> None:
        if failing_hook:
            raise RuntimeError("hook two failed")

    @app.on_startup
    def hook_three() -> None:
        trail.append("hook three")

    @app.on_shutdown
    def goodbye() -> None:
        trail.append("shutdown hook")

    @app.get("/")
    async def index() -> str:
        return "served"

    return app


async def start_then_request(app: MicroAPI) -> tuple[list[Message], Exchange]:
    """Drive the lifespan as a server does: start-up, one request, then shutdown if it started."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    replies: asyncio.Queue[Message] = asyncio.Queue()
    lifespan = asyncio.create_task(app({"type": "lifespan", "state": {}}, inbox.get, replies.put))
    await inbox.put({"type": "lifespan.startup"})
    first = await asyncio.wait_for(replies.get(), 5)
    exchange = await call(app, http_scope("GET", b"/"))
    if first["type"] == "lifespan.startup.complete":
        await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(lifespan, 5)
    assert not other_tasks()
    return [first, *(replies.get_nowait() for _ in range(replies.qsize()))], exchange


@pytest.fixture(autouse=True)
def clear_trail() -> None:
    trail.clear()


def check_refused(replies: list[Message], exchange: Exchange, message: str) -> None:
    assert replies == [{"type": "lifespan.startup.failed", "message": message}]
    assert exchange.status == 503
    assert json.loads(exchange.body) == {"detail": "MicroAPI is not serving: the app is failed"}


def test_a_hook_failing_half_way_tears_the_services_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = startup_app()
    with caplog.at_level(logging.INFO, logger="microapi"):
        replies, exchange = asyncio.run(start_then_request(app))
    check_refused(replies, exchange, "RuntimeError: hook two failed")
    assert trail == [
        "first created",
        "second created",
        "third created",
        "hook one",
        # hook three never runs; services close in reverse order, as at a normal shutdown
        "second closed",
        "first closed",
    ]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (record.name, record.getMessage()) == ("microapi", "MicroAPI start-up failed")
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "hook two failed"


def test_a_service_failing_half_way_rolls_back_the_ones_before(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = startup_app(broken_second)
    with caplog.at_level(logging.INFO, logger="microapi"):
        replies, exchange = asyncio.run(start_then_request(app))
    check_refused(replies, exchange, "RuntimeError: second cannot connect")
    # The failure is not the first service's: it is closed as at a normal shutdown.
    assert trail == ["first created", "first closed"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "MicroAPI start-up failed"
    ]


def test_the_same_app_without_the_fault_starts_and_serves() -> None:
    replies, exchange = asyncio.run(start_then_request(startup_app(failing_hook=False)))
    assert [r["type"] for r in replies] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert (exchange.status, exchange.body) == (200, b'"served"')
    assert trail[3:] == [
        "hook one",
        "hook three",
        "shutdown hook",
        "second closed",
        "first closed",
    ]
