"""Static types users get (checked by mypy in CI) and the values behind them."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, assert_type

from microapi_di import Container, Depends, Prepared


async def fetch() -> int:
    return 1


def compute() -> str:
    return "x"


async def stream() -> AsyncIterator[bytes]:
    yield b"chunk"


def with_default(value: int = Depends(fetch)) -> int:
    return value


def with_annotated(value: Annotated[int, Depends(fetch)]) -> int:
    return value


def test_prepare_types_the_awaited_result() -> None:
    container = Container()
    awaited = container.prepare(fetch)
    plain = container.prepare(compute)
    generator = container.prepare(stream)
    assert_type(awaited, Prepared[int])
    assert_type(plain, Prepared[str])
    assert_type(generator, Prepared[AsyncIterator[bytes]])

    async def main() -> None:
        async with container.app_scope() as app:
            number = await app.run(awaited)
            assert_type(number, int)
            text = await app.run(plain)
            assert_type(text, str)
            assert (number, text) == (1, "x")
            async with app.request() as scope:
                assert await scope.call(container.prepare(with_default)) == 1
                assert await scope.call(container.prepare(with_annotated)) == 1
            chunks = [chunk async for chunk in await app.run(generator)]
            assert chunks == [b"chunk"]

    asyncio.run(main())
