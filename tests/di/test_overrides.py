"""Overrides replace dependencies and services on prepared callables, and are undone on exit."""

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from microapi_di import (
    Container,
    CyclicDependencyError,
    Depends,
    InvalidDependencyError,
    MissingDependencyError,
    Prepared,
    ScopeViolationError,
)


class Db:
    """Stands in for a database handle."""

    def __init__(self, name: str = "real") -> None:
        self.name = name


def get_db() -> str:
    return "real"


def handler(db: Annotated[str, Depends(get_db)]) -> str:
    return db


def call(container: Container, prepared: Prepared[Any], values: Any = None) -> Any:
    async def main() -> Any:
        async with container.app_scope() as app:
            return await app.run(prepared, values)

    return asyncio.run(main())


def test_override_context_applies_to_prepared_callables_and_is_undone() -> None:
    container = Container()
    prepared = container.prepare(handler)
    assert call(container, prepared) == "real"
    with container.override(get_db, lambda: "fake"):
        assert call(container, prepared) == "fake"
    assert call(container, prepared) == "real"
    assert dict(container.overrides) == {}


def test_overrides_nest_and_restore_the_previous_replacement() -> None:
    container = Container()
    prepared = container.prepare(handler)
    with container.override(get_db, lambda: "outer"):
        with container.override(get_db, lambda: "inner"):
            assert call(container, prepared) == "inner"
        assert call(container, prepared) == "outer"
    assert call(container, prepared) == "real"


def test_the_mapping_form() -> None:
    container = Container()
    prepared = container.prepare(handler)

    def fake() -> str:
        return "mapped"

    container.overrides[get_db] = fake
    assert container.overrides[get_db] is fake
    assert list(container.overrides) == [get_db]
    assert len(container.overrides) == 1
    assert call(container, prepared) == "mapped"
    del container.overrides[get_db]
    assert call(container, prepared) == "real"


def test_a_replacement_may_take_different_parameters() -> None:
    container = Container()
    container.provide("request")
    prepared = container.prepare(handler)

    async def from_request(request: str) -> AsyncIterator[str]:
        yield f"for {request}"

    with container.override(get_db, from_request):
        assert prepared.is_async
        assert call(container, prepared, {"request": "alice"}) == "for alice"
    assert not prepared.is_async


def test_overrides_take_effect_while_the_app_scope_is_open() -> None:
    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == "real"
            with container.override(get_db, lambda: "fake"):
                assert await app.run(prepared) == "fake"
                async with app.request() as scope:
                    assert await scope.call(prepared) == "fake"
            assert await app.run(prepared) == "real"

    asyncio.run(main())


def test_overriding_an_app_service_while_open_builds_it_per_request_then_restores() -> None:
    events: list[str] = []

    def real_db() -> Iterator[Db]:
        events.append("real up")
        yield Db("real")
        events.append("real down")

    def fake_db() -> Iterator[Db]:
        events.append("fake up")
        yield Db("fake")
        events.append("fake down")

    class Repo:
        def __init__(self, db: Db) -> None:
            self.db = db

    def use(repo: Repo, db: Db) -> tuple[str, str]:
        return repo.db.name, db.name

    container = Container()
    container.register(Db, real_db)
    container.register(Repo, Repo)  # an app service built on Db
    prepared = container.prepare(use)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == ("real", "real")
            with container.override(Db, fake_db):
                assert await app.run(prepared) == ("fake", "fake")
                assert events == ["real up", "fake up", "fake down"]
            assert await app.run(prepared) == ("real", "real")
        assert events[-1] == "real down"
        assert events.count("real up") == 1

    asyncio.run(main())


def test_overrides_applied_before_start_up_are_used_to_build_app_services() -> None:
    container = Container()
    container.register(Db, Db)

    def by_type(db: Db) -> str:
        return db.name

    prepared = container.prepare(by_type)
    override = container.override(Db, lambda: Db("fake"))

    async def main() -> None:
        with override:
            app = container.app_scope()
            await app.__aenter__()
            assert await app.run(prepared) == "fake"
        # The override ended while the app runs: requests see the real service again.
        assert await app.run(prepared) == "real"
        await app.__aexit__(None, None, None)

    asyncio.run(main())


def test_an_invalid_replacement_is_refused_when_applied_and_changes_nothing() -> None:
    container = Container()
    prepared = container.prepare(handler)

    def needs_missing(token: int) -> str:
        return "never"

    with pytest.raises(MissingDependencyError) as caught:
        container.overrides[get_db] = needs_missing
    message = str(caught.value)
    assert "override(get_db)" in message
    assert "needs_missing(token: int): nothing provides parameter 'token'" in message
    with pytest.raises(InvalidDependencyError, match=r"override\(get_db\).*not callable"):
        container.overrides[get_db] = "fake"  # type: ignore[assignment]  # the mistake tested
    with (
        pytest.raises(MissingDependencyError),
        container.override(get_db, needs_missing),
    ):
        pass  # pragma: no cover - never entered
    assert dict(container.overrides) == {}
    assert call(container, prepared) == "real"


def test_a_replacement_that_closes_a_cycle_is_refused_when_applied() -> None:
    def wrapper(db: Annotated[str, Depends(get_db)]) -> str:
        return db

    def uses_wrapper(value: Annotated[str, Depends(wrapper)]) -> str:
        return value

    container = Container()
    prepared = container.prepare(wrapper)
    with pytest.raises(CyclicDependencyError) as caught:
        container.overrides[get_db] = uses_wrapper
    message = str(caught.value)
    assert "override(get_db) -> " in message
    assert "uses_wrapper(value: str) -> " in message
    assert "cycle: get_db -> " in message
    assert call(container, prepared) == "real"


def test_a_replacement_invalid_only_in_context_fails_on_the_call_naming_the_chain() -> None:
    class Cache:
        def __init__(self, source: str) -> None:
            self.source = source

    def settings_source() -> str:
        return "file"

    def make_cache(source: Annotated[str, Depends(settings_source)]) -> Cache:
        return Cache(source)

    def needs_request(request: str) -> str:
        return request

    def use(cache: Cache) -> str:
        return cache.source

    container = Container()
    container.provide("request")
    container.register(Cache, make_cache)
    prepared = container.prepare(use)

    async def main() -> None:
        async with container.app_scope() as app:
            # Valid on its own (a request has a request), not inside an app service.
            container.overrides[settings_source] = needs_request
            with pytest.raises(ScopeViolationError) as caught:
                await app.run(prepared, {"request": "r"})
            message = str(caught.value)
            assert re.search(r"\.use\(cache: \S*Cache\) -> ", message), message
            assert "make_cache(source: str) -> " in message
            assert "needs_request(request: str): request-scoped value 'request'" in message
            del container.overrides[settings_source]
            assert await app.run(prepared, {"request": "r"}) == "file"

    asyncio.run(main())


def test_values_and_unknown_targets_are_not_overridable() -> None:
    container = Container()
    container.provide("request")
    with pytest.raises(InvalidDependencyError, match=r"override\('request'\).*not overridable"):
        container.overrides["request"] = lambda: "x"
    with pytest.raises(InvalidDependencyError, match=r"override\('db'\).*nothing to override"):
        container.overrides["db"] = lambda: "x"
    assert len(container.overrides) == 0


def test_overrides_never_leak_into_another_container() -> None:
    first, second = Container(), Container()
    in_first, in_second = first.prepare(handler), second.prepare(handler)
    with first.override(get_db, lambda: "fake"):
        assert call(first, in_first) == "fake"
        assert call(second, in_second) == "real"
    assert len(second.overrides) == 0
