"""Litestar: the routes of `common`, the dependency chain with `Provide`, typed parameters and
the order as a `msgspec.Struct` (`common.Order`; OpenAPI off)."""

from __future__ import annotations

from typing import Any

from common import (
    MANY_ROUTES,
    MIDDLEWARES,
    Order,
    Probe,
    order_answer,
    repo,
    service,
    session,
    user,
)
from litestar import Litestar, get, post
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

CHAIN = {
    "session": Provide(session),
    "repo": Provide(repo),
    "service": Provide(service),
    "user": Provide(user),
}


@get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


@get("/users/{user_id:str}")
async def get_user(user_id: str) -> dict[str, str]:
    return {"id": user_id}


@get("/deps", dependencies=CHAIN)
async def deps(user: str) -> dict[str, str]:
    return {"hello": user}


@get("/items/{item_id:int}")
async def item(item_id: int, limit: int = 20, q: str | None = None) -> dict[str, Any]:
    return {"item_id": item_id, "limit": limit, "q": q}


@post("/orders")  # 201 Created, Litestar's default for POST
async def create_order(data: Order) -> dict[str, Any]:
    return order_answer(data.id, data.items)


def create_app() -> Litestar:
    return Litestar([hello, get_user, deps, item, create_order], openapi_config=None)


class Passthrough(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        await next_app(scope, receive, send)


class Probing(ASGIMiddleware):
    def __init__(self, probe: Probe) -> None:
        self.probe = probe

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        self.probe()
        await next_app(scope, receive, send)


def create_middleware_app(count: int = MIDDLEWARES, probe: Probe | None = None) -> Litestar:
    middleware = [Passthrough() if probe is None else Probing(probe) for _ in range(count)]
    return Litestar([hello], middleware=middleware, openapi_config=None)


def _item(index: int) -> HTTPRouteHandler:
    async def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    item.__name__ = f"item{index}"
    return get(f"/res{index}/{{item_id:str}}")(item)


def create_many_routes_app(count: int = MANY_ROUTES) -> Litestar:
    return Litestar([_item(i) for i in range(count)], openapi_config=None)


app = create_app()
