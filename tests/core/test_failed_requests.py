"""What a failed request answers, and that it commits nothing (SPEC section 5)."""

import asyncio
import functools
import gc
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from microapi import AppFrozenError, Depends, HTTPException, MicroAPI, Request, Response
from microapi.testing import TestClient
from microapi.types import Message

from tests.asgi import http_scope


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "microapi.errors"]


# --- the response is built inside the request scope ---------------------------------------


def transaction_app(path: Path, events: list[str]) -> MicroAPI:
    app = MicroAPI()
    with sqlite3.connect(path) as setup:
        setup.execute("create table notes (text text)")

    def transaction() -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(path, check_same_thread=False)
        try:
            yield db
        except BaseException:
            db.rollback()
            events.append("rollback")
            raise
        else:
            db.commit()
            events.append("commit")
        finally:
            db.close()

    @app.post("/notes")
    async def add(db: Annotated[sqlite3.Connection, Depends(transaction)]) -> Any:
        db.execute("insert into notes values ('written')")
        return {"when": object()}  # not JSON: the answer is a 500

    @app.post("/fine")
    async def fine(db: Annotated[sqlite3.Connection, Depends(transaction)]) -> Any:
        db.execute("insert into notes values ('kept')")
        return {"ok": True}

    return app


def rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [text for (text,) in db.execute("select text from notes")]


def test_a_value_that_cannot_be_encoded_rolls_the_transaction_back(tmp_path: Path) -> None:
    events: list[str] = []
    database = tmp_path / "notes.db"
    app = transaction_app(database, events)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/notes")
        assert response.status_code == 500
        assert response.json() == {"detail": "Internal Server Error"}
        assert events == ["rollback"]
        assert rows(database) == []
        # Nothing else broke: the next request commits as usual.
        assert client.post("/fine").json() == {"ok": True}
    assert events == ["rollback", "commit"]
    assert rows(database) == ["kept"]


def test_teardown_cannot_change_what_the_handler_returned() -> None:
    app = MicroAPI()

    def payload() -> Iterator[dict[str, str]]:
        value = {"state": "as returned"}
        yield value
        value["state"] = "changed by teardown"

    @app.get("/")
    async def handler(value: Annotated[dict[str, str], Depends(payload)]) -> dict[str, str]:
        return value

    with TestClient(app) as client:
        assert client.get("/").json() == {"state": "as returned"}


# --- teardown errors -----------------------------------------------------------------------


class IntegrityError(Exception):
    """A database refusing a write, as drivers raise it."""


def test_a_teardown_that_turns_the_handler_error_into_an_http_exception_is_answered() -> None:
    app = MicroAPI()
    events: list[str] = []

    def transaction() -> Iterator[None]:
        try:
            yield
        except IntegrityError as exc:
            events.append("rolled back")
            raise HTTPException(409, "that name is taken") from exc

    @app.post("/users")
    async def register(_: Annotated[None, Depends(transaction)]) -> None:
        raise IntegrityError("unique constraint failed")

    with TestClient(app) as client:
        response = client.post("/users")
    assert (response.status_code, response.json()) == (409, {"detail": "that name is taken"})
    assert events == ["rolled back"]


def test_a_failing_finally_after_an_http_exception_answers_the_handler_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()
    events: list[str] = []

    def outer() -> Iterator[None]:
        try:
            yield
        finally:
            events.append("outer closed")

    def broken_close() -> Iterator[None]:
        try:
            yield
        finally:
            raise RuntimeError("close failed")

    @app.get("/teapot")
    async def teapot(
        _: Annotated[None, Depends(outer)], __: Annotated[None, Depends(broken_close)]
    ) -> None:
        raise HTTPException(418, "short and stout")

    with caplog.at_level(logging.ERROR, logger="microapi"), TestClient(app) as client:
        response = client.get("/teapot")
        assert client.get("/missing").status_code == 404  # the app goes on
    assert (response.status_code, response.json()) == (418, {"detail": "short and stout"})
    assert events == ["outer closed"]  # every teardown ran
    [record] = error_records(caplog)  # the teardown's error is logged, once
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_a_teardown_failing_after_a_successful_handler_is_a_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()

    def commit_fails() -> Iterator[None]:
        yield
        raise RuntimeError("commit failed")

    @app.get("/")
    async def handler(_: Annotated[None, Depends(commit_fails)]) -> str:
        return "done"

    with caplog.at_level(logging.ERROR, logger="microapi"):
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/").status_code == 500
        with TestClient(app) as client, pytest.raises(RuntimeError, match="commit failed"):
            client.get("/")
    assert len(error_records(caplog)) == 2  # once per request


