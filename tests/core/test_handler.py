"""A handler's result as its response: sync and async callables, the response built inside the
request scope.
"""

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from microapi import Depends, MicroAPI, Request
from microapi.testing import TestClient


def test_sync_handlers_run_off_the_event_loop() -> None:
    app = MicroAPI()
    loop_thread: list[int] = []

    @app.get("/sync")
    def sync_handler(request: Request) -> dict[str, bool]:
        return {"same_thread": threading.get_ident() in loop_thread}

    @app.get("/async")
    async def async_handler() -> None:
        loop_thread.append(threading.get_ident())

    with TestClient(app) as client:
        client.get("/async")
        assert client.get("/sync").json() == {"same_thread": False}


def test_callable_object_handlers_sync_and_async() -> None:
    class AsyncHandler:
        async def __call__(self, request: Request) -> str:
            return f"async {request.path}"

    class SyncHandler:
        def __call__(self, request: Request) -> str:
            return f"sync {request.path}"

    app = MicroAPI()
    app.add_route("/a", AsyncHandler(), ["GET"])
    app.add_route("/s", SyncHandler(), ["GET"])
    assert "AsyncHandler" in repr(app.router.routes()[0].payload)
    with TestClient(app) as client:
        assert client.get("/a").json() == "async /a"
        assert client.get("/s").json() == "sync /s"


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
