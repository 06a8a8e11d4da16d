"""The ASGI boundary: scope types, lifespan off, raw ASGI middleware around the app."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from microapi import HTTPException, MicroAPI, Request, Response
from microapi.testing import TestClient
from microapi.types import ASGIApp, Message, Receive, Scope, Send

from tests.asgi import http_scope


def hello_app() -> MicroAPI:
    app = MicroAPI()

    @app.get("/")
    async def hello() -> str:
        return "hello"

    return app


async def call(app: ASGIApp, scope: dict[str, Any], inbox: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return inbox.pop(0) if inbox else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_websocket_is_refused_cleanly() -> None:
    sent = asyncio.run(
        call(hello_app(), {"type": "websocket", "path": "/"}, [{"type": "websocket.connect"}])
    )
    assert [m["type"] for m in sent] == ["websocket.close"]


def test_unknown_scope_type_is_refused_with_a_clear_error() -> None:
    app = hello_app()
    with pytest.raises(ValueError, match="'webtransport'"):
        asyncio.run(call(app, {"type": "webtransport"}, []))
    with TestClient(app) as client:
        assert client.get("/").json() == "hello"


def test_without_lifespan_a_plain_app_starts_on_its_first_request() -> None:
    scope = http_scope("GET", b"/")
    sent = asyncio.run(call(hello_app(), scope, []))
    assert sent[0]["status"] == 200


def test_without_lifespan_an_app_with_start_up_work_answers_503() -> None:
    app = hello_app()
    app.on_startup(lambda: None)
    scope = http_scope("GET", b"/")
    sent = asyncio.run(call(app, scope, []))
    assert sent[0]["status"] == 503
    assert b"lifespan" in sent[1]["body"]


def test_the_not_started_503_goes_through_the_exception_handlers() -> None:
    app = MicroAPI()
    app.on_startup(lambda: None)

    @app.exception_handler(HTTPException)
    async def shaped(request: Request, exc: HTTPException) -> Response:
        return Response(f"shaped {exc.status_code}".encode(), status_code=exc.status_code)

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = http_scope("GET", b"/")
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 503
    assert sent[1]["body"] == b"shaped 503"


def test_lifespan_protocol_messages() -> None:
    app = hello_app()
    inbox: list[Message] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = asyncio.run(call(app, {"type": "lifespan"}, inbox))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert app.state == "stopped"


def test_start_up_failure_is_reported_and_nothing_is_served() -> None:
    app = hello_app()

    @app.on_startup
    def explode() -> None:
        raise RuntimeError("no database")

    inbox: list[Message] = [{"type": "lifespan.startup"}]
    sent = asyncio.run(call(app, {"type": "lifespan"}, inbox))
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "no database" in sent[0]["message"]
    scope = http_scope("GET", b"/")
    assert asyncio.run(call(app, scope, []))[0]["status"] == 503


def test_raw_asgi_middleware_can_wrap_the_app() -> None:
    inner = hello_app()

    async def add_header(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-wrapped", b"yes")]
            await send(message)

        await inner(scope, receive, send_with_header)

    with TestClient(add_header) as client:
        response = client.get("/")
    assert response.headers["x-wrapped"] == "yes"
    assert response.json() == "hello"
    assert inner.state == "stopped"
