"""SPEC 8.3, `request.stream()`: the body as it arrives, within the limit, never kept."""

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from microapi import ClientDisconnect, HTTPException, Request
from microapi.types import Message

from tests.asgi import body_messages, http_scope


def request_for(
    messages: Sequence[Message],
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
    limit: int = 1 << 20,
) -> tuple[Request, list[Message]]:
    pending = list(messages)
    received: list[Message] = []

    async def receive() -> Message:
        message = pending.pop(0) if pending else {"type": "http.disconnect"}
        received.append(message)
        return message

    return Request(http_scope("POST", b"/", headers=headers), receive, limit), received


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 5))


async def collect(request: Request) -> list[bytes]:
    return [chunk async for chunk in request.stream()]


def test_stream_yields_the_chunks_as_they_arrive() -> None:
    request, received = request_for(body_messages([b"ab", b"cd", b"e"]))

    async def main() -> list[tuple[bytes, int]]:
        return [(chunk, len(received)) async for chunk in request.stream()]

    # each chunk is yielded as soon as its message arrived, before the next is received
    assert run(main()) == [(b"ab", 1), (b"cd", 2), (b"e", 3)]


def test_stream_past_the_limit_is_413_without_reading_the_rest() -> None:
    request, received = request_for(body_messages([b"x" * 6, b"x" * 6, b"x" * 6]), limit=10)

    async def main() -> None:
        async for _ in request.stream():
            pass

    with pytest.raises(HTTPException) as caught:
        run(main())
    assert caught.value.status_code == 413
    assert len(received) == 2


def test_stream_refuses_a_declared_length_over_the_limit_up_front() -> None:
    request, received = request_for(
        body_messages([b"x"]), headers=[(b"content-length", b"11")], limit=10
    )
    with pytest.raises(HTTPException) as caught:
        run(collect(request))
    assert caught.value.status_code == 413
    assert received == []


def test_body_after_stream_is_an_error() -> None:
    request, _ = request_for(body_messages([b"ab"]))

    async def main() -> None:
        assert await collect(request) == [b"ab"]
        await request.body()

    with pytest.raises(RuntimeError, match=r"body\(\) after request.stream\(\)"):
        run(main())


def test_stream_twice_is_an_error() -> None:
    request, _ = request_for(body_messages([b"ab"]))

    async def main() -> None:
        await collect(request)
        await collect(request)

    with pytest.raises(RuntimeError, match="already streamed"):
        run(main())


def test_stream_after_body_yields_the_cached_body_once() -> None:
    request, received = request_for(body_messages([b"ab", b"cd"]))

    async def main() -> tuple[bytes, list[bytes], list[bytes]]:
        return await request.body(), await collect(request), await collect(request)

    assert run(main()) == (b"abcd", [b"abcd"], [b"abcd"])
    assert len(received) == 2


def test_stream_keeps_nothing() -> None:
    request, _ = request_for(body_messages([b"ab", b"cd"]))
    run(collect(request))
    assert not any(isinstance(v, bytes) and v for v in [request._body])


def test_a_disconnect_while_streaming_raises_client_disconnect() -> None:
    request, _ = request_for([{"type": "http.request", "body": b"ab", "more_body": True}])

    with pytest.raises(ClientDisconnect):
        run(collect(request))


def test_the_apps_max_body_size_bounds_request_stream() -> None:
    """`request.stream()` reads within the app's `max_body_size`: 413 past it, for a declared
    length and for a chunked body."""
    from microapi import MicroAPI
    from microapi.testing import TestClient

    app = MicroAPI(max_body_size=10)

    @app.post("/upload")
    async def upload(request: Request) -> int:
        return sum([len(chunk) async for chunk in request.stream()])

    def chunked(parts: list[bytes]) -> Any:
        yield from parts

    with TestClient(app) as client:
        assert client.post("/upload", content=b"x" * 10).json() == 10
        assert client.post("/upload", content=b"x" * 11).status_code == 413
        assert client.post("/upload", content=chunked([b"x" * 6, b"x" * 6])).status_code == 413
        assert client.post("/upload", content=chunked([b"x" * 5, b"x" * 5])).json() == 10
