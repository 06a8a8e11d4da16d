"""Teardown: reverse order, the caller's error thrown in, every teardown run, nothing hidden."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import pytest
from microapi_di import Container, Depends, Prepared, TeardownError


class Failed(Exception):
    """An error raised by a handler in these tests."""


class CommitFailed(Exception):
    """An error raised by a teardown in these tests."""


def recorder() -> tuple[list[str], Callable[[str], Any], Callable[[str], Any]]:
    """Events, and makers of a sync and an async generator dependency that record into them."""
    events: list[str] = []

    def sync_dependency(name: str) -> Callable[[], Iterator[str]]:
        def dependency() -> Iterator[str]:
            events.append(f"{name} up")
            try:
                yield name
            except Exception as error:
                events.append(f"{name} rollback {error}")
                raise
            else:
                events.append(f"{name} commit")

        return dependency

    def async_dependency(name: str) -> Callable[[], AsyncIterator[str]]:
        async def dependency() -> AsyncIterator[str]:
            events.append(f"{name} up")
            try:
                yield name
            except Exception as error:
                events.append(f"{name} rollback {error}")
                raise
            else:
                events.append(f"{name} commit")

        return dependency

    return events, sync_dependency, async_dependency


def run_both_ways(container: Container, prepared: Prepared[Any]) -> list[Any]:
    """Run once through `run` and once in an explicit scope; return results or errors."""
    outcomes: list[Any] = []

    async def main() -> None:
        async with container.app_scope() as app:
            try:
                outcomes.append(await app.run(prepared))
            except BaseException as error:
                outcomes.append(error)
            try:
                async with app.request() as scope:
                    result = await scope.call(prepared)
                outcomes.append(result)
            except BaseException as error:
                outcomes.append(error)

    asyncio.run(main())
    return outcomes


def test_teardown_in_reverse_order_of_setup() -> None:
    events, sync_dep, async_dep = recorder()
    first, second, third = sync_dep("a"), async_dep("b"), sync_dep("c")

    def handler(
        a: Annotated[str, Depends(first)],
        b: Annotated[str, Depends(second)],
        c: Annotated[str, Depends(third)],
    ) -> str:
        events.append("handler")
        return a + b + c

    container = Container()
    assert run_both_ways(container, container.prepare(handler)) == ["abc", "abc"]
    once = ["a up", "b up", "c up", "handler", "c commit", "b commit", "a commit"]
    assert events == once + once


def test_the_callers_error_is_thrown_into_every_generator_and_propagates() -> None:
    events, sync_dep, async_dep = recorder()
    first, second = sync_dep("a"), async_dep("b")

    def handler(a: Annotated[str, Depends(first)], b: Annotated[str, Depends(second)]) -> str:
        raise Failed("boom")

    container = Container()
    outcomes = run_both_ways(container, container.prepare(handler))
    assert [type(outcome) for outcome in outcomes] == [Failed, Failed]
    once = ["a up", "b up", "b rollback boom", "a rollback boom"]
    assert events == once + once


def test_an_error_during_setup_rolls_back_what_was_set_up() -> None:
    events, sync_dep, _ = recorder()
    first = sync_dep("a")

    def broken(a: Annotated[str, Depends(first)]) -> str:
        raise Failed("setup")

    def handler(value: Annotated[str, Depends(broken)]) -> str:
        events.append("handler")  # pragma: no cover - never reached
        return value  # pragma: no cover

    container = Container()
    outcomes = run_both_ways(container, container.prepare(handler))
    assert [str(outcome) for outcome in outcomes] == ["setup", "setup"]
    assert events == ["a up", "a rollback setup"] * 2


def test_a_generator_cannot_swallow_the_callers_error() -> None:
    swallowed: list[str] = []

    def swallowing() -> Iterator[int]:
        try:
            yield 1
        except Failed:
            swallowed.append("swallowed")

    def handler(value: Annotated[int, Depends(swallowing)]) -> int:
        raise Failed("kept")

    container = Container()
    outcomes = run_both_ways(container, container.prepare(handler))
    assert [type(outcome) for outcome in outcomes] == [Failed, Failed]
    assert swallowed == ["swallowed", "swallowed"]


def test_a_single_teardown_error_is_raised_as_itself() -> None:
    async def committing() -> AsyncIterator[int]:
        yield 1
        raise CommitFailed("commit")

    def handler(value: Annotated[int, Depends(committing)]) -> int:
        return value

    container = Container()
    outcomes = run_both_ways(container, container.prepare(handler))
    assert [type(outcome) for outcome in outcomes] == [CommitFailed, CommitFailed]


def test_every_teardown_runs_and_several_failures_are_grouped() -> None:
    events, _, async_dep = recorder()
    middle = async_dep("middle")

    def failing(name: str) -> Callable[[], Iterator[str]]:
        def dependency() -> Iterator[str]:
            yield name
            raise CommitFailed(name)

        return dependency

    first, last = failing("first"), failing("last")

    def handler(
        a: Annotated[str, Depends(first)],
        b: Annotated[str, Depends(middle)],
        c: Annotated[str, Depends(last)],
    ) -> str:
        return a + b + c

    container = Container()
    for outcome in run_both_ways(container, container.prepare(handler)):
        assert isinstance(outcome, TeardownError)
        assert [str(error) for error in outcome.exceptions] == ["last", "first"]
        assert outcome.original is None
        assert [str(error) for error in outcome.failures] == ["last", "first"]
    assert events.count("middle commit") == 2


def test_the_callers_error_comes_first_in_a_group_with_teardown_errors() -> None:
    def rollback_fails() -> Iterator[int]:
        try:
            yield 1
        except Failed as error:
            raise CommitFailed("rollback failed") from error

    def handler(value: Annotated[int, Depends(rollback_fails)]) -> int:
        raise Failed("original")

    container = Container()
    for outcome in run_both_ways(container, container.prepare(handler)):
        assert isinstance(outcome, TeardownError)
        assert [type(error) for error in outcome.exceptions] == [Failed, CommitFailed]
        assert str(outcome.exceptions[0]) == "original"
        assert isinstance(outcome.original, Failed)
        assert [type(error) for error in outcome.failures] == [CommitFailed]


def test_cancellation_propagates_as_itself_with_teardown_errors_as_notes() -> None:
    entered = asyncio.Event()

    async def dependency() -> AsyncIterator[int]:
        try:
            yield 1
        finally:
            raise CommitFailed("cleanup failed")

    async def handler(value: Annotated[int, Depends(dependency)]) -> int:
        entered.set()
        await asyncio.sleep(10)
        return value  # pragma: no cover - cancelled before

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            task = asyncio.ensure_future(app.run(prepared))
            await entered.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as caught:
                await task
            assert any("cleanup failed" in note for note in caught.value.__notes__)

    asyncio.run(main())


def test_generators_that_do_not_yield_once_are_errors() -> None:
    def no_yield() -> Iterator[int]:
        return
        yield  # pragma: no cover

    def twice() -> Iterator[int]:
        yield 1
        yield 2

    async def twice_async() -> AsyncIterator[int]:
        yield 1
        yield 2

    def handler_none(value: Annotated[int, Depends(no_yield)]) -> int:
        return value  # pragma: no cover - never reached

    def handler_twice(value: Annotated[int, Depends(twice)]) -> int:
        return value

    def handler_twice_async(value: Annotated[int, Depends(twice_async)]) -> int:
        return value

    container = Container()
    outcomes = run_both_ways(container, container.prepare(handler_none))
    for outcome in outcomes:
        assert isinstance(outcome, RuntimeError)
        assert "no_yield finished without yielding" in str(outcome)
    for handler, name in ((handler_twice, "twice"), (handler_twice_async, "twice_async")):
        outcomes = run_both_ways(container, container.prepare(handler))
        for outcome in outcomes:
            assert isinstance(outcome, RuntimeError)
            assert f"{name} yielded more than once" in str(outcome)


def test_a_generator_that_yields_again_after_the_error_is_reported_with_it() -> None:
    def stubborn() -> Iterator[int]:
        try:
            yield 1
        except Failed:
            yield 2

    async def stubborn_async() -> AsyncIterator[int]:
        try:
            yield 1
        except Failed:
            yield 2

    def handler(
        a: Annotated[int, Depends(stubborn)], b: Annotated[int, Depends(stubborn_async)]
    ) -> int:
        raise Failed("original")

    container = Container()
    for outcome in run_both_ways(container, container.prepare(handler)):
        assert isinstance(outcome, ExceptionGroup)
        messages = [str(error) for error in outcome.exceptions]
        assert messages[0] == "original"
        assert "stubborn_async yielded again after an error was thrown in" in messages[1]
        assert "stubborn yielded again after an error was thrown in" in messages[2]


def test_a_plan_without_generators_has_no_teardown_code() -> None:
    """Nothing to tear down: a call is a straight run of the dependencies (no error wrapping)."""

    def plain() -> int:
        return 1

    def handler(value: Annotated[int, Depends(plain)]) -> int:
        raise Failed("direct")

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            with pytest.raises(Failed) as caught:
                await app.run(prepared)
            assert caught.value.__context__ is None

    asyncio.run(main())
