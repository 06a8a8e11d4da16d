"""Health endpoints: liveness, readiness across the lifecycle, routes like any other."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from microapi import AppFrozenError, MicroAPI, Request, Response
from microapi.testing import TestClient
from microapi_contrib import collect, enable_health

from tests.asgi import Exchange, call, http_scope
from tests.server import uvicorn_server

CallNext = Callable[[Request], Awaitable[Response]]


def make_app(path: str = "/health") -> MicroAPI:
    app = MicroAPI()
    enable_health(app, path)
    return app


def test_live_and_ready_once_started() -> None:
    with TestClient(make_app()) as client:
        live = client.get("/health/live")
        ready = client.get("/health/ready")
        head = client.head("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "state": "started"})
    assert live.headers["cache-control"] == ready.headers["cache-control"] == "no-store"
    assert (head.status_code, head.content) == (200, b"")


@pytest.mark.parametrize(
    ("path", "live", "ready"),
    [
        ("/ops/health", "/ops/health/live", "/ops/health/ready"),
        ("/probes/", "/probes/live", "/probes/ready"),
        ("/", "/live", "/ready"),
    ],
)
def test_a_path_of_your_choosing(path: str, live: str, ready: str) -> None:
    with TestClient(make_app(path)) as client:
        assert client.get(live).status_code == 200
        assert client.get(ready).status_code == 200
        assert client.get("/health/live").status_code == 404


def test_they_are_ordinary_routes_declared_before_start_up() -> None:
    app = make_app()
    routes = {route.template: route for route in collect(app).routes}
    assert set(routes) == {"/health/live", "/health/ready"}
    assert routes["/health/ready"].methods == ("GET",)
    assert routes["/health/ready"].handler == "microapi_contrib._health:HealthCheck.ready"
    with TestClient(app) as client:
        client.get("/health/live")
        with pytest.raises(AppFrozenError):
            enable_health(app, "/other")
        assert client.post("/health/live").status_code == 405


def test_they_pass_through_the_middleware_like_any_route() -> None:
    app = MicroAPI()
    seen: list[str] = []

    async def record(request: Request, call_next: CallNext) -> Response:
        response = await call_next(request)
        seen.append(request.route.template if request.route else "-")  # set by dispatching
        return response

    app.add_middleware(record)
    enable_health(app)
    with TestClient(app) as client:
        client.get("/health/live")
        client.get("/health/ready")
    assert seen == ["/health/live", "/health/ready"]


def in_flight_across_shutdown(path: bytes) -> tuple[Exchange, list[str]]:
    """Send `path` to a started app, hold it in a middleware until shutdown has begun, and
    let it through from a shutdown hook: the handler runs while the app is stopping."""

    async def scenario() -> tuple[Exchange, list[str]]:
        app = MicroAPI()
        reached, release = asyncio.Event(), asyncio.Event()
        states: list[str] = []
        pending: list[asyncio.Task[Exchange]] = []

        async def hold(request: Request, call_next: CallNext) -> Response:
            reached.set()
            await release.wait()
            return await call_next(request)

        app.add_middleware(hold)
        enable_health(app)

        @app.on_shutdown
        async def let_it_through() -> None:
            states.append(app.state)
            release.set()
            await asyncio.wait_for(asyncio.shield(pending[0]), 5)

        await app.startup()
        pending.append(asyncio.create_task(call(app, http_scope("GET", path))))
        await asyncio.wait_for(reached.wait(), 5)
        await app.shutdown()
        states.append(app.state)
        return await pending[0], states

    return asyncio.run(scenario())


def test_ready_is_503_for_a_request_in_flight_when_shutdown_begins() -> None:
    exchange, states = in_flight_across_shutdown(b"/health/ready")
    assert states == ["stopping", "stopped"]
    assert exchange.status == 503
    assert exchange.body == b'{"status":"unavailable","state":"stopping"}'
    assert exchange.headers[b"cache-control"] == b"no-store"


def test_live_stays_200_for_a_request_in_flight_when_shutdown_begins() -> None:
    exchange, _ = in_flight_across_shutdown(b"/health/live")
    assert (exchange.status, exchange.body) == (200, b'{"status":"ok"}')


def test_ready_is_503_while_starting_and_while_stopping() -> None:
    """Requests that arrive during start-up or shutdown (from the hooks, through the ASGI app
    itself): the app is not serving, and readiness says so."""

    async def scenario() -> dict[str, Exchange]:
        app = make_app()
        seen: dict[str, Exchange] = {}

        @app.on_startup
        async def probe_while_starting() -> None:
            seen[app.state] = await call(app, http_scope("GET", b"/health/ready"))

        @app.on_shutdown
        async def probe_while_stopping() -> None:
            seen[app.state] = await call(app, http_scope("GET", b"/health/ready"))

        await app.startup()
        seen[app.state] = await call(app, http_scope("GET", b"/health/ready"))
        await app.shutdown()
        return seen

    seen = asyncio.run(scenario())
    assert {state: exchange.status for state, exchange in seen.items()} == {
        "starting": 503,
        "started": 200,
        "stopping": 503,
    }


def test_two_apps_answer_for_themselves() -> None:
    first, second = make_app(), make_app()
    with TestClient(first) as client:
        assert client.get("/health/ready").status_code == 200
        assert second.state == "new"
    with TestClient(second) as client:
        assert client.get("/health/ready").json()["state"] == "started"
    assert first.state == "stopped"


def test_under_uvicorn() -> None:
    with uvicorn_server("tests.contrib.health_app:app") as (base, _):
        live = httpx.get(base + "/health/live", timeout=5)
        ready = httpx.get(base + "/health/ready", timeout=5)
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "state": "started"})
