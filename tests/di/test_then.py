"""`prepare(fn, then=...)`: what the call returns is `then(fn's result)`, made inside the scope.

The rules: `then` sees the awaited result, runs before teardown (so an error in it is thrown
into the generators, which roll back), its value is what every kind of call returns (async,
sync, in an explicit request scope, offloaded whole on the worker thread), it is named in the
generated source, and without it nothing changes.
"""

import asyncio
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import pytest
from microapi_di import Container, Depends

log: list[str] = []


async def session() -> AsyncIterator[str]:
    log.append("open")
    try:
        yield "s"
    except ValueError:
        log.append("rollback")
        raise
    log.append("commit")


def sync_session() -> Iterator[str]:
    try:
        yield "s"
    except ValueError:
        log.append("rollback")
        raise
    log.append("commit")


async def handler(s: Annotated[str, Depends(session)]) -> int:
    log.append("handler")
    return 41


def boxed(value: Any) -> dict[str, Any]:
    log.append(f"then {value!r}")
    return {"value": value}


def refuse(value: Any) -> Any:
    raise ValueError(f"cannot encode {value!r}")


def in_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """The async `test` as a plain test function that runs it in a fresh event loop."""

    def run() -> None:
        asyncio.run(test())

    run.__name__ = test.__name__
    return run


@pytest.fixture(autouse=True)
def fresh_log() -> None:
    log.clear()


@in_loop
async def test_the_result_goes_through_then_before_teardown() -> None:
    container = Container()
    prepared = container.prepare(handler, then=boxed)
    async with container.app_scope() as app:
        assert await app.run(prepared) == {"value": 41}
    assert log == ["open", "handler", "then 41", "commit"]


@in_loop
async def test_an_error_in_then_is_thrown_into_the_generators() -> None:
    container = Container()
    prepared = container.prepare(handler, then=refuse)
    async with container.app_scope() as app:
        with pytest.raises(ValueError, match="cannot encode 41"):
            await app.run(prepared)
        # nothing was committed, and the scope still serves the next call
        assert log == ["open", "handler", "rollback"]
        assert await app.run(container.prepare(handler)) == 41


@in_loop
async def test_then_in_an_explicit_request_scope() -> None:
    container = Container()
    prepared = container.prepare(handler, then=boxed)
    async with container.app_scope() as app, app.request() as scope:
        assert await scope.call(prepared) == {"value": 41}
        assert log == ["open", "handler", "then 41"]
    assert log[-1] == "commit"


def test_then_in_a_sync_scope() -> None:
    def plain(s: Annotated[str, Depends(sync_session)]) -> str:
        return s

    container = Container()
    prepared = container.prepare(plain, then=boxed)
    with container.sync_app_scope() as app:
        assert app.run(prepared) == {"value": "s"}
    assert log == ["then 's'", "commit"]


@in_loop
async def test_then_runs_on_the_thread_of_a_plan_offloaded_whole() -> None:
    threads: list[int] = []

    def plain(s: Annotated[str, Depends(sync_session)]) -> str:
        return s

    def where(value: Any) -> Any:
        threads.append(threading.get_ident())
        return value

    executor = ThreadPoolExecutor(1)

    async def offload(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, lambda: fn(*args))

    container = Container()
    prepared = container.prepare(plain, then=where)
    async with container.app_scope(offload=offload) as app:
        assert await app.run(prepared) == "s"
    worker = executor.submit(threading.get_ident).result()
    executor.shutdown()
    assert threads == [worker]
    assert log == ["commit"]


@in_loop
async def test_the_generated_source_names_then() -> None:
    async def hello() -> str:
        return "hi"

    container = Container()
    prepared = container.prepare(hello, then=boxed)
    async with container.app_scope():
        assert prepared.source == textwrap.dedent(
            """\
            async def resolve_hello(
                av, asv, rv,
                # the objects it uses, bound once: read as local variables
                hello=hello, boxed=boxed,
            ):
                # the call itself: hello, a coroutine function
                # and what it returns through boxed
                return boxed(await hello())
            """
        )
    assert "boxed" not in container.prepare(hello).source


def test_then_must_be_callable_and_the_error_names_the_callable() -> None:
    with pytest.raises(TypeError, match=r"prepare\(.*handler\): then must be callable, got 3"):
        Container().prepare(handler, then=3)  # type: ignore[call-overload]


def test_then_goes_to_the_worker_thread_with_an_offloaded_plain_call() -> None:
    """A plain `fn` offloaded in a graph that also needs the loop: `then` runs in the same
    trip to the thread as `fn`, not on the loop."""
    threads: list[str] = []

    async def loop_dependency() -> str:
        return "async"

    def plain(value: Annotated[str, Depends(loop_dependency)]) -> str:
        threads.append(f"fn {threading.current_thread().name}")
        return value

    def where(value: Any) -> Any:
        threads.append(f"then {threading.current_thread().name}")
        return value

    executor = ThreadPoolExecutor(1, thread_name_prefix="worker")

    async def offload(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, lambda: fn(*args, **kwargs))

    container = Container()
    prepared = container.prepare(plain, then=where)

    async def main() -> None:
        async with container.app_scope(offload=offload) as app:
            assert await app.run(prepared) == "async"
            assert "await offload(_then_in_thread, where, plain, value)" in (
                prepared.offloaded_source
            )

    asyncio.run(main())
    executor.shutdown()
    assert [entry.split("_")[0] for entry in threads] == ["fn worker", "then worker"]


def test_a_name_only_a_comment_mentions_is_not_bound() -> None:
    async def real() -> str:
        return "real"

    async def fake() -> str:
        return "fake"

    async def uses(value: Annotated[str, Depends(real)]) -> str:
        return value

    container = Container()
    container.overrides[real] = fake
    prepared = container.prepare(uses)
    source = prepared.source
    header = source.split("):\n", 1)[0]
    assert "real" in source.split("):\n", 1)[1]  # the comment names the overridden target
    assert "fake=fake" in header
    assert "real=" not in header
