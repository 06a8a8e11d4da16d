"""MicroAPI: the routes of `common`, the dependency chain with `Depends`, typed parameters
(a path parameter by name, `Query()`) and a `Body()` decoded into `common.Order` (a
`msgspec.Struct`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

from common import MANY_ROUTES, MIDDLEWARES, Order, Probe, Repo, Service, Session, order_answer
from microapi import Depends, MicroAPI, Request, Response
from microapi.params import Body, Query
from microapi_middleware import CallNext


async def session() -> AsyncGenerator[Session, None]:
    db = Session()
    try:
        yield db
    finally:
        db.close()


async def repo(session: Session = Depends(session)) -> Repo:
    return Repo(session)


async def service(repo: Repo = Depends(repo), session: Session = Depends(session)) -> Service:
    return Service(repo, session)


async def user(service: Service = Depends(service), session: Session = Depends(session)) -> str:
    return service.current_user(session)


def create_app() -> MicroAPI:
    app = MicroAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/users/{user_id}")
    async def get_user(request: Request) -> dict[str, str]:
        return {"id": request.path_params["user_id"]}

    @app.get("/deps")
    async def deps(name: str = Depends(user)) -> dict[str, str]:
        return {"hello": name}

    @app.get("/items/{item_id}")
    async def item(
        item_id: int,
        limit: Annotated[int, Query()] = 20,
        q: Annotated[str | None, Query()] = None,
    ) -> dict[str, Any]:
        return {"item_id": item_id, "limit": limit, "q": q}

    @app.post("/orders", status_code=201)
    async def create_order(order: Annotated[Order, Body()]) -> dict[str, Any]:
        return order_answer(order.id, order.items)

    return app


def create_middleware_app(count: int = MIDDLEWARES, probe: Probe | None = None) -> MicroAPI:
    app = MicroAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    for _ in range(count):
        if probe is None:

            async def passthrough(request: Request, call_next: CallNext[Request, Response]) -> Any:
                return await call_next(request)

            app.add_middleware(passthrough)
        else:
            app.add_middleware(_probing(probe))
    return app


def _probing(probe: Probe) -> Any:
    async def probing(request: Request, call_next: CallNext[Request, Response]) -> Any:
        probe()
        return await call_next(request)

    return probing


def create_many_routes_app(count: int = MANY_ROUTES) -> MicroAPI:
    app = MicroAPI()
    for i in range(count):
        app.add_route(f"/res{i}/{{item_id}}", _item(i), ["GET"])
    return app


def _item(index: int) -> Any:
    async def item(request: Request) -> dict[str, str]:
        return {"id": request.path_params["item_id"]}

    item.__name__ = f"item{index}"
    return item


app = create_app()
