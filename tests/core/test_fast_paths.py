"""The request path's shortcuts give what the general code they stand for gives.

Each shortcut is checked against the general code it stands for on the hot path.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from microapi import BackgroundTasks, Depends, MicroAPI, Request
from microapi._receiving import receive_within
from microapi.responses import JSONResponse, Response, to_response
from microapi.testing import TestClient
from microapi.types import Message

from tests.asgi import http_scope


@pytest.mark.parametrize(
    "content", [{"hello": "world"}, [1, 2.5, None], "text", 0, None, {"é": ["ü", True]}]
)
@pytest.mark.parametrize("status", [200, 201, 202, 400, 418, 500])
def test_to_response_is_the_constructor_without_headers(content: Any, status: int) -> None:
    fast, general = to_response(content, status), JSONResponse(content, status_code=status)
    assert type(fast) is JSONResponse
    assert (fast.status_code, fast.body, fast.raw_headers) == (
        general.status_code,
        general.body,
        general.raw_headers,
    )
    fast.headers["x-edit"] = "1"  # its own header list, editable like any response's
    assert to_response(content, status).raw_headers == general.raw_headers


@pytest.mark.parametrize("content", [{"x": float("nan")}, [1.0, float("-inf")], float("inf")])
def test_to_response_refuses_non_finite_floats_like_the_constructor(content: Any) -> None:
    with pytest.raises(ValueError, match="NaN") as fast:
        to_response(content)
    with pytest.raises(ValueError, match="NaN") as general:
        JSONResponse(content)
    assert str(fast.value) == str(general.value)


def test_to_response_passes_a_response_through_whatever_the_status() -> None:
    given = Response(b"x", status_code=202)
    assert to_response(given) is given
    assert to_response(given, 201) is given


def test_to_response_keeps_a_null_that_is_no_float() -> None:
    assert to_response({"x": None, "y": [None]}).body == b'{"x":null,"y":[null]}'


NAMES = [b"content-length", b"Content-Length", b"CONTENT-TYPE", b"content-type", b"x-a", b"\xc0x"]


@pytest.mark.parametrize("seed", range(200))
def test_raw_header_lookup_matches_headers_get(seed: int) -> None:
    rng = random.Random(seed)
    raw = [
        (rng.choice(NAMES), bytes(rng.randrange(256) for _ in range(rng.randrange(4))))
        for _ in range(rng.randrange(6))
    ]
    request = Request(http_scope("POST", b"/", headers=raw), _never)
    for name in ("content-length", "content-type", "x-a"):
        assert request._header(name.encode()) == request.headers.get(name)


async def _never() -> Message:
    raise AssertionError("not received")


def _receiver(messages: list[Message], pause: float = 0.0) -> Any:
    queue = list(messages)

    async def receive() -> Message:
        if pause:
            await asyncio.sleep(pause)
        return queue.pop(0)

    return receive


BODIES = [
    [{"type": "http.request", "body": b'{"a": 1}'}],
    [{"type": "http.request"}],
    [{"type": "http.request", "body": bytearray(b"xy")}],
    [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"cd"},
    ],
]


@pytest.mark.parametrize("messages", BODIES)
@pytest.mark.parametrize("pause", [0.0, 0.001])
@pytest.mark.parametrize("timeout", [None, 5.0])
def test_body_reads_what_stream_yields(
    messages: list[Message], pause: float, timeout: float | None
) -> None:
    async def read() -> tuple[bytes, bytes]:
        scope = http_scope("POST", b"/")
        whole = Request(scope, _receiver(messages, pause), body_timeout=timeout)
        streamed = Request(scope, _receiver(messages, pause), body_timeout=timeout)
        body = await whole.body()
        assert type(body) is bytes
        assert await whole.body() is body
        return body, b"".join([bytes(chunk) async for chunk in streamed.stream()])

    body, streamed = asyncio.run(read())
    assert body == streamed


def test_body_over_the_limit_in_its_second_message_is_413() -> None:
    from microapi.exceptions import HTTPException

    messages: list[Message] = [
        {"type": "http.request", "body": b"abc", "more_body": True},
        {"type": "http.request", "body": b"def"},
    ]
    request = Request(http_scope("POST", b"/"), _receiver(messages), max_body_size=5)
    with pytest.raises(HTTPException) as raised:
        asyncio.run(request.body())
    assert raised.value.status_code == 413


def test_receive_within_returns_at_once_or_after_a_wait() -> None:
    async def scenario() -> list[Message]:
        ready = _receiver([{"type": "http.request", "body": b"1"}])
        later = _receiver([{"type": "http.request", "body": b"2"}], pause=0.01)
        return [await receive_within(ready, 1.0), await receive_within(later, 1.0)]

    assert [m["body"] for m in asyncio.run(scenario())] == [b"1", b"2"]


def test_receive_within_times_out_a_wait_and_closes_the_receive() -> None:
    closed: list[bool] = []

    async def stalled() -> Message:
        try:
            await asyncio.sleep(10)
        finally:
            closed.append(True)
        raise AssertionError("not reached")

    async def scenario() -> None:
        with pytest.raises(TimeoutError):
            await receive_within(stalled, 0.01)

    asyncio.run(scenario())
    assert closed == [True]


def test_receive_within_passes_a_cancellation_and_errors_through() -> None:
    async def failing() -> Message:
        await asyncio.sleep(0)
        raise OSError("gone")

    async def stalled() -> Message:
        await asyncio.sleep(10)
        raise AssertionError("not reached")

    async def scenario() -> None:
        with pytest.raises(OSError, match="gone"):
            await receive_within(failing, 1.0)
        task = asyncio.ensure_future(receive_within(stalled, 5.0))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())


def test_receive_within_takes_any_awaitable() -> None:
    async def scenario() -> Message:
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.01, future.set_result, {"type": "x"})
        return await receive_within(lambda: future, 1.0)

    assert asyncio.run(scenario()) == {"type": "x"}


def test_background_tasks_follow_the_plan_through_overrides() -> None:
    app = MicroAPI()
    ran: list[str] = []

    def plain() -> str:
        return "plain"

    def with_tasks(tasks: BackgroundTasks) -> str:
        tasks.add(ran.append, "override")
        return "with tasks"

    @app.get("/")
    async def handler(value: str = Depends(plain)) -> str:
        return value

    @app.get("/tasks")
    async def tasks_handler(tasks: BackgroundTasks) -> str:
        tasks.add(ran.append, "handler")
        return "ok"

    with TestClient(app) as client:
        assert client.get("/").json() == "plain"
        assert client.get("/tasks").json() == "ok"
        with app.override(plain, with_tasks):
            assert client.get("/").json() == "with tasks"
        assert client.get("/").json() == "plain"
    assert ran == ["handler", "override"]


def test_a_route_keeps_its_runner_only_while_the_container_is_unchanged() -> None:
    """The runner an all-async route keeps (`Route.run`) is dropped on every change: an
    override set or undone, and the app scope of one client closing before the next opens."""
    app = MicroAPI()
    made: list[int] = []

    class Counter:
        def __init__(self) -> None:
            made.append(1)
            self.number = len(made)

    async def who() -> str:
        return "real"

    async def fake() -> str:
        return "fake"

    app.registry.register(Counter, Counter, scope="app")

    @app.get("/")
    async def handler(counter: Counter, name: str = Depends(who)) -> list[Any]:
        return [counter.number, name]

    with TestClient(app) as client:
        assert client.get("/").json() == [1, "real"]
        assert client.get("/").json() == [1, "real"]  # the kept runner
        with app.override(who, fake):
            assert client.get("/").json() == [1, "fake"]
        assert client.get("/").json() == [1, "real"]
    with TestClient(app) as client:  # a new app scope: its own service, not the closed one's
        assert client.get("/").json() == [2, "real"]


def _raw_answer(app: Any, method: str, path: bytes, edit: bool = False) -> tuple[int, list[Any]]:
    """Call `app` as a server would; with `edit`, change the header list it sends, as an
    ASGI wrapper may (appending to the list in place)."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if edit and message["type"] == "http.response.start":
            message["headers"].append((b"x-wrapper", b"1"))
        sent.append(message)

    asyncio.run(app(http_scope(method, path), receive, send))
    return sent[0]["status"], list(sent[0]["headers"])


