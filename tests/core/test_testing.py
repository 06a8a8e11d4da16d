"""The TestClient: start-up failures, re-raised server exceptions, overrides undone, streamed
request bodies, and nothing left running.
"""

import gc
import threading
from collections.abc import Iterator

import pytest
from microapi import Depends, MicroAPI, Request
from microapi.testing import StartupFailed, TestClient
from microapi.types import Receive, Scope, Send


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


def test_test_client_re_raises_what_escapes_the_app_unless_told_otherwise() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raise RuntimeError("escaped")

    with TestClient(broken) as client, pytest.raises(RuntimeError, match="escaped"):
        client.get("/")
    with TestClient(broken, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 500


def crashing_app(events: list[str]) -> MicroAPI:
    app = MicroAPI()
    app.on_shutdown(lambda: events.append("shutdown"))

    @app.get("/crash")
    async def crash() -> None:
        raise ZeroDivisionError("handler bug")

    @app.get("/ok")
    def ok() -> str:  # a sync handler: a worker thread of the client's loop
        return "ok"

    return app


def test_the_test_client_re_raises_an_unhandled_handler_exception_by_default() -> None:
    events: list[str] = []
    with TestClient(crashing_app(events)) as client:
        with pytest.raises(ZeroDivisionError, match="handler bug"):
            client.get("/crash")
        assert client.get("/ok").json() == "ok"
    with TestClient(crashing_app(events), raise_server_exceptions=False) as client:
        response = client.get("/crash")
        assert (response.status_code, response.json()) == (
            500,
            {"detail": "Internal Server Error"},
        )


def test_clients_used_without_with_leave_no_thread_and_shut_the_app_down() -> None:
    events: list[str] = []
    before = threading.active_count()
    for _ in range(20):
        client = TestClient(crashing_app(events))
        assert client.get("/ok").json() == "ok"
        del client
    gc.collect()
    assert threading.active_count() == before
    assert events == ["shutdown"] * 20


def test_close_shuts_the_app_down_once() -> None:
    events: list[str] = []
    client = TestClient(crashing_app(events))
    client.get("/ok")
    client.close()
    client.close()
    del client
    gc.collect()
    assert events == ["shutdown"]


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


def test_a_streamed_response_reaches_the_test_as_sent_and_a_cut_one_is_an_error() -> None:
    from collections.abc import AsyncIterator

    import httpx
    from microapi.responses import StreamingResponse

    app = MicroAPI()

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"one "
            yield b"two"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/cut")
    async def cut() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"partial"
            raise RuntimeError("the source failed")

        return StreamingResponse(chunks())

    with TestClient(app) as client:
        got = client.get("/stream")
        assert got.text == "one two"
        assert "content-length" not in got.headers  # the app sent none
        with pytest.raises(RuntimeError, match="the source failed"):
            client.get("/cut")  # the stream's error, as for any handler error
    with TestClient(app, raise_server_exceptions=False) as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without completing"):
            client.get("/cut")  # what a real client sees: an incomplete body
        assert client.get("/stream").status_code == 200
