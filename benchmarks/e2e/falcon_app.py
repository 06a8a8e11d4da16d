"""Falcon (ASGI): the routes of `common`; the dependency chain by hand (Falcon has no DI)."""

from __future__ import annotations

import falcon
import falcon.asgi
from common import MANY_ROUTES, MIDDLEWARES, Probe, by_hand


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


def create_app() -> falcon.asgi.App[falcon.asgi.Request, falcon.asgi.Response]:
    app = falcon.asgi.App()
    app.add_route("/hello", Hello())
    app.add_route("/users/{user_id}", User())
    app.add_route("/deps", Deps())
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
