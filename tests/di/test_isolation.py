"""Two containers share nothing."""

import asyncio

import pytest
from microapi_di import Container, ScopeStateError


class Db:
    """Stands in for a database handle."""


def test_two_containers_have_their_own_services_values_and_scopes() -> None:
    first, second = Container(), Container()
    first.register(Db, Db)
    second.provide("request")
    assert [info.key for info in first.services()] == [Db]
    assert second.services() == []

    def use(db: Db) -> Db:
        return db

    prepared = first.prepare(use)

    async def main() -> None:
        async with first.app_scope() as app, second.app_scope():  # both open at once
            assert isinstance(await app.run(prepared), Db)
        assert first.frozen
        assert second.frozen

    asyncio.run(main())
    third = Container()
    assert not third.frozen


def test_a_prepared_callable_belongs_to_its_container() -> None:
    first, second = Container(), Container()
    prepared = first.prepare(lambda: 1)

    async def main() -> None:
        async with second.app_scope() as app:
            with pytest.raises(ScopeStateError, match="prepared by another container"):
                await app.run(prepared)
            with pytest.raises(ScopeStateError, match="prepared by another container"):
                async with app.request() as scope:
                    await scope.call(prepared)
            assert await app.run(second.prepare(lambda: 2)) == 2

    asyncio.run(main())


def test_a_request_scope_must_be_entered_and_is_entered_once() -> None:
    container = Container()
    prepared = container.prepare(lambda: 1)

    async def main() -> None:
        async with container.app_scope() as app:
            scope = app.request()
            with pytest.raises(ScopeStateError, match="scope is new"):
                await scope.call(prepared)
            async with scope:
                assert await scope.call(prepared) == 1
            with pytest.raises(ScopeStateError, match="scope is closed"):
                await scope.call(prepared)
            with pytest.raises(ScopeStateError, match="entered only once"):
                async with scope:
                    pass

    asyncio.run(main())
