"""The floor: a hand-written ASGI app giving the same answers as the frameworks, at least cost.

A route table of static paths and `/{prefix}/{param}` templates; `content-type` and
`content-length` set; 404 and 405 (with `Allow`) as JSON; lifespan answered. A handler returns
either a `Prebuilt` answer (a constant body and headers, encoded once: `/hello`, 404, 405) or a
value JSON-encoded per request (`/users/{user_id}`, the 1,000 routes, `/deps`). Middlewares are
raw ASGI wrappers that call the next app.

The typed and body routes convert by hand: `GET /items/{item_id}` splits the query string on
`&` and `=` (percent-decoding only a pair that has `%` or `+`, which is what `parse_qsl` would
give, at a fifth of its cost) and converts with `int()`; `POST /orders` reads the body, checks the
content type and decodes it with a prebuilt `msgspec.json.Decoder(Order)`. Both answer with
`msgspec.json.encode` (the cheapest encoder; the 0.1 routes keep the stdlib's), a 422 for a
value that does not convert and a 400 for invalid JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

import msgspec
from common import MANY_ROUTES, MIDDLEWARES, Order, Probe, by_hand, order_answer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Handler = Callable[[str | None, Scope, Receive], Awaitable[Any]]

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


class Answer(NamedTuple):
    """An answer encoded by its handler, with its status."""

    status: int
    body: bytes


Endpoint = tuple[Handler, tuple[str, ...], list[tuple[bytes, bytes]]]


def endpoint(handler: Handler, methods: tuple[str, ...] = ("GET", "HEAD")) -> Endpoint:
    """A route's handler, its methods and its 405 headers (with `Allow`), built once."""
    return handler, methods, _not_allowed(methods)


HELLO = Prebuilt(_headers(b'{"hello":"world"}'), b'{"hello":"world"}')
NOT_FOUND = b'{"detail":"Not Found"}'
NOT_FOUND_HEADERS = _headers(NOT_FOUND)
NOT_ALLOWED = b'{"detail":"Method Not Allowed"}'


def _not_allowed(methods: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    return [*_headers(NOT_ALLOWED), (b"allow", ", ".join(methods).encode())]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def build(static: dict[str, Endpoint], dynamic: dict[str, Endpoint]) -> ASGIApp:
    """Routes: `static` by path, `dynamic` by the first segment of `/{prefix}/{param}`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
        path: str = scope["path"]
        param = None
        found = static.get(path)
        if found is None:
            parts = path.split("/")
            if len(parts) == 3:
                found = dynamic.get(parts[1])
                param = parts[2]
        if found is None:
            await _send(send, 404, NOT_FOUND_HEADERS, NOT_FOUND)
            return
        handler, methods, refusal = found
        if scope["method"] not in methods:
            await _send(send, 405, refusal, NOT_ALLOWED)
        else:
            content = await handler(param, scope, receive)
            kind = type(content)
            if kind is Prebuilt:
                await _send(send, 200, content.headers, content.body)
            elif kind is Answer:
                await _send(send, content.status, _headers(content.body), content.body)
            else:
                body = _dumps(content).encode()
                await _send(send, 200, _headers(body), body)

    return app


async def hello(_: str | None, scope: Scope, receive: Receive) -> Prebuilt:
    return HELLO


async def user(user_id: str | None, scope: Scope, receive: Receive) -> dict[str, str | None]:
    return {"id": user_id}


async def deps(_: str | None, scope: Scope, receive: Receive) -> dict[str, str]:
    return {"hello": await by_hand()}


_encode = msgspec.json.encode


def _invalid(loc: list[str], message: str) -> Answer:
    return Answer(422, _encode({"detail": [{"loc": loc, "msg": message}]}))


def _query(raw: bytes) -> dict[str, str]:
    """The query string's parameters, the last of repeated ones winning."""
    found: dict[str, str] = {}
    for pair in raw.decode("latin-1").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in pair or "+" in pair:
            name, value = unquote_plus(name), unquote_plus(value)
        found[name] = value
    return found


async def item(item_id: str | None, scope: Scope, receive: Receive) -> Answer:
    """`item_id: int` from the path, `limit: int = 20` and `q: str | None` from the query."""
    query = _query(scope["query_string"])
    try:
        number = int(item_id)  # type: ignore[arg-type]
    except ValueError:
        return _invalid(["path", "item_id"], "Expected an int")
    limit = query.get("limit")
    try:
        size = 20 if limit is None else int(limit)
    except ValueError:
        return _invalid(["query", "limit"], "Expected an int")
    return Answer(200, _encode({"item_id": number, "limit": size, "q": query.get("q")}))


_decode_order = msgspec.json.Decoder(Order).decode


async def _body(receive: Receive) -> bytes:
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind: bytes = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


async def create_order(_: str | None, scope: Scope, receive: Receive) -> Answer:
    """The JSON body decoded and validated into an `Order` by a prebuilt msgspec decoder."""
    body = await _body(receive)
    if not body:
        return _invalid(["body"], "Field required")
    if not _is_json(scope):
        return Answer(415, _encode({"detail": "Unsupported media type"}))
    try:
        order = _decode_order(body)
    except msgspec.ValidationError as exc:
        return _invalid(["body"], str(exc))
    except msgspec.DecodeError:
        return Answer(400, _encode({"detail": "Invalid JSON body"}))
    return Answer(201, _encode(order_answer(order.id, order.items)))


def create_app() -> ASGIApp:
    return build(
        {
            "/hello": endpoint(hello),
            "/deps": endpoint(deps),
            "/orders": endpoint(create_order, ("POST",)),
        },
        {"users": endpoint(user), "items": endpoint(item)},
    )


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
    app = build({"/hello": endpoint(hello)}, {})
    for _ in range(count):
        app = _wrap(app, probe)
    return app


def _item(index: int) -> Endpoint:
    async def item(item_id: str | None, scope: Scope, receive: Receive) -> dict[str, str | None]:
        return {"id": item_id}

    item.__name__ = f"item{index}"
    return endpoint(item)


def create_many_routes_app(count: int = MANY_ROUTES) -> ASGIApp:
    return build({}, {f"res{i}": _item(i) for i in range(count)})


app = create_app()
