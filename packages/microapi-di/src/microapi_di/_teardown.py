"""Finishing generator dependencies when their scope ends.

Generators are finished last set up first. Every one is finished even when another fails. When
the scope ends with an error, that error is thrown into each generator (so it can roll back),
and it always propagates afterwards: a generator cannot swallow it. What to raise is decided by
`outcome`:

- nothing failed in teardown: the original error (if any) propagates unchanged;
- one teardown failed and there was no original error: that teardown error, unchanged;
- otherwise: a `TeardownError` (an `ExceptionGroup`) holding the original error first, then the
  teardown errors in the order they happened, with `.original` and `.failures` apart;
- except that a cancellation, `KeyboardInterrupt` or `SystemExit` is never wrapped: the first
  one propagates as itself, with the other errors recorded as notes on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import AsyncGeneratorType, GeneratorType
from typing import Any

from ._callables import describe
from ._errors import TeardownError

Offload = Callable[..., Awaitable[Any]]
"""``await offload(fn, *args)``: run a synchronous call elsewhere (a worker thread) and return
its result or raise its error."""


def outcome(original: BaseException | None, failures: list[BaseException]) -> BaseException | None:
    """What to raise after teardown; `None` means re-raise `original` (or raise nothing)."""
    if not failures:
        return None
    errors = failures if original is None else [original, *failures]
    if len(errors) == 1:
        return errors[0]
    exceptions = [error for error in failures if isinstance(error, Exception)]
    if len(exceptions) < len(failures) or not isinstance(original, Exception | None):
        return _most_urgent(original, errors)
    return TeardownError.of(original, exceptions)


def _most_urgent(
    original: BaseException | None, errors: list[BaseException]
) -> BaseException | None:
    """The first cancellation or interrupt, carrying the other errors as notes."""
    urgent = next(error for error in errors if not isinstance(error, Exception))
    for other in errors:
        if other is not urgent:
            urgent.add_note(f"also raised while tearing down dependencies: {other!r}")
    return None if urgent is original else urgent


def add_failure(
    failures: list[BaseException] | None, failure: BaseException
) -> list[BaseException]:
    """`failures` with `failure` appended; `None` stands for no failures yet."""
    return [failure] if failures is None else [*failures, failure]


async def stray_yield_async(generator: AsyncGeneratorType[Any, Any]) -> RuntimeError:
    """Close a generator that yielded a second time, and describe the mistake."""
    await generator.aclose()
    return RuntimeError(f"{describe(generator)} yielded more than once")


def stray_yield(generator: GeneratorType[Any, Any, Any]) -> RuntimeError:
    """Close a generator that yielded a second time, and describe the mistake."""
    generator.close()
    return RuntimeError(f"{describe(generator)} yielded more than once")


async def unwind_async(exits: list[Any], error: BaseException) -> BaseException | None:
    """Throw `error` into every generator in `exits`, last first; see `outcome`."""
    failures = []
    while exits:
        generator = exits.pop()
        if isinstance(generator, AsyncGeneratorType):
            failure = await _throw_async(generator, error)
        else:
            failure = _throw(generator, error)
        if failure is not None:
            failures.append(failure)
    return outcome(error, failures)


async def close_async(exits: list[Any]) -> BaseException | None:
    """Run every generator in `exits` to its end, last first; see `outcome`."""
    failures: list[BaseException] = []
    while exits:
        generator = exits.pop()
        # Inlined rather than a helper coroutine per generator: this runs on every request.
        try:
            if isinstance(generator, AsyncGeneratorType):
                await generator.__anext__()
            else:
                next(generator)
        except (StopAsyncIteration, StopIteration):
            continue
        except BaseException as failure:
            failures.append(failure)
            continue
        if isinstance(generator, AsyncGeneratorType):
            failures.append(await stray_yield_async(generator))
        else:
            failures.append(stray_yield(generator))
    return outcome(None, failures)


def unwind_sync(exits: list[Any], error: BaseException) -> BaseException | None:
    """`unwind_async` for scopes that hold only synchronous generators."""
    failures = []
    while exits:
        failure = _throw(exits.pop(), error)
        if failure is not None:
            failures.append(failure)
    return outcome(error, failures)


def close_sync(exits: list[Any]) -> BaseException | None:
    """`close_async` for scopes that hold only synchronous generators."""
    failures = []
    while exits:
        failure = _finish(exits.pop())
        if failure is not None:
            failures.append(failure)
    return outcome(None, failures)


async def _throw_async(
    generator: AsyncGeneratorType[Any, Any], error: BaseException
) -> BaseException | None:
    try:
        await generator.athrow(error)
    except StopAsyncIteration:
        return None
    except BaseException as failure:
        return None if failure is error else failure
    await generator.aclose()
    return RuntimeError(f"{describe(generator)} yielded again after an error was thrown in")


async def unwind_offloaded(
    exits: list[Any], error: BaseException, offload: Offload
) -> BaseException | None:
    """`unwind_async` with each synchronous generator's throw run through `offload`."""
    failures = []
    while exits:
        generator = exits.pop()
        if isinstance(generator, AsyncGeneratorType):
            failure = await _throw_async(generator, error)
        else:
            try:
                failure = await offload(_throw, generator, error)
            except BaseException as offload_failure:  # the offload itself failed (cancelled)
                failure = offload_failure
        if failure is not None:
            failures.append(failure)
    return outcome(error, failures)


async def close_offloaded(exits: list[Any], offload: Offload) -> BaseException | None:
    """`close_async` with each synchronous generator finished through `offload`."""
    failures: list[BaseException] = []
    while exits:
        generator = exits.pop()
        failure: BaseException | None
        if isinstance(generator, AsyncGeneratorType):
            try:
                await generator.__anext__()
            except StopAsyncIteration:
                continue
            except BaseException as exc:
                failures.append(exc)
                continue
            failure = await stray_yield_async(generator)
        else:
            try:
                failure = await offload(_finish, generator)
            except BaseException as offload_failure:
                failure = offload_failure
        if failure is not None:
            failures.append(failure)
    return outcome(None, failures)


async def finish_offloaded(exits: list[Any], error: BaseException | None, offload: Offload) -> None:
    """`finish_async` with synchronous generators finished through `offload`."""
    problem = await (
        close_offloaded(exits, offload)
        if error is None
        else unwind_offloaded(exits, error, offload)
    )
    if problem is not None:
        raise problem from None


def _finish(generator: GeneratorType[Any, Any, Any]) -> BaseException | None:
    try:
        next(generator)
    except StopIteration:
        return None
    except BaseException as failure:
        return failure
    return stray_yield(generator)


finish_one = _finish
"""Run one synchronous generator to its end: None, or what went wrong (returned, not raised)."""


def _throw(generator: GeneratorType[Any, Any, Any], error: BaseException) -> BaseException | None:
    try:
        generator.throw(error)
    except StopIteration:
        return None
    except BaseException as failure:
        return None if failure is error else failure
    generator.close()
    return RuntimeError(f"{describe(generator)} yielded again after an error was thrown in")


async def finish_async(exits: list[Any], error: BaseException | None) -> None:
    """End a scope: finish its generators (throwing `error` in, if any), raise what `outcome` says.

    Called from `__aexit__`, where returning normally lets `error` itself propagate.
    """
    problem = await (close_async(exits) if error is None else unwind_async(exits, error))
    if problem is not None:
        raise problem from None


def finish_sync(exits: list[Any], error: BaseException | None) -> None:
    """The synchronous `finish_async`."""
    problem = close_sync(exits) if error is None else unwind_sync(exits, error)
    if problem is not None:
        raise problem from None
