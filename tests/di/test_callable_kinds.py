"""What kind a callable is, read through partials, wrappers and callable objects at prepare time."""

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import pytest
from microapi_di import CallKind, Container, Depends, call_kind


class AsyncCallable:
    async def __call__(self, base: int) -> int:
        await asyncio.sleep(0)
        return base + 1


class GeneratorCallable:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def __call__(self, name: str) -> Iterator[str]:
        self.events.append(f"open {name}")
        yield name
        self.events.append(f"close {name}")


async def double(value: int) -> int:
    return value * 2


def logged(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A decorator as users write them: a plain wrapper returning the target's awaitable."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def managed() -> Iterator[int]:
    yield 1


async def agen() -> AsyncIterator[int]:
    yield 1


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (functools.partial(AsyncCallable(), 1), CallKind.CORO),
        (functools.partial(functools.partial(double), 2), CallKind.CORO),
        (functools.partial(GeneratorCallable([]), "x"), CallKind.GEN),
        (logged(double), CallKind.CORO),
        (logged(logged(double)), CallKind.CORO),
        (AsyncCallable(), CallKind.CORO),
        (functools.partial(agen), CallKind.AGEN),
        (managed, CallKind.SYNC),  # returns a context manager, not a generator
        (AsyncCallable, CallKind.SYNC),  # calling a class makes an instance
        (len, CallKind.SYNC),
    ],
)
def test_the_kind_is_read_through_partials_wrappers_and_objects(
    call: Callable[..., Any], kind: CallKind
) -> None:
    assert call_kind(call) is kind


def test_a_partial_over_an_async_callable_object_gives_its_awaited_value() -> None:
    def handler(value: Annotated[int, Depends(functools.partial(AsyncCallable(), 41))]) -> int:
        return value

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> int:
        async with container.app_scope() as app:
            return await app.run(prepared)

    assert asyncio.run(main()) == 42


def test_a_partial_over_a_generator_callable_object_is_set_up_and_torn_down() -> None:
    events: list[str] = []
    dependency = functools.partial(GeneratorCallable(events), "db")

    def handler(session: Annotated[str, Depends(dependency)]) -> str:
        events.append(f"use {session}")
        return session

    container = Container()
    prepared = container.prepare(handler)
    with container.sync_app_scope() as app, app.request() as scope:
        assert scope.call(prepared) == "db"
    assert events == ["open db", "use db", "close db"]


def test_a_wrapped_coroutine_function_is_awaited_as_the_root() -> None:
    async def root(value: Annotated[int, Depends(functools.partial(double, 5))]) -> int:
        return value

    container = Container()
    prepared = container.prepare(logged(root))

    async def main() -> int:
        async with container.app_scope() as app:
            return await app.run(prepared)

    assert asyncio.run(main()) == 10


def test_a_wrapped_coroutine_dependency_resolves_its_own_parameters() -> None:
    def three() -> int:
        return 3

    @logged
    async def tripled(base: Annotated[int, Depends(three)]) -> int:
        return base * 3

    async def handler(value: Annotated[int, Depends(tripled)]) -> int:
        return value

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> int:
        async with container.app_scope() as app:
            return await app.run(prepared)

    assert asyncio.run(main()) == 9
