"""Every graph error is raised when preparing, names the function, parameter and chain, and
leaves the container usable."""

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from microapi_di import (
    Container,
    CyclicDependencyError,
    Depends,
    DIError,
    InvalidDependencyError,
    MissingDependencyError,
    ResolutionError,
    ScopeViolationError,
)


class Session:
    """Stands in for a database session."""


class Settings:
    """Stands in for app configuration."""


class Cache:
    """Stands in for an app-wide cache."""


def still_works(container: Container, values: dict[Any, Any] | None = None) -> None:
    """The container accepts registrations and runs a valid callable after an error."""

    class Fresh:
        """A key no test registered."""

    def healthy(settings: Annotated[Settings, Depends(Settings)]) -> Settings:
        return settings

    if not container.frozen:
        container.register(Fresh, Fresh)
    prepared = container.prepare(healthy)

    async def main() -> Any:
        async with container.app_scope(values) as app:
            return await app.run(prepared)

    assert isinstance(asyncio.run(main()), Settings)


def test_error_hierarchy() -> None:
    for error in (
        MissingDependencyError,
        CyclicDependencyError,
        ScopeViolationError,
        InvalidDependencyError,
    ):
        assert issubclass(error, ResolutionError)
    assert issubclass(ResolutionError, DIError)
    assert issubclass(DIError, Exception)


def test_missing_parameter_names_the_chain() -> None:
    def get_db(session: Session) -> Session:
        return session

    def handler(db: Annotated[Session, Depends(get_db)]) -> Session:
        return db

    container = Container()
    with pytest.raises(MissingDependencyError) as caught:
        container.prepare(handler)
    message = str(caught.value)
    assert re.search(
        r"handler\(db: Session\) -> .*get_db\(session: Session\): "
        r"nothing provides parameter 'session'",
        message,
    ), message
    assert caught.value.chain[0].endswith("handler(db: Session)")
    still_works(container)


def test_missing_parameter_of_a_service_factory_is_found_when_preparing() -> None:
    def make_session(url: str) -> Session:
        return Session()

    def handler(session: Session) -> Session:
        return session

    container = Container()
    container.register(Session, make_session, scope="request")  # url may come later
    with pytest.raises(MissingDependencyError, match=r"handler\(session: Session\) -> "):
        container.prepare(handler)
    with pytest.raises(MissingDependencyError, match=r"make_session\(url: str\).*'url'"):
        container.prepare(handler)
    container.provide("url")
    assert container.prepare(handler).fn is handler
    still_works(container)


def test_missing_parameter_of_a_service_is_found_when_the_app_scope_is_entered() -> None:
    def make_cache(size: int) -> Cache:
        return Cache()

    container = Container()
    container.register(Cache, make_cache)

    async def main() -> None:
        async with container.app_scope():
            pass

    with pytest.raises(MissingDependencyError, match=r"service Cache -> .*make_cache\(size: int\)"):
        asyncio.run(main())
    assert not container.frozen
    container.provide("size", scope="app")
    still_works(container, {"size": 3})


def test_cycle_between_dependencies_names_it() -> None:
    def first(value: int = Depends(lambda: 0)) -> int:
        return value

    def second(value: Annotated[int, Depends(first)]) -> int:
        return value

    def third(value: Annotated[int, Depends(second)]) -> int:
        return value

    # Close the loop after the fact: first now depends on third.
    first.__defaults__ = (Depends(third),)

    def handler(value: Annotated[int, Depends(first)]) -> int:
        return value

    container = Container()
    with pytest.raises(CyclicDependencyError) as caught:
        container.prepare(handler)
    message = str(caught.value)
    assert "handler(value: int)" in message
    assert re.search(r"cycle: \S*first -> \S*third -> \S*second -> \S*first", message), message
    still_works(container)


def test_a_dependency_that_needs_itself_without_caching_is_still_a_cycle() -> None:
    def looping(value: int = 0) -> int:
        return value

    looping.__defaults__ = (Depends(looping, use_cache=False),)
    container = Container()
    with pytest.raises(CyclicDependencyError, match=r"looping\(value: int\).*cycle"):
        container.prepare(looping)
    still_works(container)


def test_cycle_between_services_is_refused_at_registration() -> None:
    def make_session(cache: Cache) -> Session:
        return Session()

    def make_cache(session: Session) -> Cache:
        return Cache()

    container = Container()
    container.register(Session, make_session)
    with pytest.raises(CyclicDependencyError) as caught:
        container.register(Cache, make_cache)
    message = str(caught.value)
    assert "make_cache(session: Session)" in message
    assert "make_session(cache: Cache)" in message
    assert "cycle: Cache -> Session -> Cache" in message
    assert [info.key for info in container.services()] == [Session]
    container.register(Cache, Cache)
    still_works(container)


def test_app_service_needing_a_request_service_is_refused_at_registration() -> None:
    def make_cache(session: Session) -> Cache:
        return Cache()

    container = Container()
    container.register(Session, Session, scope="request")
    with pytest.raises(ScopeViolationError) as caught:
        container.register(Cache, make_cache, scope="app")
    message = str(caught.value)
    assert "make_cache(session: Session)" in message
    assert "request-scoped service Session cannot be used from the app scope" in message
    assert [info.key for info in container.services()] == [Session]
    still_works(container)


