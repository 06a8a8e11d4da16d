"""Plans are built once per callable and container state, never per call."""

import asyncio
from typing import Annotated, Any

import microapi_di._signature
import pytest
from microapi_di import Container, Depends


def base() -> int:
    return 1


def doubled(value: Annotated[int, Depends(base)]) -> int:
    return value * 2


def handler(value: Annotated[int, Depends(doubled)]) -> int:
    return value


def test_calls_do_not_read_signatures_until_the_container_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    container = Container()
    prepared = container.prepare(handler)
    reads: list[Any] = []
    real = microapi_di._signature.read_params

    def counting(call: Any) -> Any:
        reads.append(call)
        return real(call)

    monkeypatch.setattr("microapi_di._graph.read_params", counting)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == 2  # the plan is built once for the app scope
            built = len(reads)
            assert built > 0
            for _ in range(20):
                assert await app.run(prepared) == 2
                async with app.request() as scope:
                    assert await scope.call(prepared) == 2
            assert len(reads) == built
            with container.override(base, lambda: 5):
                assert await app.run(prepared) == 10  # re-planned once for the override
                assert await app.run(prepared) == 10
            rebuilt = len(reads)
            assert await app.run(prepared) == 2
            assert await app.run(prepared) == 2
            assert len(reads) > rebuilt  # and once more after it

    asyncio.run(main())


def test_deeply_shared_graphs_compile_in_linear_size() -> None:
    """Twenty-five levels of diamonds: a walk per path would take 2**25 steps."""

    def level_zero() -> int:
        return 1

    pair = [level_zero, level_zero]
    for _ in range(25):
        left_source, right_source = pair

        def left(a: Any = Depends(left_source), b: Any = Depends(right_source)) -> int:
            return 1

        def right(a: Any = Depends(left_source), b: Any = Depends(right_source)) -> int:
            return 1

        pair = [left, right]
    top_left, top_right = pair

    def top(a: int = Depends(top_left), b: int = Depends(top_right)) -> int:
        return a + b

    container = Container()
    prepared = container.prepare(top)
    assert not prepared.is_async

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == 2
            async with app.request() as scope:
                assert await scope.call(prepared) == 2

    asyncio.run(main())
    with container.sync_app_scope() as sync_app:
        assert sync_app.run(prepared) == 2
