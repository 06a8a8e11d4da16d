"""The synchronous scopes, for graphs without coroutines."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest
from microapi_di import AsyncInSyncScopeError, Container, Depends, Prepared, SyncScope


class Db:
    """Stands in for a database handle."""


def fail_inside(scope: SyncScope, prepared: Prepared[str]) -> None:
    with scope:
        scope.call(prepared)
        raise ValueError("bad row")


def test_sync_scopes_resolve_cache_and_tear_down() -> None:
    events: list[str] = []

    def make_db() -> Iterator[Db]:
        events.append("db up")
        yield Db()
        events.append("db down")

    def unit_of_work(db: Db) -> Iterator[str]:
        events.append("begin")
        try:
            yield "uow"
        except ValueError:
            events.append("rollback")
            raise
        events.append("commit")

    def handler(job: str, uow: Annotated[str, Depends(unit_of_work)]) -> str:
        return f"{job} in {uow}"

    container = Container()
    container.register(Db, make_db)
    container.provide("job")
    prepared = container.prepare(handler)
    assert not prepared.is_async
    with container.sync_app_scope() as app:
        assert app.run(prepared, {"job": "import"}) == "import in uow"
        with app.request({"job": "export"}) as scope:
            assert scope.call(prepared) == "export in uow"
            assert scope.call(prepared) == "export in uow"
        with pytest.raises(ValueError, match="bad row"):
            fail_inside(app.request({"job": "x"}), prepared)
        assert app.call(container.prepare(lambda: 3)) == 3
    assert events == [
        "db up",
        "begin",
        "commit",
        "begin",
        "commit",
        "begin",
        "rollback",
        "db down",
    ]


def test_a_coroutine_handler_is_refused_naming_it() -> None:
    async def handler() -> int:
        return 1

    container = Container()
    prepared = container.prepare(handler)
    with container.sync_app_scope() as app:
        with pytest.raises(AsyncInSyncScopeError, match=r"handler is a coroutine function"):
            app.run(prepared)
        assert app.run(container.prepare(lambda: 2)) == 2


def test_an_async_dependency_is_refused_naming_the_chain() -> None:
    async def get_db() -> AsyncIterator[Db]:
        yield Db()

    def repo(db: Annotated[Db, Depends(get_db)]) -> Db:
        return db

    def handler(r: Annotated[Db, Depends(repo)]) -> Db:
        return r

    container = Container()
    prepared = container.prepare(handler)
    assert prepared.is_async
    with container.sync_app_scope() as app:
        with pytest.raises(AsyncInSyncScopeError) as caught:
            app.run(prepared)
        message = str(caught.value)
        assert "handler(r) -> " in message
        assert "repo(db): " in message
        assert "get_db is an async generator, which needs an event loop" in message
        with pytest.raises(AsyncInSyncScopeError), app.request() as scope:
            scope.call(prepared)


def test_an_async_app_service_refuses_the_sync_app_scope_without_freezing() -> None:
    async def make_db() -> Db:
        return Db()

    container = Container()
    container.register(Db, make_db)
    with pytest.raises(AsyncInSyncScopeError, match=r"service Db: \S*make_db is a coroutine"):
        container.sync_app_scope().__enter__()
    assert not container.frozen
    container.register(str, lambda: "still open")
