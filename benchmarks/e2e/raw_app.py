"""The floor: a hand-written ASGI app giving the same answers as the frameworks, at least cost.

A route table of static paths and `/{prefix}/{param}` templates; `content-type` and
`content-length` set; 404 and 405 (with `Allow`) as JSON; lifespan answered. A handler returns
either a `Prebuilt` answer (a constant body and headers, encoded once: `/hello`, 404, 405) or a
value JSON-encoded per request (`/users/{user_id}`, the 1,000 routes, `/deps`). Middlewares are
raw ASGI wrappers that call the next app.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, NamedTuple

from common import MANY_ROUTES, MIDDLEWARES, Probe, by_hand

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Handler = Callable[[str | None], Awaitable[Any]]

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]


async def _send(send: Send, status: int, headers: list[Any], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Prebuilt(NamedTuple):
    """A constant answer, encoded once."""

    headers: list[tuple[bytes, bytes]]
    body: bytes


HELLO = Prebuilt(_headers(b'{"hello":"world"}'), b'{"hello":"world"}')
NOT_FOUND = b'{"detail":"Not Found"}'
NOT_FOUND_HEADERS = _headers(NOT_FOUND)
NOT_ALLOWED = b'{"detail":"Method Not Allowed"}'
NOT_ALLOWED_HEADERS = [*_headers(NOT_ALLOWED), (b"allow", b"GET, HEAD")]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def build(static: dict[str, Handler], dynamic: dict[str, Handler]) -> ASGIApp:
    """GET-only routes: `static` by path, `dynamic` by the first segment of `/{prefix}/{param}`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
        path: str = scope["path"]
        param = None
        handler = static.get(path)
        if handler is None:
            parts = path.split("/")
            if len(parts) == 3:
                handler = dynamic.get(parts[1])
                param = parts[2]
        if handler is None:
            await _send(send, 404, NOT_FOUND_HEADERS, NOT_FOUND)
        elif scope["method"] not in ("GET", "HEAD"):
            await _send(send, 405, NOT_ALLOWED_HEADERS, NOT_ALLOWED)
        else:
            content = await handler(param)
            if type(content) is Prebuilt:
                await _send(send, 200, content.headers, content.body)
            else:
                body = _dumps(content).encode()
                await _send(send, 200, _headers(body), body)

    return app


async def hello(_: str | None) -> Prebuilt:
    return HELLO


async def user(user_id: str | None) -> dict[str, str | None]:
    return {"id": user_id}


async def deps(_: str | None) -> dict[str, str]:
    return {"hello": await by_hand()}


def create_app() -> ASGIApp:
    return build({"/hello": hello, "/deps": deps}, {"users": user})


def _wrap(inner: ASGIApp, probe: Probe | None) -> ASGIApp:
    if probe is None:

        async def layer(scope: Scope, receive: Receive, send: Send) -> None:
            await inner(scope, receive, send)

        return layer

    async def probing(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            probe()
        await inner(scope, receive, send)

    return probing


def create_middleware_app(count: int = MIDDLEWARES, probe: Probe | None = None) -> ASGIApp:
    app = build({"/hello": hello}, {})
    for _ in range(count):
        app = _wrap(app, probe)
    return app


def _item(index: int) -> Handler:
    async def item(item_id: str | None) -> dict[str, str | None]:
        return {"id": item_id}

    item.__name__ = f"item{index}"
    return item


def create_many_routes_app(count: int = MANY_ROUTES) -> ASGIApp:
    return build({}, {f"res{i}": _item(i) for i in range(count)})


app = create_app()