def test_app_service_needing_a_request_value_through_a_dependency() -> None:
    def current_user(request: object) -> str:
        return "user"

    def make_cache(user: Annotated[str, Depends(current_user)]) -> Cache:
        return Cache()

    container = Container()
    container.provide("request")
    with pytest.raises(ScopeViolationError) as caught:
        container.register(Cache, make_cache)
    message = str(caught.value)
    assert "make_cache(user: str) -> " in message
    assert "current_user(request: object)" in message
    assert "request-scoped value 'request'" in message
    still_works(container)


def test_scope_violation_registered_in_the_other_order_is_refused_at_registration() -> None:
    def make_cache(session: Session) -> Cache:
        return Cache()

    container = Container()
    container.register(Cache, make_cache)  # Session is unknown yet: allowed for now
    with pytest.raises(ScopeViolationError, match=r"make_cache\(session: Session\)"):
        container.register(Session, Session, scope="request")
    assert [s.key for s in container.services()] == [Cache]  # the refused one is not kept
    container.register(Session, Session, scope="app")

    async def main() -> None:
        async with container.app_scope():
            pass

    asyncio.run(main())  # with Session app-scoped the graph is valid


def test_prepare_for_the_app_scope_refuses_request_needs() -> None:
    def on_startup(request: object) -> None:
        return None

    container = Container()
    container.provide("request")
    with pytest.raises(ScopeViolationError, match=r"on_startup\(request: object\).*request-scoped"):
        container.prepare(on_startup, scope="app")
    assert container.prepare(on_startup).scope == "request"
    still_works(container)


def test_calling_at_app_scope_refuses_request_needs() -> None:
    def hook(request: object) -> None:
        return None

    container = Container()
    container.provide("request")
    container.register(Settings, Settings)
    prepared = container.prepare(hook)

    async def main() -> None:
        async with container.app_scope() as app:
            with pytest.raises(ScopeViolationError, match=r"hook\(request: object\)"):
                await app.call(prepared)
            assert isinstance(await app.call(container.prepare(Settings)), Settings)

    asyncio.run(main())


def test_depends_on_something_not_callable() -> None:
    def handler(value: Annotated[int, Depends(42)]) -> int:  # metadata is not type-checked
        return value

    container = Container()
    with pytest.raises(InvalidDependencyError) as caught:
        container.prepare(handler)
    assert "handler(value: int): Depends(42) is not callable" in str(caught.value)
    still_works(container)


def test_depends_on_an_unhashable_callable() -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]  # the mistake tested

        def __call__(self) -> int:
            return 1

    def handler(value: Annotated[int, Depends(Unhashable())]) -> int:
        return value

    container = Container()
    with pytest.raises(InvalidDependencyError, match=r"handler\(value: int\).*hashable"):
        container.prepare(handler)
    still_works(container)


def test_callable_without_a_readable_signature() -> None:
    class Unreadable:
        __signature__ = "not a signature"

        def __call__(self) -> int:
            return 1

    def handler(value: Annotated[int, Depends(Unreadable())]) -> int:
        return value

    container = Container()
    with pytest.raises(InvalidDependencyError) as caught:
        container.prepare(handler)
    message = str(caught.value)
    assert "handler(value: int) -> " in message
    assert "Unreadable instance: cannot read its signature" in message
    still_works(container)


def test_preparing_something_not_callable() -> None:
    container = Container()
    with pytest.raises(InvalidDependencyError, match="not callable"):
        container.prepare("handler")  # type: ignore[call-overload]  # the mistake tested
    still_works(container)


def test_unevaluable_string_annotation_names_the_parameter() -> None:
    def handler(value: "Undefined") -> int:  # type: ignore[name-defined]  # noqa: F821
        return 0

    container = Container()
    with pytest.raises(MissingDependencyError, match=r"handler\(value: Undefined\).*'Undefined'"):
        container.prepare(handler)
    still_works(container)


def test_unevaluable_string_annotation_finds_a_registered_type_of_that_name() -> None:
    class Clock:  # local: its name cannot be evaluated in the module
        pass

    def handler(clock: "Clock", request: "UnknownType") -> tuple[object, object]:  # type: ignore[name-defined]  # noqa: F821
        return clock, request

    container = Container()
    container.register(Clock, Clock)
    container.provide("request")
    prepared = container.prepare(handler)
    with container.sync_app_scope() as app, app.request({"request": "r"}) as scope:
        clock, request = scope.call(prepared)
    assert isinstance(clock, Clock)
    assert request == "r"  # an unevaluable annotation falls back to the parameter's name


def test_an_error_raised_by_a_generator_before_yielding_propagates() -> None:
    async def broken() -> AsyncIterator[int]:
        raise LookupError("no connection")
        yield 1  # pragma: no cover

    def handler(value: Annotated[int, Depends(broken)]) -> int:
        return value

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            with pytest.raises(LookupError, match="no connection"):
                await app.run(prepared)

    asyncio.run(main())
    still_works(container)
