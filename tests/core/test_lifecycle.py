"""Lifespan, services, background tasks and overrides, in their exact order."""

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from microapi import BackgroundTasks, Depends, MicroAPI, Request, Response
from microapi.testing import StartupFailed, TestClient
from microapi.types import Message
from microapi_di import CyclicDependencyError, FrozenContainerError, ScopeViolationError

from tests.asgi import http_scope


class Database:
    def __init__(self, events: list[str]) -> None:
        self.events = events


class Cache:
    def __init__(self, db: Database) -> None:
        self.db = db


class Session:
    pass


class A:
    def __init__(self, b: "B") -> None: ...


class B:
    def __init__(self, a: A) -> None: ...


def lifecycle_app(events: list[str]) -> MicroAPI:
    app = MicroAPI()

    async def make_db() -> AsyncIterator[Database]:
        events.append("db created")
        yield Database(events)
        events.append("db torn down")

    def make_cache(db: Database) -> Iterator[Cache]:
        events.append("cache created")
        yield Cache(db)
        events.append("cache torn down")

    def make_session() -> Iterator[Session]:
        events.append("session opened")
        yield Session()
        events.append("session closed")

    # Registered out of dependency order on purpose.
    app.registry.register(Cache, make_cache, scope="app")
    app.registry.register(Database, make_db, scope="app")
    app.registry.register(Session, make_session, scope="request")

    @app.on_startup
    async def first(db: Database) -> None:
        events.append(f"startup 1 (db={type(db).__name__})")

    @app.on_startup
    def second() -> None:
        events.append("startup 2")

    @app.on_shutdown
    def third() -> None:
        events.append("shutdown hook a")

    @app.on_shutdown
    async def fourth() -> None:
        events.append("shutdown hook b")

    def task(name: str) -> None:
        events.append(f"task {name}")

    @app.get("/")
    async def handler(cache: Cache, session: Session, tasks: BackgroundTasks) -> str:
        events.append("handler")
        tasks.add(task, "one")
        tasks.add(task, name="two")
        return "ok"

    return app


def test_lifespan_services_and_hooks_in_exact_order() -> None:
    events: list[str] = []
    with TestClient(lifecycle_app(events)) as client:
        assert events == [
            "db created",
            "cache created",
            "startup 1 (db=Database)",
            "startup 2",
        ]
        events.clear()
        assert client.get("/").json() == "ok"
        assert events == [
            "session opened",
            "handler",
            "session closed",
            "task one",
            "task two",
        ]
        events.clear()
    assert events == ["shutdown hook b", "shutdown hook a", "cache torn down", "db torn down"]


def test_background_tasks_run_after_the_body_is_sent_and_teardown_is_done() -> None:
    events: list[str] = []
    app = MicroAPI()

    def dep() -> Iterator[None]:
        yield
        events.append("teardown")

    async def task() -> None:
        events.append("task")

    @app.get("/")
    async def handler(tasks: BackgroundTasks, _: None = Depends(dep)) -> str:
        tasks.add(task)
        return "x"

    scope = http_scope("GET", b"/")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        events.append(message["type"])

    async def run() -> None:
        await app.startup()
        await app(scope, receive, send)
        await app.shutdown()

    asyncio.run(run())
    assert events == ["teardown", "http.response.start", "http.response.body", "task"]


