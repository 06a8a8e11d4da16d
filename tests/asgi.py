"""Calling an ASGI app directly, as a server would, and recording what it sends.

The one ASGI scope builder of the test suite (`http_scope`), and the small call and record
helpers the suites share: `call` (with `Exchange` and `body_messages`), `call_raw` (one request
to an app started for it) and `other_tasks`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from microapi import MicroAPI
from microapi.types import ASGIApp, Message

Send = Callable[[Message], Awaitable[None]]


def http_scope(
    method: str,
    raw_path: bytes,
    *,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    with_raw_path: bool = True,
    client: tuple[str, int] = ("127.0.0.1", 50000),
) -> dict[str, Any]:
    """An HTTP scope with `path` decoded from `raw_path` the way servers do it.

    `with_raw_path=False` leaves `raw_path` out, which ASGI allows.
    """
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1")),
        "query_string": query,
        "root_path": "",
        "headers": list(headers),
        "client": client,
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    if with_raw_path:
        scope["raw_path"] = raw_path
    return scope


@dataclass
class Exchange:
    """Everything the app sent for one request, and what it was fed."""

    sent: list[Message] = field(default_factory=list)
    received: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def starts(self) -> list[Message]:
        return [m for m in self.sent if m["type"] == "http.response.start"]

    @property
    def status(self) -> int:
        return int(self.starts[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.starts[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


def body_messages(chunks: Sequence[bytes]) -> list[Message]:
    """`http.request` messages carrying `chunks`, `more_body` set on all but the last."""
    if not chunks:
        return [{"type": "http.request", "body": b"", "more_body": False}]
    last = len(chunks) - 1
    return [
        {"type": "http.request", "body": chunk, "more_body": index < last}
        for index, chunk in enumerate(chunks)
    ]


async def call(
    app: ASGIApp,
    scope: dict[str, Any],
    inbox: Sequence[Message] = (),
    *,
    send: Send | None = None,
    exchange: Exchange | None = None,
) -> Exchange:
    """Run one request; `receive` yields `inbox`, then waits for the response, then disconnects.

    `send`, when given, is called after the message is recorded (to inject faults). Pass
    `exchange` to watch a request that has not finished yet.
    """
    exchange = Exchange() if exchange is None else exchange
    pending = list(inbox) or body_messages([])

    async def receive() -> Message:
        exchange.received += 1
        if pending:
            return pending.pop(0)
        await exchange.complete.wait()
        return {"type": "http.disconnect"}

    async def record(message: Message) -> None:
        exchange.sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            exchange.complete.set()
        if send is not None:
            await send(message)

    await app(scope, receive, record)
    return exchange


def other_tasks() -> set[asyncio.Task[Any]]:
    """Tasks still alive on the running loop besides the caller's own."""
    current = asyncio.current_task()
    return {task for task in asyncio.all_tasks() if task is not current}


async def call_raw(
    app: MicroAPI,
    path: bytes,
    *,
    method: str = "GET",
    query: bytes = b"",
    disconnect: bool = False,
) -> list[dict[str, Any]]:
    """Start `app`, send one request with this raw path and query, return the sent messages.

    For what an HTTP client would not send. With `disconnect`, the client is gone before
    sending its body.
    """
    scope = http_scope(
        method,
        path,
        query=query,
        headers=[(b"host", b"testserver")],
        client=("127.0.0.1", 40000),
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if disconnect:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await app.startup()
    try:
        await app(scope, receive, send)
    finally:
        await app.shutdown()
    return sent