def test_the_shared_fixed_answers_are_sent_unchanged_whatever_a_wrapper_does() -> None:
    app = MicroAPI()

    @app.get("/here")
    async def here() -> str:
        return "ok"

    with TestClient(app):
        for method, path, status in (("GET", b"/nope", 404), ("POST", b"/here", 405)):
            clean = _raw_answer(app, method, path)
            assert clean[0] == status
            for _ in range(3):  # each edit lands on a copy, never on the shared answer
                assert _raw_answer(app, method, path, edit=True)[1] == [
                    *clean[1],
                    (b"x-wrapper", b"1"),
                ]
            assert _raw_answer(app, method, path) == clean


def test_middleware_gets_a_fixed_answer_of_its_own_to_edit() -> None:
    app = MicroAPI()
    seen: list[int] = []

    @app.get("/here")
    async def here() -> str:
        return "ok"

    async def stamp(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        seen.append(response.status_code)
        response.headers["x-count"] = str(len(seen))
        response.status_code = 410 if request.path == "/gone" else response.status_code
        return response

    app.add_middleware(stamp)
    with TestClient(app) as client:
        first = client.get("/nope")
        gone = client.get("/gone")
        again = client.get("/nope")
        allowed = client.post("/here")
    assert (first.status_code, first.headers["x-count"]) == (404, "1")
    assert gone.status_code == 410
    assert (again.status_code, again.headers["x-count"]) == (404, "3")
    assert (allowed.status_code, allowed.headers["x-count"]) == (405, "4")
    assert allowed.headers["allow"] == "GET, HEAD, OPTIONS"
    assert again.json() == first.json() == {"detail": "Not Found"}


def test_a_fixed_answer_the_server_cannot_send_is_no_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A send that fails on the shared 404 (the client is gone) is raised to the server as
    before, and is not mistaken for a middleware's error: nothing logged, no second answer."""
    app = MicroAPI()
    with TestClient(app):
        starts: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            starts.append(message)
            raise OSError("connection reset")

        with caplog.at_level("ERROR", logger="microapi"), pytest.raises(OSError, match="reset"):
            asyncio.run(app(http_scope("GET", b"/nope"), receive, send))
    assert [m["status"] for m in starts] == [404]
    assert [r for r in caplog.records if r.name.startswith("microapi")] == []


def test_a_route_with_a_status_names_its_converter_in_the_generated_code() -> None:
    app = MicroAPI()

    @app.post("/items", status_code=201)
    async def create() -> dict[str, int]:
        return {"id": 1}

    with TestClient(app) as client:
        assert client.post("/items").status_code == 201
        route = next(r.payload for r in app.lifecycle.router.routes())
        assert route.plan is not None
        assert "return to_response_201(await create())" in route.plan.source


def test_a_runner_taken_while_the_route_is_told_of_a_change_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change set from another thread can land while a request takes the route's runner;
    that runner serves the request but is not kept (the next request takes a fresh one)."""
    from microapi_di import AppScope

    app = MicroAPI()

    @app.get("/")
    async def handler() -> str:
        return "ok"

    with TestClient(app) as client:
        route = next(r.payload for r in app.lifecycle.router.routes())
        taken = AppScope.runner

        def runner_then_change(scope: AppScope, prepared: Any) -> Any:
            run = taken(scope, prepared)
            route.stale()  # what the container's notification does, landing meanwhile
            return run

        monkeypatch.setattr(AppScope, "runner", runner_then_change)
        assert client.get("/").json() == "ok"
        assert route.run is None
        monkeypatch.setattr(AppScope, "runner", taken)
        assert client.get("/").json() == "ok"
        assert route.run is not None
