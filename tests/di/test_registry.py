"""Registering services and declaring values; the registry freezes with the app scope."""

import asyncio

import pytest
from microapi_di import (
    Container,
    FrozenContainerError,
    InvalidDependencyError,
    RegistrationError,
    ServiceInfo,
)


class Db:
    """Stands in for a database handle."""


class Cache:
    """Stands in for a cache."""


def make_db() -> Db:
    return Db()


def test_services_are_listed_in_registration_order() -> None:
    container = Container()
    container.register(Db, make_db)
    container.register(Cache, Cache, scope="request")
    container.register("name", lambda: "x")
    assert container.services() == [
        ServiceInfo(Db, make_db, "app"),
        ServiceInfo(Cache, Cache, "request"),
        ServiceInfo("name", container.services()[2].factory, "app"),
    ]


def test_unknown_scope_is_refused() -> None:
    container = Container()
    with pytest.raises(RegistrationError, match=r"unknown scope 'session'.*'app', 'request'"):
        container.register(Db, make_db, scope="session")
    with pytest.raises(RegistrationError, match="unknown scope 'global'"):
        container.provide("request", scope="global")
    with pytest.raises(RegistrationError, match="unknown scope 'nope'"):
        container.prepare(make_db, scope="nope")
    assert container.services() == []
    container.register(Db, make_db)
    assert [info.key for info in container.services()] == [Db]


def test_registering_a_key_twice_is_refused() -> None:
    container = Container()
    container.register(Db, make_db)
    with pytest.raises(RegistrationError, match=r"register\(Db\): already registered"):
        container.register(Db, Db)
    assert container.services()[0].factory is make_db


def test_a_key_is_either_a_service_or_a_provided_value() -> None:
    container = Container()
    container.provide(Db)
    with pytest.raises(RegistrationError, match=r"register\(Db\): declared as a provided value"):
        container.register(Db, make_db)
    container.register(Cache, Cache)
    with pytest.raises(RegistrationError, match=r"provide\(Cache\): already registered"):
        container.provide(Cache)
    assert [info.key for info in container.services()] == [Cache]


def test_providing_the_same_value_twice_is_fine_in_the_same_scope_only() -> None:
    container = Container()
    container.provide("request")
    container.provide("request")
    with pytest.raises(RegistrationError, match=r"provide\('request'\).*request scope"):
        container.provide("request", scope="app")


def test_factory_must_be_callable_and_key_hashable() -> None:
    container = Container()
    with pytest.raises(InvalidDependencyError, match=r"register\(Db\).*not callable"):
        container.register(Db, "make_db")  # type: ignore[arg-type]  # the mistake tested
    with pytest.raises(RegistrationError, match="must be hashable"):
        container.register(["Db"], make_db)  # type: ignore[arg-type]  # the mistake tested
    with pytest.raises(RegistrationError, match="must be hashable"):
        container.provide({"x": 1})  # type: ignore[arg-type]  # the mistake tested
    container.register(Db, make_db)
    assert len(container.services()) == 1


def test_registering_after_the_app_scope_started_raises() -> None:
    container = Container()
    container.register(Db, make_db)

    async def main() -> None:
        async with container.app_scope():
            assert container.frozen
            with pytest.raises(FrozenContainerError, match="cannot register Cache"):
                container.register(Cache, Cache)
            with pytest.raises(FrozenContainerError, match="cannot provide 'x'"):
                container.provide("x")

    assert not container.frozen
    asyncio.run(main())
    assert container.frozen  # stays frozen after exit
    with pytest.raises(FrozenContainerError):
        container.register(Cache, Cache)
    assert [info.key for info in container.services()] == [Db]
