"""The example app served by `make run`."""

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A placeholder ASGI app until the framework lands."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"MicroAPI"})
