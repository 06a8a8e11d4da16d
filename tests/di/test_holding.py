"""A one-shot run hands its pending teardown to a result that asks for it (`HoldsTeardown`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Annotated, Any

import pytest
from microapi_di import (
    Container,
    Depends,
    HoldsTeardown,
    PendingTeardown,
    ScopeStateError,
    TeardownError,
)

log: list[str] = []


class Lazy(HoldsTeardown):
    """A result that still reads from its session after the call returned."""

    __slots__ = ("session", "teardown")

    def __init__(self, session: list[str]) -> None:
        self.session = session
        self.teardown: PendingTeardown | None = None

    def hold_teardown(self, teardown: PendingTeardown) -> None:
        self.teardown = teardown


async def session() -> AsyncIterator[list[str]]:
    log.append("open")
    try:
        yield ["row"]
    except Exception as error:
        log.append(f"rollback {error}")
        raise
    log.append("commit")


def sync_session() -> Iterator[list[str]]:
    log.append("open")
    try:
        yield ["row"]
    except Exception as error:
        log.append(f"rollback {error}")
        raise
    log.append("commit")


def lazy(s: Annotated[list[str], Depends(session)]) -> Lazy:
    return Lazy(s)


def eager(s: Annotated[list[str], Depends(session)]) -> list[str]:
    return s


def no_generator() -> Lazy:
    return Lazy([])


async def failing() -> AsyncIterator[int]:
    try:
        yield 1
    except Exception:
        raise KeyError("teardown") from None


def failing_handler(n: Annotated[int, Depends(failing)]) -> Lazy:
    return Lazy([])


def sync_lazy(s: Annotated[list[str], Depends(sync_session)]) -> Lazy:
    return Lazy(s)


@pytest.fixture(autouse=True)
def clear_log() -> None:
    log.clear()


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(main())


def test_a_holding_result_gets_the_teardown_and_the_generators_stay_open() -> None:
    container = Container()
    prepared = container.prepare(lazy)

    async def main() -> None:
        async with container.app_scope() as app:
            result = await app.run(prepared)
            assert log == ["open"]
            assert result.teardown is not None
            assert not result.teardown.finished
            await result.teardown.finish()
            assert result.teardown.finished
            assert log == ["open", "commit"]
            with pytest.raises(ScopeStateError):
                await result.teardown.finish()

    run(main)


def test_an_error_given_to_finish_is_thrown_into_the_generators() -> None:
    container = Container()
    prepared = container.prepare(lazy)

    async def main() -> None:
        async with container.app_scope() as app:
            result = await app.run(prepared)
            assert result.teardown is not None
            await result.teardown.finish(ValueError("cut"))  # re-raised by it: returns normally
            assert log == ["open", "rollback cut"]

    run(main)


def test_a_teardown_failure_after_an_error_is_a_teardown_error() -> None:
    container = Container()
    prepared = container.prepare(failing_handler)

    async def main() -> None:
        async with container.app_scope() as app:
            result = await app.run(prepared)
            assert result.teardown is not None
            original = ValueError("cut")
            with pytest.raises(TeardownError) as caught:
                await result.teardown.finish(original)
            assert caught.value.original is original

    run(main)


def test_other_results_are_torn_down_before_the_run_returns() -> None:
    container = Container()
    prepared = container.prepare(eager)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == ["row"]
            assert log == ["open", "commit"]

    run(main)


def test_a_run_without_generators_hands_nothing_over() -> None:
    container = Container()
    prepared = container.prepare(no_generator)

    async def main() -> None:
        async with container.app_scope() as app:
            result = await app.run(prepared)
            assert result.teardown is None

    run(main)


def test_an_explicit_request_scope_keeps_owning_its_teardown() -> None:
    container = Container()
    prepared = container.prepare(lazy)

    async def main() -> None:
        async with container.app_scope() as app:
            async with app.request() as scope:
                result = await scope.call(prepared)
                assert result.teardown is None
            assert log == ["open", "commit"]

    run(main)


def test_the_synchronous_app_scope_hands_over_too() -> None:
    container = Container()
    prepared = container.prepare(sync_lazy)
    with container.sync_app_scope() as app:
        result = app.run(prepared)
        assert log == ["open"]
        assert result.teardown is not None
        result.teardown.finish_sync(ValueError("cut"))
    assert log == ["open", "rollback cut"]


def test_the_base_class_demands_hold_teardown() -> None:
    class Forgetful(HoldsTeardown):
        pass

    with pytest.raises(NotImplementedError, match="Forgetful"):
        Forgetful().hold_teardown(PendingTeardown([]))
