"""What handlers receive: the request, dependencies with teardown, sync handlers."""

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest
from microapi import Depends, HTTPException, MicroAPI, Request
from microapi.testing import TestClient


def test_request_by_name_or_by_annotation() -> None:
    app = MicroAPI()

    @app.get("/by-name")
    async def by_name(request) -> str:  # type: ignore[no-untyped-def]
        return str(request.path)

    @app.get("/by-type")
    async def by_type(req: Request) -> str:
        return req.path

    with TestClient(app) as client:
        assert client.get("/by-name").json() == "/by-name"
        assert client.get("/by-type").json() == "/by-type"


def test_dependency_chain_with_teardown_around_the_handler() -> None:
    events: list[str] = []
    app = MicroAPI()

    async def get_db() -> AsyncIterator[str]:
        events.append("db open")
        try:
            yield "db"
        except HTTPException:
            events.append("db rollback")
            raise
        else:
            events.append("db commit")
        finally:
            events.append("db close")

    def get_user(request: Request, db: Annotated[str, Depends(get_db)]) -> str:
        return f"user of {db} at {request.path}"

    def get_repo(db: str = Depends(get_db), user: str = Depends(get_user)) -> str:
        events.append("repo")
        return f"repo({db}, {user})"

    @app.get("/ok")
    async def ok(repo: str = Depends(get_repo)) -> str:
        events.append("handler")
        return repo

    @app.get("/fail")
    async def fail(repo: str = Depends(get_repo)) -> str:
        raise HTTPException(409, "conflict")

    with TestClient(app) as client:
        assert client.get("/ok").json() == "repo(db, user of db at /ok)"
        assert events == ["db open", "repo", "handler", "db commit", "db close"]
        events.clear()
        assert client.get("/fail").status_code == 409
        assert events == ["db open", "repo", "db rollback", "db close"]


def test_failed_teardown_turns_into_500() -> None:
    app = MicroAPI()

    def commit() -> Iterator[None]:
        yield
        raise RuntimeError("commit failed")

    @app.post("/write")
    async def write(_: None = Depends(commit)) -> str:
        return "written"

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/write").status_code == 500


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


def test_unresolvable_parameter_fails_start_up_naming_it() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler(mystery: int) -> None: ...

    with pytest.raises(Exception, match="mystery") as info, TestClient(app):
        pass
    assert "handler" in str(info.value)


def test_changes_after_start_up_raise() -> None:
    app = MicroAPI()
    with TestClient(app):
        with pytest.raises(RuntimeError, match="already started"):
            app.add_route("/late", lambda: None, ["GET"])
        with pytest.raises(RuntimeError, match="already started"):
            app.add_middleware(lambda r, c: c(r))


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
