"""FastAPI: the routes of `common`, the dependency chain with `Depends`, typed parameters and
the order as a pydantic model (OpenAPI routes off)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from common import MANY_ROUTES, MIDDLEWARES, Probe, Repo, Service, Session, order_answer
from fastapi import Depends, FastAPI, Request, Response
from pydantic import BaseModel


class Item(BaseModel):
    sku: str
    quantity: int
    price: float


class Order(BaseModel):
    id: int
    customer: str
    email: str
    created_at: datetime
    currency: str
    paid: bool
    items: list[Item]
    note: str | None
    tags: list[str]
    shipping: float


async def session() -> AsyncGenerator[Session, None]:
    db = Session()
    try:
        yield db
    finally:
        db.close()


SessionDep = Annotated[Session, Depends(session)]


async def repo(session: SessionDep) -> Repo:
    return Repo(session)


async def service(repo: Annotated[Repo, Depends(repo)], session: SessionDep) -> Service:
    return Service(repo, session)


async def user(service: Annotated[Service, Depends(service)], session: SessionDep) -> str:
    return service.current_user(session)


def _new() -> FastAPI:
    return FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


def create_app() -> FastAPI:
    app = _new()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/users/{user_id}")
    async def get_user(user_id: str) -> dict[str, str]:
        return {"id": user_id}

    @app.get("/deps")
    async def deps(name: Annotated[str, Depends(user)]) -> dict[str, str]:
        return {"hello": name}

    @app.get("/items/{item_id}")
    async def item(item_id: int, limit: int = 20, q: str | None = None) -> dict[str, Any]:
        return {"item_id": item_id, "limit": limit, "q": q}

    @app.post("/orders", status_code=201)
    async def create_order(order: Order) -> dict[str, Any]:
        return order_answer(order.id, order.items)

    return app


Dispatch = Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]


def _middleware(probe: Probe | None) -> Dispatch:
    if probe is None:

        async def passthrough(request: Request, call_next: Any) -> Response:
            return await call_next(request)  # type: ignore[no-any-return]

        return passthrough

    async def probing(request: Request, call_next: Any) -> Response:
        probe()
        return await call_next(request)  # type: ignore[no-any-return]

    return probing


def create_middleware_app(count: int = MIDDLEWARES, probe: Probe | None = None) -> FastAPI:
    app = _new()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    for _ in range(count):
        app.middleware("http")(_middleware(probe))
    return app


def _item(index: int) -> Callable[[str], Awaitable[dict[str, str]]]:
    async def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    item.__name__ = f"item{index}"
    return item


def create_many_routes_app(count: int = MANY_ROUTES) -> FastAPI:
    app = _new()
    for i in range(count):
        app.get(f"/res{i}/{{item_id}}")(_item(i))
    return app


app = create_app()
