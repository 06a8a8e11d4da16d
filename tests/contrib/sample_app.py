"""A small app with every kind of thing the introspection views show; served by the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from microapi import Depends, MicroAPI, Request, Response
from microapi_contrib import AccessLogMiddleware, CORSMiddleware, enable_introspection

CallNext = Callable[[Request], Awaitable[Response]]


class Database:
    """An app-scoped service."""

    def __init__(self) -> None:
        self.users = {"1": "ada", "2": "grace"}


class Session:
    """A request-scoped service that needs the app-scoped one."""

    def __init__(self, db: Database) -> None:
        self.db = db


async def open_database() -> AsyncIterator[Database]:
    yield Database()


def open_session(db: Database) -> Session:
    return Session(db)


def current_user(request: Request, session: Session) -> str:
    return session.db.users.get(request.headers.get("x-user", ""), "anonymous")


def fresh_token() -> str:
    return "token"


async def timing(request: Request, call_next: CallNext) -> Response:
    response = await call_next(request)
    response.headers["x-timed"] = "1"
    return response


def build_app() -> MicroAPI:
    """A fresh app each call, so tests that start one never share it."""
    app = MicroAPI()
    app.registry.register(Database, open_database, scope="app")
    app.registry.register(Session, open_session, scope="request")
    app.add_middleware(AccessLogMiddleware())
    app.add_middleware(CORSMiddleware(allow_origins=["https://app.example"]))
    app.add_middleware(timing)
    app.add_route("/", index, ["GET"])
    app.add_route("/users/{user_id}", show_user, ["GET"])
    app.add_route("/users", save_user, ["POST", "PUT"])
    enable_introspection(app, path="/_debug")
    return app


async def index() -> dict[str, str]:
    return {"hello": "world"}


async def show_user(
    request: Request,
    session: Session,
    me: str = Depends(current_user),
    token: str = Depends(fresh_token, use_cache=False),
) -> dict[str, str]:
    return {"user": session.db.users[request.path_params["user_id"]], "me": me}


async def save_user(me: str = Depends(current_user)) -> dict[str, str]:
    return {"saved_by": me}


app = build_app()
