"""Offloading: with an `offload` function, synchronous steps leave the event loop.

Golden sources for the two offloaded shapes (one trip for an all-synchronous graph, one
`await offload(...)` per synchronous step otherwise), and the rules: every synchronous step,
teardown included (on success, on error, at a scope's exit, for a held teardown), goes
through it; coroutines and async generators do not; without an offload nothing changes.
"""

import asyncio
import inspect
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import pytest
from microapi_di import Container, Depends, HoldsTeardown, PendingTeardown


def golden(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class Recorder:
    """An offload that runs every call on one worker thread, recording what it ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.executor = ThreadPoolExecutor(1)

    async def __call__(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(getattr(fn, "__name__", repr(fn)))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))


events: list[tuple[str, int]] = []


def session() -> Iterator[str]:
    events.append(("setup", threading.get_ident()))
    try:
        yield "s"
    except ValueError:
        events.append(("rollback", threading.get_ident()))
        raise
    events.append(("teardown", threading.get_ident()))


def get_user(s: Annotated[str, Depends(session)]) -> str:
    return "ada"


def handler(user: Annotated[str, Depends(get_user)]) -> str:
    return user


async def async_handler(user: Annotated[str, Depends(get_user)]) -> str:
    return user


def test_an_all_synchronous_graph_is_offloaded_whole_in_one_trip() -> None:
    prepared = Container().prepare(handler)
    source = prepared.offloaded_source
    assert source.startswith("def resolve_handler_in_thread(\n    av, asv, rv, offload,\n")
    assert source.endswith(
        golden(
            """
            async def resolve_handler(
                av, asv, rv, offload,
                # the objects it uses, bound once: read as local variables
                resolve_handler_in_thread=resolve_handler_in_thread,
            ):
                # nothing here needs the event loop: the whole call is one trip through offload
                return await offload(resolve_handler_in_thread, av, asv, rv, offload)
            """
        )
    )
    assert "result.hold_teardown(_Pending(exits, offload))" in source


def test_a_mixed_graph_offloads_each_synchronous_step() -> None:
    prepared = Container().prepare(async_handler)
    assert prepared.offloaded_source == golden(
        """
        async def resolve_async_handler(
            av, asv, rv, offload,
            # the objects it uses, bound once: read as local variables
            _MISSING=_MISSING, _finish_sync=_finish_sync, _Holds=_Holds, get_user=get_user,
            session=session, async_handler=async_handler,
        ):
            exits = []
            try:
                # s: Depends(session), a generator; torn down after the call
                s_gen = session()
                s = await offload(next, s_gen, _MISSING)
                if s is _MISSING:
                    raise _no_yield(session)
                exits.append(s_gen)
                # user: Depends(get_user), a function
                user = await offload(get_user, s)
                # the call itself: async_handler, a coroutine function
                result = await async_handler(user)
            except BaseException as error:
                # throw the error into the generators set up so far, last first
                problem = await _unwind(exits, error, offload)
                if problem is None:
                    raise
                raise problem from None
            if isinstance(result, _Holds):
                # the result holds the teardown: it finishes the generators when it is done
                result.hold_teardown(_Pending(exits, offload))
                return result
            # success: finish every generator, last set up first, collecting failures
            failures = None
            try:
                problem = await offload(_finish_sync, s_gen)
            except BaseException as failure:
                failures = _add(failures, failure)
            else:
                if problem is not None:
                    failures = _add(failures, problem)
            if failures is not None:
                raise _outcome(None, failures)
            return result
        """
    )


def test_without_offload_the_code_is_unchanged() -> None:
    source = Container().prepare(async_handler).source
    assert "offload" not in source
    assert "s = next(s_gen)" in source


def run(container: Container, fn: Callable[..., Any], offload: Recorder) -> Any:
    async def main() -> Any:
        async with container.app_scope() as app:
            return await app.run(container.prepare(fn), offload=offload)

    return asyncio.run(main())


def test_one_trip_runs_setup_call_and_teardown_on_one_thread() -> None:
    events.clear()
    offload = Recorder()
    assert run(Container(), handler, offload) == "ada"
    assert offload.calls == ["resolve_handler_in_thread"]
    (setup, at), (teardown, later) = events
    assert (setup, teardown) == ("setup", "teardown")
    assert at == later != threading.get_ident()


def test_each_step_of_a_mixed_graph_goes_through_offload() -> None:
    events.clear()
    offload = Recorder()
    assert run(Container(), async_handler, offload) == "ada"
    assert offload.calls == ["next", "get_user", "_finish"]
    assert {thread for _, thread in events} == {next(iter(offload.executor._threads)).ident}


def test_an_error_is_thrown_into_the_generator_through_offload() -> None:
    events.clear()
    offload = Recorder()

    async def failing(user: Annotated[str, Depends(get_user)]) -> str:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run(Container(), failing, offload)
    assert offload.calls == ["next", "get_user", "_throw"]
    assert [name for name, _ in events] == ["setup", "rollback"]
    assert events[0][1] == events[1][1] != threading.get_ident()


def test_a_request_scope_finishes_through_its_offload() -> None:
    events.clear()
    container = Container()
    offload = Recorder()

    async def main() -> str:
        async with container.app_scope(offload=offload) as app:
            async with app.request() as scope:
                value: str = await scope.call(container.prepare(async_handler))
            assert [name for name, _ in events] == ["setup", "teardown"]
            return value

    assert asyncio.run(main()) == "ada"
    assert offload.calls == ["next", "get_user", "_finish"]
    assert [name for name, _ in events] == ["setup", "teardown"]


class Held(HoldsTeardown):
    def __init__(self) -> None:
        self.teardown: PendingTeardown | None = None

    def hold_teardown(self, teardown: PendingTeardown) -> None:
        self.teardown = teardown


def test_a_held_teardown_finishes_through_the_runs_offload() -> None:
    events.clear()
    offload = Recorder()

    def holder(s: Annotated[str, Depends(session)]) -> Held:
        return Held()

    async def main() -> None:
        container = Container()
        async with container.app_scope() as app:
            held = await app.run(container.prepare(holder), offload=offload)
            assert [name for name, _ in events] == ["setup"]
            assert held.teardown is not None
            await held.teardown.finish()

    asyncio.run(main())
    assert offload.calls == ["resolve_holder_in_thread", "_finish"]
    assert events[0][1] == events[1][1]


def test_coroutines_and_async_generators_stay_on_the_loop() -> None:
    offload = Recorder()
    loop_thread: list[int] = []

    async def resource() -> AsyncIterator[str]:
        loop_thread.append(threading.get_ident())
        yield "r"
        loop_thread.append(threading.get_ident())

    async def target(r: Annotated[str, Depends(resource)]) -> str:
        return r

    async def main() -> str:
        container = Container()
        async with container.app_scope(offload=offload) as app:
            return await app.call(container.prepare(target, scope="app"))

    assert asyncio.run(main()) == "r"
    assert offload.calls == []
    assert loop_thread == [threading.get_ident()] * 2


def test_shared_dependencies_are_looked_at_once_when_offloading() -> None:
    """A chain of 30 diamonds (two dependencies sharing one, 2**30 paths) compiles offloaded
    at once: the walk deciding whether the graph needs the loop visits each node once."""

    def base() -> int:
        return 0

    level: Callable[..., int] = base
    for number in range(30):

        def left(x: int) -> int:
            return x

        def right(x: int) -> int:
            return x

        def join(a: int, b: int) -> int:
            return a + b

        below = level
        left.__signature__ = inspect_signature(below, "x")  # type: ignore[attr-defined]
        right.__signature__ = inspect_signature(below, "x")  # type: ignore[attr-defined]
        join.__signature__ = inspect_signature_two(left, right)  # type: ignore[attr-defined]
        join.__name__ = f"join{number}"
        level = join
    prepared = Container().prepare(level)
    source = prepared.offloaded_source  # took minutes before (each level doubled the walk)
    assert source.count("def resolve_join_in_thread(") == 1  # the one-trip body, then its shell


def inspect_signature(dependency: Callable[..., Any], name: str) -> inspect.Signature:
    parameter = inspect.Parameter(
        name,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[int, Depends(dependency)],
    )
    return inspect.Signature([parameter])


def inspect_signature_two(a: Callable[..., Any], b: Callable[..., Any]) -> inspect.Signature:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature(
        [
            inspect.Parameter("a", kind, annotation=Annotated[int, Depends(a)]),
            inspect.Parameter("b", kind, annotation=Annotated[int, Depends(b)]),
        ]
    )
