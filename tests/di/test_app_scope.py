"""The app scope: eager creation in dependency order, teardown in reverse, one at a time."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from microapi_di import Container, Depends, MissingValueError, ScopeStateError


class Config:
    """Stands in for configuration given when the app starts."""

    def __init__(self, url: str) -> None:
        self.url = url


class Engine:
    """Stands in for a connection pool."""


class Repo:
    """Stands in for something built on the engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


def test_services_are_created_in_dependency_order_and_torn_down_in_reverse() -> None:
    events: list[str] = []

    def make_repo(engine: Engine) -> Iterator[Repo]:
        events.append("repo up")
        yield Repo(engine)
        events.append("repo down")

    async def make_engine(config: Config) -> AsyncIterator[Engine]:
        events.append(f"engine up {config.url}")
        yield Engine()
        events.append("engine down")

    container = Container()
    container.register(Repo, make_repo)  # registered first, but needs the engine
    container.register(Engine, make_engine)
    container.provide(Config, scope="app")

    def handler(repo: Repo, engine: Engine) -> bool:
        return repo.engine is engine

    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope({Config: Config("db://")}) as app:
            assert events == ["engine up db://", "repo up"]
            assert await app.run(prepared) is True
            assert await app.run(prepared) is True
            assert events == ["engine up db://", "repo up"]  # created once
        assert events[-2:] == ["repo down", "engine down"]

    asyncio.run(main())


def test_startup_failure_tears_down_what_was_created_and_allows_a_retry() -> None:
    events: list[str] = []
    attempts = [0]

    def make_engine() -> Iterator[Engine]:
        events.append("engine up")
        try:
            yield Engine()
        except RuntimeError as error:
            events.append(f"engine saw {error}")
            raise
        finally:
            events.append("engine down")

    def make_repo(engine: Engine) -> Repo:
        attempts[0] += 1
        if attempts[0] == 1:
            raise RuntimeError("repo failed")
        return Repo(engine)

    container = Container()
    container.register(Engine, make_engine)
    container.register(Repo, make_repo)

    async def main() -> None:
        async with container.app_scope():
            pass

    with pytest.raises(RuntimeError, match="repo failed"):
        asyncio.run(main())
    assert events == ["engine up", "engine down"]  # closed normally, not thrown into
    asyncio.run(main())  # the container can be entered again
    assert events[-2:] == ["engine up", "engine down"]


def test_declared_app_values_must_be_given() -> None:
    container = Container()
    container.provide(Config, scope="app")

    async def main() -> None:
        async with container.app_scope():
            pass

    with pytest.raises(MissingValueError, match=r"without the declared value.*Config"):
        asyncio.run(main())
    assert not container.frozen


def test_declared_request_values_must_be_given_when_needed() -> None:
    container = Container()
    container.provide("request")

    def handler(request: object) -> object:
        return request

    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            with pytest.raises(MissingValueError, match=r"no value for 'request'.*request scope"):
                await app.run(prepared, {"other": 1})
            async with app.request() as scope:
                with pytest.raises(MissingValueError, match="no value for 'request'"):
                    await scope.call(prepared)
            assert await app.run(prepared, {"request": 7}) == 7

    asyncio.run(main())


def test_one_app_scope_at_a_time_and_each_is_entered_once() -> None:
    container = Container()

    async def main() -> None:
        first = container.app_scope()
        async with first:
            with pytest.raises(ScopeStateError, match="already open"):
                async with container.app_scope():
                    pass
        with pytest.raises(ScopeStateError, match="entered only once"):
            async with first:
                pass
        async with container.app_scope():  # a new one after the first closed
            pass

    asyncio.run(main())


def test_a_closed_app_scope_refuses_calls() -> None:
    container = Container()
    prepared = container.prepare(lambda: 1)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == 1
        with pytest.raises(ScopeStateError, match="app scope is closed"):
            await app.run(prepared)
        with pytest.raises(ScopeStateError, match="app scope is closed"):
            await app.call(prepared)
        with pytest.raises(ScopeStateError, match="app scope is closed"):
            async with app.request():
                pass
        never = container.app_scope()
        with pytest.raises(ScopeStateError, match="app scope is new"):
            await never.run(prepared)

    asyncio.run(main())


def test_app_call_runs_dependencies_in_a_unit_torn_down_after_the_call() -> None:
    events: list[str] = []

    def connection() -> Iterator[str]:
        events.append("open")
        yield "conn"
        events.append("close")

    def on_startup(engine: Engine, conn: Annotated[str, Depends(connection)]) -> str:
        events.append("hook")
        return conn

    container = Container()
    container.register(Engine, Engine)
    prepared = container.prepare(on_startup, scope="app")

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.call(prepared) == "conn"
            assert events == ["open", "hook", "close"]

    asyncio.run(main())


def test_exiting_the_app_scope_with_an_error_throws_it_into_services() -> None:
    seen: list[Any] = []

    async def make_engine() -> AsyncIterator[Engine]:
        try:
            yield Engine()
        except KeyError as error:
            seen.append(error)
            raise

    container = Container()
    container.register(Engine, make_engine)

    async def main() -> None:
        async with container.app_scope():
            raise KeyError("shutdown")

    with pytest.raises(KeyError, match="shutdown"):
        asyncio.run(main())
    assert len(seen) == 1