def test_the_outermost_deliberate_answer_wins_when_several_teardowns_raise() -> None:
    app = MicroAPI()

    def outer() -> Iterator[None]:
        try:
            yield
        except ValueError as exc:  # the handler's error is thrown into every generator
            raise HTTPException(503, "outer decided") from exc

    def inner() -> Iterator[None]:
        try:
            yield
        except ValueError as exc:
            raise HTTPException(409, "inner decided") from exc

    @app.get("/")
    async def handler(
        _: Annotated[None, Depends(outer)], __: Annotated[None, Depends(inner)]
    ) -> None:
        raise ValueError("bad")

    with TestClient(app) as client:
        response = client.get("/")
    assert (response.status_code, response.json()) == (503, {"detail": "outer decided"})


# --- kinds of handlers and dependencies ----------------------------------------------------


class Greeter:
    async def __call__(self, name: str) -> str:
        await asyncio.sleep(0)
        return f"hello {name}"


def logged(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


def test_partials_over_async_callable_objects_and_wrapped_coroutines_are_awaited() -> None:
    app = MicroAPI()

    async def handler(
        greeting: Annotated[str, Depends(functools.partial(Greeter(), "ada"))],
    ) -> str:
        return greeting

    app.add_route("/partial-dependency", handler, ["GET"])
    app.add_route("/partial-handler", functools.partial(Greeter(), "grace"), ["GET"])

    @app.get("/wrapped")
    @logged
    async def wrapped(request: Request) -> str:
        return request.path

    with TestClient(app) as client:
        assert client.get("/partial-dependency").json() == "hello ada"
        assert client.get("/partial-handler").json() == "hello grace"
        assert client.get("/wrapped").json() == "/wrapped"


# --- debug ---------------------------------------------------------------------------------


def test_debug_set_after_construction_takes_effect_and_is_frozen_after_start_up() -> None:
    app = MicroAPI()

    @app.get("/")
    async def crash() -> None:
        raise RuntimeError("secret internals")

    app.debug = True
    assert app.debug is True
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/")
        assert response.status_code == 500
        assert "secret internals" in response.text
        with pytest.raises(AppFrozenError, match="debug"):
            app.debug = False
    assert app.debug is True


# --- logging every 5xx once ----------------------------------------------------------------


def test_a_handler_for_exception_does_not_switch_off_the_traceback_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> Response:
        return Response(b"sorry", status_code=500)

    @app.exception_handler(LookupError)
    async def lookups(request: Request, exc: Exception) -> Response:
        return Response(b"not here", status_code=404)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    @app.get("/lookup")
    async def lookup() -> None:
        raise KeyError("k")

    with caplog.at_level(logging.ERROR, logger="microapi"), TestClient(app) as client:
        assert client.get("/crash").text == "sorry"
        assert client.get("/lookup").status_code == 404
    [record] = error_records(caplog)  # the 5xx, not the 404
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


# --- lifespan off ----------------------------------------------------------------------------


def test_the_not_started_503_goes_through_the_exception_handlers() -> None:
    app = MicroAPI()
    app.on_startup(lambda: None)

    @app.exception_handler(HTTPException)
    async def shaped(request: Request, exc: HTTPException) -> Response:
        return Response(f"shaped {exc.status_code}".encode(), status_code=exc.status_code)

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = http_scope("GET", b"/")
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 503
    assert sent[1]["body"] == b"shaped 503"


# --- the test client -----------------------------------------------------------------------


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
