"""Falcon (ASGI): the routes of `common`; the dependency chain by hand (Falcon has no DI), the
typed parameters converted with `int()` and the order validated by hand after
`req.get_media()` (`common.validate_order`), as Falcon's users do."""

from __future__ import annotations

import falcon
import falcon.asgi
from common import MANY_ROUTES, MIDDLEWARES, Invalid, Probe, by_hand, order_answer, validate_order


class Hello:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"hello": "world"}


class User:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: str
    ) -> None:
        resp.media = {"id": user_id}


class Deps:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"hello": await by_hand()}


def _invalid(resp: falcon.asgi.Response, loc: list[str], message: str) -> None:
    resp.status = 422
    resp.media = {"detail": [{"loc": loc, "msg": message}]}


class Items:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, item_id: str
    ) -> None:
        try:
            number = int(item_id)
        except ValueError:
            return _invalid(resp, ["path", "item_id"], "Expected an int")
        limit = req.get_param("limit")
        try:
            size = 20 if limit is None else int(limit)
        except ValueError:
            return _invalid(resp, ["query", "limit"], "Expected an int")
        resp.media = {"item_id": number, "limit": size, "q": req.get_param("q")}
        return None


class Orders:
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await req.get_media()  # 400 for invalid JSON, from Falcon
        try:
            order = validate_order(data)
        except Invalid as exc:
            resp.status = 422
            resp.media = {"detail": exc.errors}
            return
        resp.status = 201
        resp.media = order_answer(order.id, order.items)


def create_app() -> falcon.asgi.App[falcon.asgi.Request, falcon.asgi.Response]:
    app = falcon.asgi.App()
    app.add_route("/hello", Hello())
    app.add_route("/users/{user_id}", User())
    app.add_route("/deps", Deps())
    app.add_route("/items/{item_id}", Items())
    app.add_route("/orders", Orders())
    return app


class Passthrough:
    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        pass

    async def process_response(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        pass


class Probing(Passthrough):
    def __init__(self, probe: Probe) -> None:
        self.probe = probe

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        self.probe()


def create_middleware_app(
    count: int = MIDDLEWARES, probe: Probe | None = None
) -> falcon.asgi.App[falcon.asgi.Request, falcon.asgi.Response]:
    middleware = [Passthrough() if probe is None else Probing(probe) for _ in range(count)]
    app = falcon.asgi.App(middleware=middleware)
    app.add_route("/hello", Hello())
    return app


class Item:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, item_id: str
    ) -> None:
        resp.media = {"id": item_id}


def create_many_routes_app(
    count: int = MANY_ROUTES,
) -> falcon.asgi.App[falcon.asgi.Request, falcon.asgi.Response]:
    app = falcon.asgi.App()
    for i in range(count):
        app.add_route(f"/res{i}/{{item_id}}", Item())
    return app


app = create_app()
