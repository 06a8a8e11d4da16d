"""Starlette: the routes of `common`; the dependency chain by hand (Starlette has no DI), the
typed parameters converted with `int()` and the order validated by hand after `json.loads`
(`common.validate_order`), as Starlette's users do."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from common import MANY_ROUTES, MIDDLEWARES, Invalid, Probe, by_hand, order_answer, validate_order
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Endpoint = Callable[[Request], Awaitable[Response]]


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "world"})


async def get_user(request: Request) -> JSONResponse:
    return JSONResponse({"id": request.path_params["user_id"]})


async def deps(request: Request) -> JSONResponse:
    return JSONResponse({"hello": await by_hand()})


async def item(request: Request) -> JSONResponse:
    try:
        item_id = int(request.path_params["item_id"])
    except ValueError:
        return _invalid(["path", "item_id"], "Expected an int")
    query = request.query_params
    limit = query.get("limit")
    try:
        size = 20 if limit is None else int(limit)
    except ValueError:
        return _invalid(["query", "limit"], "Expected an int")
    return JSONResponse({"item_id": item_id, "limit": size, "q": query.get("q")})


async def create_order(request: Request) -> JSONResponse:
    try:
        data = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"detail": "Invalid JSON body"}, status_code=400)
    try:
        order = validate_order(data)
    except Invalid as exc:
        return JSONResponse({"detail": exc.errors}, status_code=422)
    return JSONResponse(order_answer(order.id, order.items), status_code=201)


def _invalid(loc: list[str], message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": loc, "msg": message}]}, status_code=422)


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/hello", hello),
            Route("/users/{user_id}", get_user),
            Route("/deps", deps),
            Route("/items/{item_id}", item),
            Route("/orders", create_order, methods=["POST"]),
        ]
    )


async def passthrough(request: Request, call_next: RequestResponseEndpoint) -> Response:
    return await call_next(request)


def _probing(probe: Probe) -> Callable[[Request, RequestResponseEndpoint], Awaitable[Response]]:
    async def probing(request: Request, call_next: RequestResponseEndpoint) -> Response:
        probe()
        return await call_next(request)

    return probing


def create_middleware_app(count: int = MIDDLEWARES, probe: Probe | None = None) -> Starlette:
    # What `@app.middleware("http")` registered before Starlette 1.0 removed the decorator.
    dispatch = passthrough if probe is None else _probing(probe)
    middleware = [Middleware(BaseHTTPMiddleware, dispatch=dispatch) for _ in range(count)]
    return Starlette(routes=[Route("/hello", hello)], middleware=middleware)


def _item(index: int) -> Endpoint:
    async def item(request: Request) -> Response:
        return JSONResponse({"id": request.path_params["item_id"]})

    item.__name__ = f"item{index}"
    return item


def create_many_routes_app(count: int = MANY_ROUTES) -> Starlette:
    return Starlette(routes=[Route(f"/res{i}/{{item_id}}", _item(i)) for i in range(count)])


app = create_app()
