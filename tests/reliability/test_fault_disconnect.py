"""A client that goes away mid-body or mid-response.

MicroAPI has no streaming response yet: a response is one start and one body message. The
closest thing to a handler failing after partly streaming is the transport failing while the
response is sent: a `send` that raises, as ASGI 2.4 servers do once the client has gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from microapi import Depends, MicroAPI, Request, Response
from microapi.background import BackgroundTasks
from microapi.types import Message

from tests.asgi import Exchange, call, http_scope

from .serving import serving

trail: list[str] = []


class ClientGone(OSError):
    """What a server raises from `send` once the connection is closed."""


async def transaction() -> AsyncIterator[str]:
    trail.append("begin")
    try:
        yield "tx"
    except BaseException as exc:
        trail.append(f"rollback ({type(exc).__name__})")
        raise
    trail.append("commit")


def disconnect_app() -> MicroAPI:
    app = MicroAPI()

    @app.post("/upload")
    async def upload(
        request: Request, tasks: BackgroundTasks, tx: Annotated[str, Depends(transaction)]
    ) -> dict[str, int]:
        body = await request.body()
        tasks.add(trail.append, "task ran")
        return {"size": len(body)}

    @app.get("/download")
    async def download(
        tasks: BackgroundTasks, tx: Annotated[str, Depends(transaction)]
    ) -> Response:
        tasks.add(trail.append, "task ran")
        return Response(b"x" * 10_000, media_type="application/octet-stream")

    return app


@pytest.fixture(autouse=True)
def clear_trail() -> None:
    trail.clear()


def test_a_disconnect_mid_body_abandons_the_request(caplog: pytest.LogCaptureFixture) -> None:
    inbox: list[Message] = [
        {"type": "http.request", "body": b"part one", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def scenario() -> tuple[Exchange, Exchange]:
        app = disconnect_app()
        async with serving(app):
            gone = await call(app, http_scope("POST", b"/upload"), inbox)
            body = [{"type": "http.request", "body": b"whole", "more_body": False}]
            return gone, await call(app, http_scope("POST", b"/upload"), body)

    with caplog.at_level(logging.INFO, logger="microapi"):
        gone, after = asyncio.run(scenario())
    assert gone.sent == []  # nobody is left to answer
    assert (after.status, after.body) == (200, b'{"size":5}')
    # The transaction saw the disconnect and rolled back; the task never ran.
    assert trail == ["begin", "rollback (ClientDisconnect)", "begin", "commit", "task ran"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("fails_on", ["http.response.start", "http.response.body"])
def test_a_send_failing_mid_response_reaches_the_server_unchanged(
    caplog: pytest.LogCaptureFixture, fails_on: str
) -> None:
    async def send(message: Message) -> None:
        if message["type"] == fails_on:
            raise ClientGone("connection closed")

    async def scenario() -> tuple[Exchange, Exchange]:
        app = disconnect_app()
        async with serving(app):
            gone = Exchange()
            with pytest.raises(ClientGone):
                await call(app, http_scope("GET", b"/download"), send=send, exchange=gone)
            return gone, await call(app, http_scope("GET", b"/download"))

    with caplog.at_level(logging.INFO, logger="microapi"):
        gone, after = asyncio.run(scenario())
    # The app stopped at the failed message: no second start, no 500 attempted after it.
    assert [m["type"] for m in gone.sent][-1] == fails_on
    assert [m["type"] for m in gone.sent].count("http.response.start") == 1
    assert (after.status, len(after.body)) == (200, 10_000)
    # Teardown was done before sending; the failed response's task is dropped.
    assert trail == ["begin", "commit", "begin", "commit", "task ran"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
