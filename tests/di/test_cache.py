"""A dependency runs once per scope and is shared, unless `use_cache=False`."""

import asyncio
import itertools
from collections.abc import Iterator
from typing import Annotated, Any

from microapi_di import Container, Depends


def test_a_shared_dependency_runs_once_per_call_and_once_per_scope() -> None:
    counter = itertools.count(1)

    def session() -> int:
        return next(counter)

    def left(value: Annotated[int, Depends(session)]) -> int:
        return value

    def right(value: Annotated[int, Depends(session)]) -> int:
        return value

    def handler(
        a: Annotated[int, Depends(left)], b: Annotated[int, Depends(right)]
    ) -> tuple[int, int]:
        return a, b

    def other(value: Annotated[int, Depends(session)]) -> int:
        return value

    container = Container()
    prepared, prepared_other = container.prepare(handler), container.prepare(other)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == (1, 1)
            assert await app.run(prepared) == (2, 2)  # a new scope each time
            async with app.request() as scope:
                assert await scope.call(prepared) == (3, 3)
                assert await scope.call(prepared_other) == 3  # shared across calls in a scope
            async with app.request() as scope:
                assert await scope.call(prepared_other) == 4

    asyncio.run(main())


def test_use_cache_false_runs_at_each_use_and_is_never_stored() -> None:
    counter = itertools.count(1)

    def fresh() -> int:
        return next(counter)

    def handler(
        a: Annotated[int, Depends(fresh)],
        b: Annotated[int, Depends(fresh, use_cache=False)],
        c: Annotated[int, Depends(fresh)],
    ) -> tuple[int, int, int]:
        return a, b, c

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == (1, 2, 1)
            async with app.request() as scope:
                assert await scope.call(prepared) == (3, 4, 3)
                assert await scope.call(prepared) == (3, 5, 3)

    asyncio.run(main())


def test_an_uncached_dependency_under_a_cached_one_does_not_rerun_on_a_hit() -> None:
    calls: list[str] = []

    def token() -> str:
        calls.append("token")
        return "t"

    def user(value: Annotated[str, Depends(token, use_cache=False)]) -> str:
        calls.append("user")
        return value

    def handler(value: Annotated[str, Depends(user)]) -> str:
        return value

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app, app.request() as scope:
            await scope.call(prepared)
            await scope.call(prepared)

    asyncio.run(main())
    assert calls == ["token", "user"]


def test_request_services_are_cached_per_scope() -> None:
    counter = itertools.count(1)

    class Session:
        def __init__(self) -> None:
            self.number = next(counter)

    def handler(a: Session, b: Session) -> tuple[int, int]:
        return a.number, b.number

    container = Container()
    container.register(Session, Session, scope="request")
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == (1, 1)
            assert await app.run(prepared) == (2, 2)

    asyncio.run(main())


def test_concurrent_requests_never_see_each_others_values() -> None:
    def echo(request: object) -> object:
        return request

    async def handler(value: Annotated[object, Depends(echo)]) -> object:
        await asyncio.sleep(0)
        return value

    def locked() -> Iterator[object]:
        yield object()

    async def scoped(
        value: Annotated[object, Depends(echo)], lock: Annotated[object, Depends(locked)]
    ) -> object:
        await asyncio.sleep(0)
        return value

    container = Container()
    container.provide("request")
    prepared, prepared_scoped = container.prepare(handler), container.prepare(scoped)

    async def in_scope(app: Any, value: int) -> object:
        async with app.request({"request": value}) as scope:
            return await scope.call(prepared_scoped)

    async def main() -> None:
        async with container.app_scope() as app:
            values = list(range(50))
            results = await asyncio.gather(*(app.run(prepared, {"request": v}) for v in values))
            assert results == values
            results = await asyncio.gather(*(in_scope(app, v) for v in values))
            assert results == values

    asyncio.run(main())
