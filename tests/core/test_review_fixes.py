"""Behaviour a reader of the SPEC expects in less travelled corners."""

from collections.abc import Awaitable, Callable, Iterator

import pytest
from microapi import (
    BackgroundTasks,
    Depends,
    HTTPException,
    JSONResponse,
    MicroAPI,
    Request,
    Response,
)
from microapi.testing import StartupFailed, TestClient
from microapi.types import Receive, Scope, Send

CallNext = Callable[[Request], Awaitable[Response]]


def test_one_app_serves_several_test_clients_in_turn() -> None:
    events: list[str] = []
    app = MicroAPI()

    def resource() -> Iterator[str]:
        events.append("up")
        yield "r"
        events.append("down")

    app.registry.register(str, resource, scope="app")

    @app.get("/")
    async def handler(value: str) -> str:
        return value

    for _ in range(2):
        with TestClient(app) as client:
            assert client.get("/").json() == "r"
    assert events == ["up", "down", "up", "down"]
    with pytest.raises(RuntimeError, match="already started"):
        app.add_route("/late", handler, ["GET"])


def test_overrides_set_inside_a_client_do_not_leak_into_the_next() -> None:
    app = MicroAPI()

    def who() -> str:
        return "real"

    @app.get("/")
    async def handler(name: str = Depends(who)) -> str:
        return name

    with TestClient(app) as client:
        app.dependency_overrides[who] = lambda: "fake"
        assert client.get("/").json() == "fake"
    assert dict(app.dependency_overrides) == {}
    with TestClient(app) as client:
        assert client.get("/").json() == "real"
    app.dependency_overrides = {who: lambda: "assigned"}
    with TestClient(app) as client:
        assert client.get("/").json() == "assigned"
    app.dependency_overrides = {}
    assert dict(app.dependency_overrides) == {}


def test_start_up_failure_surfaces_the_apps_own_exception() -> None:
    app = MicroAPI()

    @app.on_startup
    def fail() -> None:
        raise ValueError("bad config")

    with pytest.raises(ValueError, match="bad config"), TestClient(app):
        pass


def test_start_up_failure_of_a_wrapped_app_raises_startup_failed() -> None:
    inner = MicroAPI()

    @inner.on_startup
    def fail() -> None:
        raise ValueError("bad config")

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        await inner(scope, receive, send)

    with pytest.raises(StartupFailed, match="ValueError: bad config"), TestClient(wrapper):
        pass


def test_http_exception_raised_by_a_middleware_keeps_its_status_and_headers() -> None:
    app = MicroAPI()

    @app.add_middleware
    async def auth(request: Request, call_next: CallNext) -> Response:
        if "authorization" not in request.headers:
            raise HTTPException(401, "who?", headers={"www-authenticate": "Bearer"})
        if request.method == "POST":
            await request.json()  # invalid JSON -> 400, even here
        return await call_next(request)

    @app.route("/", methods=["GET", "POST"])
    async def handler() -> str:
        return "in"

    with TestClient(app) as client:
        denied = client.get("/")
        assert (denied.status_code, denied.json()) == (401, {"detail": "who?"})
        assert denied.headers["www-authenticate"] == "Bearer"
        bad = client.post("/", content=b"{", headers={"authorization": "x"})
        assert bad.status_code == 400
        assert client.get("/", headers={"authorization": "x"}).json() == "in"


def test_a_handler_for_exception_does_not_swallow_the_framework_answers() -> None:
    app = MicroAPI()

    @app.exception_handler(Exception)
    async def everything(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"caught": type(exc).__name__}, status_code=500)

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418)

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError("x")

    with TestClient(app) as client:
        assert client.get("/nope").status_code == 404
        assert client.post("/teapot").headers["allow"] == "GET, HEAD, OPTIONS"
        assert client.get("/teapot").status_code == 418
        assert client.get("/boom").json() == {"caught": "KeyError"}


def test_streamed_request_body_through_the_test_client() -> None:
    app = MicroAPI(max_body_size=10)

    @app.post("/")
    async def handler(request: Request) -> int:
        return len(await request.body())

    def chunks(count: int) -> Iterator[bytes]:
        yield from (b"12345" for _ in range(count))

    with TestClient(app) as client:
        assert client.post("/", content=chunks(2)).json() == 10
        assert client.post("/", content=chunks(3)).status_code == 413


def test_async_callable_object_as_a_background_task() -> None:
    ran: list[str] = []

    class Notify:
        async def __call__(self, who: str) -> None:
            ran.append(who)

    app = MicroAPI()

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(Notify(), "ada")
        return "ok"

    with TestClient(app) as client:
        client.get("/")
    assert ran == ["ada"]


def test_method_names_are_upper_cased_and_a_bare_string_is_refused() -> None:
    app = MicroAPI()

    @app.route("/", methods=["get", "Post"])
    async def handler(request: Request) -> str:
        return request.method

    with pytest.raises(TypeError, match=r"\['GET'\]"):
        app.route("/other", methods="GET")
    with TestClient(app) as client:
        assert client.get("/").json() == "GET"
        assert client.post("/").json() == "POST"
