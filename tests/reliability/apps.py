"""An in-process app for fuzzing: static, dynamic, dependency, middleware and task routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from microapi import Depends, MicroAPI, PlainTextResponse, Request, Response
from microapi.background import BackgroundTasks

MAX_BODY = 4096


@dataclass
class Ledger:
    """What the app did, so a test can check nothing leaked: every setup was torn down."""

    setups: int = 0
    teardowns: int = 0
    tasks: list[str] = field(default_factory=list)

    @property
    def open(self) -> int:
        return self.setups - self.teardowns


@dataclass
class Session:
    """A request-scoped service: one per request, closed after it."""

    method: str


async def open_session(request: Request, ledger: Ledger) -> AsyncIterator[Session]:
    """The request-scoped session; counted so a leak shows."""
    ledger.setups += 1
    try:
        yield Session(request.method)
    finally:
        ledger.teardowns += 1


def unit_of_work(session: Session, ledger: Ledger) -> Iterator[str]:
    """A generator dependency on the session, torn down before it."""
    ledger.setups += 1
    try:
        yield f"uow:{session.method}"
    finally:
        ledger.teardowns += 1


def name_of(request: Request, uow: Annotated[str, Depends(unit_of_work)]) -> str:
    """A dependency chained on another one."""
    return f"{request.path_params['name']}/{uow}"


def fuzz_app(ledger: Ledger) -> MicroAPI:
    """The app every fuzz example is sent to; `ledger` records setups, teardowns and tasks."""
    app = MicroAPI(max_body_size=MAX_BODY)
    app.registry.register(Ledger, lambda: ledger, scope="app")
    app.registry.register(Session, open_session, scope="request")
    app.add_middleware(_inspect_everything)
    _static_routes(app)
    _dynamic_routes(app)
    _dependency_routes(app)
    _body_routes(app)
    _task_routes(app)
    return app


async def _inspect_everything(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Parse every part of the request before the handler, and stamp the response after."""
    request.state.seen = (
        request.headers.multi_items(),
        request.query_params.multi_items(),
        request.cookies,
        request.client,
    )
    if request.path == "/mw/short":
        return PlainTextResponse("short-circuited", headers={"x-mw": "short"})
    response = await call_next(request)
    response.headers["x-mw"] = "1"
    return response


def _static_routes(app: MicroAPI) -> None:
    @app.get("/")
    async def index() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/static/a/b")
    def static_sync() -> Response:
        return PlainTextResponse("static")


def _dynamic_routes(app: MicroAPI) -> None:
    @app.route("/items/{item_id}", methods=["GET", "POST"])
    async def item(request: Request) -> dict[str, str]:
        return {"item": request.path_params["item_id"]}

    @app.get("/users/{user_id}/posts/{post_id}")
    async def post(request: Request) -> dict[str, str]:
        return request.path_params

    @app.get("/users/me/posts/latest")
    async def latest() -> str:
        return "latest"


def _dependency_routes(app: MicroAPI) -> None:
    @app.route("/deps/{name}", methods=["GET", "DELETE"])
    async def deps(session: Session, name: Annotated[str, Depends(name_of)]) -> dict[str, str]:
        return {"name": name, "session": session.method}


def _body_routes(app: MicroAPI) -> None:
    @app.route("/echo", methods=["POST", "PUT", "PATCH"])
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/json")
    async def parse(request: Request) -> dict[str, str]:
        return {"type": type(await request.json()).__name__}

    @app.get("/query")
    async def query(request: Request) -> dict[str, Any]:
        return {"items": request.query_params.multi_items(), "cookies": request.cookies}


def _task_routes(app: MicroAPI) -> None:
    @app.put("/tasks/{name}")
    async def schedule(request: Request, tasks: BackgroundTasks, ledger: Ledger) -> str:
        name = request.path_params["name"]
        tasks.add(remember, ledger, name)
        tasks.add(ledger.tasks.append, f"{name} (sync)")
        return name


async def remember(ledger: Ledger, name: str) -> None:
    """An async background task."""
    ledger.tasks.append(name)