def test_failing_task_is_logged_and_later_tasks_still_run(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []
    app = MicroAPI()

    def broken() -> None:
        raise RuntimeError("task exploded")

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(broken)
        tasks.add(done.append, "after")
        return "response unaffected"

    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        assert client.get("/").json() == "response unaffected"
        assert client.get("/").status_code == 200
    assert done == ["after", "after"]
    assert "task exploded" in caplog.text
    assert "broken" in caplog.text


def test_slow_sync_task_does_not_block_other_requests() -> None:
    app = MicroAPI()
    release = threading.Event()

    @app.get("/slow")
    async def slow(tasks: BackgroundTasks) -> str:
        tasks.add(release.wait, 5)
        return "slow"

    @app.get("/fast")
    async def fast() -> str:
        return "fast"

    from microapi.testing import AsyncTestClient

    async def run() -> float:
        async with AsyncTestClient(app) as client:
            slow_request = asyncio.create_task(client.get("/slow"))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            assert (await client.get("/fast")).json() == "fast"
            elapsed = time.perf_counter() - started
            release.set()
            await slow_request
            return elapsed

    assert asyncio.run(run()) < 2.0  # the sync task holds its thread for up to 5 s


def test_start_up_failure_tears_down_what_was_created() -> None:
    events: list[str] = []
    app = lifecycle_app(events)

    @app.on_startup
    def fails() -> None:
        raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way") as info, TestClient(app):
        pass
    assert not isinstance(info.value, StartupFailed)  # the hook's own exception
    assert events[-2:] == ["cache torn down", "db torn down"]
    assert "shutdown hook a" not in events


def test_shutdown_failure_still_tears_everything_down() -> None:
    events: list[str] = []
    app = lifecycle_app(events)

    @app.on_shutdown
    def fails() -> None:
        raise RuntimeError("bad shutdown")

    with pytest.raises(RuntimeError, match="bad shutdown"), TestClient(app):
        pass
    assert events[-4:] == ["shutdown hook b", "shutdown hook a", "cache torn down", "db torn down"]


def test_frozen_after_start_up() -> None:
    app = MicroAPI()
    with TestClient(app):
        for action in (
            lambda: app.get("/x")(lambda: None),
            lambda: app.on_startup(lambda: None),
            lambda: app.on_shutdown(lambda: None),
            lambda: app.add_middleware(lambda r, c: c(r)),
        ):
            with pytest.raises(RuntimeError, match="already started"):
                action()
        with pytest.raises(FrozenContainerError, match="Database"):
            app.registry.register(Database, lambda: Database([]), scope="app")


def test_overrides_replace_dependencies_and_services_and_are_undone() -> None:
    app = MicroAPI()
    app.registry.register(Database, lambda: Database(["real"]), scope="app")

    def current_user() -> str:
        return "alice"

    @app.get("/")
    async def handler(db: Database, user: str = Depends(current_user)) -> list[str]:
        return [*db.events, user]

    with TestClient(app) as client:
        assert client.get("/").json() == ["real", "alice"]
        with app.override(current_user, lambda: "mallory"):
            assert client.get("/").json() == ["real", "mallory"]
        app.dependency_overrides[current_user] = lambda: "bob"
        assert client.get("/").json() == ["real", "bob"]
        del app.dependency_overrides[current_user]
        assert client.get("/").json() == ["real", "alice"]


def test_service_override_before_start_up() -> None:
    app = MicroAPI()
    app.registry.register(Database, lambda: Database(["real"]), scope="app")

    @app.get("/")
    async def handler(db: Database) -> list[str]:
        return db.events

    with app.override(Database, lambda: Database(["fake"])), TestClient(app) as client:
        assert client.get("/").json() == ["fake"]


def test_two_apps_share_nothing() -> None:
    first, second = MicroAPI(), MicroAPI()
    first.registry.register(Database, lambda: Database(["first"]), scope="app")
    second.registry.register(Database, lambda: Database(["second"]), scope="app")

    def who() -> str:
        return "original"

    @first.get("/only-first")
    async def only_first(db: Database, name: str = Depends(who)) -> list[str]:
        return [*db.events, name]

    @second.get("/only-second")
    async def only_second(db: Database, name: str = Depends(who)) -> list[str]:
        return [*db.events, name]

    first.dependency_overrides[who] = lambda: "overridden"
    with TestClient(first) as a, TestClient(second) as b:
        assert a.get("/only-first").json() == ["first", "overridden"]
        assert b.get("/only-second").json() == ["second", "original"]
        assert a.get("/only-second").status_code == 404
        assert b.get("/only-first").status_code == 404


def test_concurrent_requests_never_see_each_others_request_scoped_values() -> None:
    app = MicroAPI()

    class Token:
        def __init__(self, request: Request) -> None:
            self.value = request.query_params["n"]

    app.registry.register(Token, Token, scope="request")

    @app.get("/")
    async def handler(token: Token, request: Request) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"token": token.value, "query": request.query_params["n"]}

    from microapi.testing import AsyncTestClient

    async def run() -> list[dict[str, Any]]:
        async with AsyncTestClient(app) as client:
            responses = await asyncio.gather(*(client.get(f"/?n={i}") for i in range(500)))
        return [r.json() for r in responses]

    results = asyncio.run(run())
    assert results == [{"token": str(i), "query": str(i)} for i in range(500)]


def test_custom_response_passes_through_middleware_with_tasks() -> None:
    ran: list[str] = []
    app = MicroAPI()

    @app.add_middleware
    async def replace(request: Request, call_next: Any) -> Response:
        await call_next(request)
        return Response(b"replaced")

    @app.get("/")
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add(ran.append, "task")
        return "x"

    with TestClient(app) as client:
        assert client.get("/").content == b"replaced"
    assert ran == ["task"]


def test_lifespan_context_manager_wraps_the_hooks() -> None:
    from contextlib import asynccontextmanager

    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: MicroAPI) -> AsyncIterator[None]:
        events.append(f"enter {app.state}")
        yield
        events.append("exit")

    app = MicroAPI(lifespan=lifespan)
    app.on_startup(lambda: events.append("startup hook"))
    app.on_shutdown(lambda: events.append("shutdown hook"))
    with TestClient(app):
        pass
    assert events == ["startup hook", "enter starting", "exit", "shutdown hook"]


def test_scope_violation_names_the_chain_at_registration_or_start_up() -> None:
    app = MicroAPI()

    class Pool:
        def __init__(self, session: Session) -> None: ...

    app.registry.register(Session, Session, scope="request")
    with pytest.raises(ScopeViolationError, match=r"Pool.*Session") as info:
        app.registry.register(Pool, Pool, scope="app")
    assert "scope" in str(info.value)
    with TestClient(app) as client:  # the refused service left the app intact
        assert client.get("/missing").status_code == 404


def test_cycle_names_the_chain() -> None:
    app = MicroAPI()
    app.registry.register(A, A, scope="app")
    with pytest.raises(CyclicDependencyError, match=r"\bA\b.*\bB\b.*\bA\b|\bB\b.*\bA\b.*\bB\b"):
        app.registry.register(B, B, scope="app")
