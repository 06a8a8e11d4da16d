"""Function middleware around routing: order, short-circuit, and every outcome seen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from microapi import HTTPException, MicroAPI, PlainTextResponse, Request, Response
from microapi.testing import TestClient

CallNext = Callable[[Request], Awaitable[Response]]


def recording_app(events: list[str]) -> MicroAPI:
    app = MicroAPI()

    @app.add_middleware
    async def outer(request: Request, call_next: CallNext) -> Response:
        events.append("outer in")
        response = await call_next(request)
        events.append(f"outer out {response.status_code}")
        response.headers["x-outer"] = "1"
        return response

    @app.add_middleware
    async def inner(request: Request, call_next: CallNext) -> Response:
        events.append("inner in")
        response = await call_next(request)
        events.append("inner out")
        return response

    @app.get("/hello")
    async def hello() -> str:
        events.append("handler")
        return "hi"

    return app


def test_first_added_is_outermost() -> None:
    events: list[str] = []
    with TestClient(recording_app(events)) as client:
        response = client.get("/hello")
    assert response.headers["x-outer"] == "1"
    assert events == ["outer in", "inner in", "handler", "inner out", "outer out 200"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope", 404),
        ("POST", "/hello", 405),
        ("GET", "/%zz", 400),
        ("OPTIONS", "/hello", 204),
    ],
)
def test_middleware_sees_requests_that_never_reach_a_handler(
    method: str, path: str, status: int
) -> None:
    events: list[str] = []
    with TestClient(recording_app(events)) as client:
        response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["x-outer"] == "1"
    assert events == ["outer in", "inner in", "inner out", f"outer out {status}"]


def test_short_circuit() -> None:
    app = MicroAPI()

    @app.add_middleware
    async def guard(request: Request, call_next: CallNext) -> Response:
        if "x-token" not in request.headers:
            return PlainTextResponse("no token", status_code=401)
        return await call_next(request)

    @app.get("/")
    async def handler() -> str:
        return "in"

    with TestClient(app) as client:
        assert client.get("/").status_code == 401
        assert client.get("/", headers={"x-token": "t"}).json() == "in"


def test_failing_middleware_is_a_500_and_the_app_goes_on() -> None:
    app = MicroAPI()
    calls = 0

    @app.add_middleware
    async def flaky(request: Request, call_next: CallNext) -> Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("middleware bug")
        return await call_next(request)

    @app.get("/")
    async def handler() -> str:
        return "fine"

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 500
        assert client.get("/").json() == "fine"


def test_middleware_returning_none_is_a_500_naming_it(caplog: pytest.LogCaptureFixture) -> None:
    app = MicroAPI()

    async def forgetful(request: Request, call_next: CallNext) -> Response:
        await call_next(request)
        return None  # type: ignore[return-value]

    app.add_middleware(forgetful)

    @app.get("/")
    async def handler() -> str:
        return "x"

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 500
    assert "forgetful" in caplog.text


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
