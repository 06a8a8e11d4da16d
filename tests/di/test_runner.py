"""`AppScope.runner(prepared)`: `run(prepared, values)` as one function of the values.

It gives what `run` gives (values, app services, teardown), reflects the container as it was
when taken (a new one after `on_change` sees an override), routes synchronous steps through
the scope's offload, and refuses a scope that is not open.
"""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import pytest
from microapi_di import Container, Depends, ScopeStateError


class Engine:
    pass


closed: list[str] = []


async def transaction(engine: Engine) -> AsyncIterator[str]:
    yield f"tx on {type(engine).__name__}"
    closed.append("tx")


def current_user(name: str) -> str:
    return name


async def handler(
    tx: Annotated[str, Depends(transaction)], user: Annotated[str, Depends(current_user)]
) -> str:
    return f"{user}: {tx}"


def container() -> Container:
    built = Container()
    built.register(Engine, Engine, scope="app")
    built.provide("name")
    return built


def test_a_runner_gives_what_run_gives() -> None:
    app_container = container()
    prepared = app_container.prepare(handler)

    async def main() -> None:
        async with app_container.app_scope() as app:
            runner = app.runner(prepared)
            assert await runner({"name": "ada"}) == "ada: tx on Engine"
            assert await runner({"name": "bob"}) == await app.run(prepared, {"name": "bob"})

    closed.clear()
    asyncio.run(main())
    assert closed == ["tx", "tx", "tx"]  # each call tore its transaction down


def test_a_runner_taken_after_a_change_sees_it() -> None:
    app_container = container()
    prepared = app_container.prepare(handler)
    changes: list[int] = []
    app_container.on_change(lambda: changes.append(1))

    async def main() -> None:
        async with app_container.app_scope() as app:
            assert await app.runner(prepared)({"name": "ada"}) == "ada: tx on Engine"
            seen = len(changes)
            with app_container.override(current_user, lambda: "override"):
                assert len(changes) > seen  # the caller is told to take a new runner
                assert await app.runner(prepared)({"name": "ada"}) == "override: tx on Engine"
            # undone: a runner taken now is the plan without the override again
            assert await app.runner(prepared)({"name": "ada"}) == "ada: tx on Engine"

    asyncio.run(main())


def test_a_runner_uses_the_scope_offload() -> None:
    executor = ThreadPoolExecutor(1)
    threads: list[int] = []

    def plain_user(name: str) -> str:
        threads.append(threading.get_ident())
        return name

    async def offload(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, lambda: fn(*args, **kwargs))

    app_container = container()
    app_container.overrides[current_user] = plain_user
    prepared = app_container.prepare(handler)

    async def main() -> None:
        async with app_container.app_scope(offload=offload) as app:
            assert await app.runner(prepared)({"name": "ada"}) == "ada: tx on Engine"

    asyncio.run(main())
    worker = executor.submit(threading.get_ident).result()
    executor.shutdown()
    assert threads == [worker]


def test_a_scope_that_is_not_open_gives_no_runner() -> None:
    app_container = container()
    prepared = app_container.prepare(handler)
    scope = app_container.app_scope()
    with pytest.raises(ScopeStateError, match="new, not open"):
        scope.runner(prepared)

    async def main() -> None:
        async with scope:
            pass

    asyncio.run(main())
    with pytest.raises(ScopeStateError, match="closed, not open"):
        scope.runner(prepared)
