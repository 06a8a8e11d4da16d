"""The lifecycle: services and hooks started and stopped in exact order, failures, restarts."""

from collections.abc import AsyncIterator, Iterator

import pytest
from microapi import BackgroundTasks, MicroAPI
from microapi.exceptions import AppFrozenError
from microapi.testing import StartupFailed, TestClient

from tests.core.services import Database, Session


class Cache:
    def __init__(self, db: Database) -> None:
        self.db = db


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


def test_a_lifespan_set_after_construction_is_entered_and_refused_once_started() -> None:
    from contextlib import asynccontextmanager

    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: MicroAPI) -> AsyncIterator[None]:
        events.append("enter")
        yield
        events.append("exit")

    app = MicroAPI()
    assert app.lifespan is None
    assert not app.needs_startup
    app.lifespan = lifespan
    assert app.lifespan is lifespan
    assert app.needs_startup
    with TestClient(app):
        assert events == ["enter"]
        with pytest.raises(AppFrozenError, match="cannot set lifespan"):
            app.lifespan = None
    assert events == ["enter", "exit"]


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


def test_unresolvable_parameter_fails_start_up_naming_it() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler(mystery: int) -> None: ...

    with pytest.raises(Exception, match="mystery") as info, TestClient(app):
        pass
    assert "handler" in str(info.value)
