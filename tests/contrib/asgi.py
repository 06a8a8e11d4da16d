"""Calling an app with a hand-made ASGI scope, for what an HTTP client would not send."""

from __future__ import annotations

from typing import Any

from microapi import MicroAPI


async def call_raw(
    app: MicroAPI,
    path: bytes,
    *,
    method: str = "GET",
    query: bytes = b"",
    disconnect: bool = False,
) -> list[dict[str, Any]]:
    """Start `app`, send one request with this raw path and query, return the sent messages.

    With `disconnect`, the client is gone before sending its body.
    """
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path.decode("latin-1"),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
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
