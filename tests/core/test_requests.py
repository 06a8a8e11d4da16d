"""The Request object: lazy views of the scope, body reading, limits and disconnects."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from microapi import MicroAPI, Request
from microapi.testing import TestClient
from microapi.types import Message

from tests.asgi import http_scope


def echo_app(max_body_size: int = 1 << 20) -> MicroAPI:
    app = MicroAPI(max_body_size=max_body_size)

    @app.route("/echo/{name}", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        client = request.client
        return {
            "method": request.method,
            "path": request.path,
            "path_params": request.path_params,
            "tags": request.query_params.getlist("tag"),
            "q": request.query_params.get("q"),
            "accept": request.headers.get("ACCEPT"),
            "x_multi": request.headers.getlist("x-multi"),
            "cookies": request.cookies,
            "client": list(client) if client else None,
        }

    @app.post("/body")
    async def body(request: Request) -> dict[str, Any]:
        return {"size": len(await request.body())}

    @app.post("/json")
    async def read_json(request: Request) -> Any:
        return await request.json()

    return app


def test_request_exposes_the_scope_lazily() -> None:
    with TestClient(echo_app()) as client:
        response = client.get(
            "/echo/bob?tag=a&tag=b&q=1&q=2",
            headers=[
                ("Accept", "text/x"),
                ("X-Multi", "1"),
                ("x-multi", "2"),
                ("Cookie", "session=abc"),
            ],
        )
    assert response.json() == {
        "method": "GET",
        "path": "/echo/bob",
        "path_params": {"name": "bob"},
        "tags": ["a", "b"],
        "q": "2",
        "accept": "text/x",
        "x_multi": ["1", "2"],
        "cookies": {"session": "abc"},
        "client": ["testclient", 50000],
    }


def test_body_and_json() -> None:
    with TestClient(echo_app()) as client:
        assert client.post("/body", content=b"x" * 1000).json() == {"size": 1000}
        assert client.post("/json", json={"a": [1, 2]}).json() == {"a": [1, 2]}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b""])
def test_invalid_json_is_400(body: bytes) -> None:
    with TestClient(echo_app()) as client:
        response = client.post("/json", content=body)
        assert response.status_code == 400
        assert response.json()["detail"].startswith("Invalid JSON body")
        assert client.post("/json", json=[1]).json() == [1]


def test_body_over_limit_from_content_length_is_413() -> None:
    with TestClient(echo_app(max_body_size=100)) as client:
        response = client.post("/body", content=b"x" * 101)
        assert response.status_code == 413
        assert client.post("/body", content=b"x" * 100).json() == {"size": 100}


async def drive(
    app: MicroAPI, exchanges: list[tuple[dict[str, Any], list[Message]]]
) -> list[list[Message]]:
    """Call the started app directly as a server would, once per (scope, inbox) exchange.

    Each inbox is consumed in place, so a test can see which messages were never read.
    """
    results: list[list[Message]] = []
    await app.startup()
    try:
        for scope, inbox in exchanges:
            sent: list[Message] = []

            async def receive(inbox: list[Message] = inbox) -> Message:
                if inbox:
                    return inbox.pop(0)
                await asyncio.sleep(3600)
                raise AssertionError("unreachable")

            async def send(message: Message, sent: list[Message] = sent) -> None:
                sent.append(message)

            await app(scope, receive, send)
            results.append(sent)
    finally:
        await app.shutdown()
    return results


def test_streamed_body_over_limit_is_413_without_reading_the_rest() -> None:
    chunks: list[Message] = [
        {"type": "http.request", "body": b"x" * 60, "more_body": True} for _ in range(10)
    ]
    (sent,) = asyncio.run(
        drive(echo_app(max_body_size=100), [(http_scope("POST", b"/body"), chunks)])
    )
    assert sent[0]["status"] == 413
    assert len(chunks) == 8  # two chunks read, eight never touched


def test_client_disconnect_mid_body_sends_nothing_and_the_app_goes_on() -> None:
    cut: list[Message] = [
        {"type": "http.request", "body": b"partial", "more_body": True},
        {"type": "http.disconnect"},
    ]
    whole: list[Message] = [{"type": "http.request", "body": b"ok", "more_body": False}]
    scope = http_scope("POST", b"/body")
    dropped, answered = asyncio.run(drive(echo_app(), [(scope, cut), (dict(scope), whole)]))
    assert dropped == []
    assert answered[0]["status"] == 200
    assert answered[1]["body"] == b'{"size":2}'
