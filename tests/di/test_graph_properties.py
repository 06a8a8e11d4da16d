"""Random dependency graphs: each dependency runs once per scope, after what it needs, and
generators are torn down in exactly the reverse order of their set-up."""

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from microapi_di import Container, Depends

KINDS = ("sync", "coroutine", "generator", "async generator")


class Recorder:
    """What ran, in order."""

    def __init__(self) -> None:
        self.setup: list[int] = []
        self.teardown: list[int] = []


class Dependency:
    """A dependency whose parameters are other dependencies, given as a signature."""

    def __init__(self, number: int, needs: list["Dependency"], recorder: Recorder) -> None:
        self.number = number
        self.needs = needs
        self.recorder = recorder
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter(
                    f"d{need.number}", inspect.Parameter.KEYWORD_ONLY, default=Depends(need)
                )
                for need in needs
            ]
        )

    def __call__(self, **arguments: int) -> Any:
        raise NotImplementedError  # each kind below defines its own

    def record(self, arguments: dict[str, int]) -> int:
        assert sorted(arguments) == sorted(f"d{need.number}" for need in self.needs)
        assert all(number in self.recorder.setup for number in arguments.values())
        self.recorder.setup.append(self.number)
        return self.number


class SyncDependency(Dependency):
    def __call__(self, **arguments: int) -> int:
        return self.record(arguments)


class CoroutineDependency(Dependency):
    async def __call__(self, **arguments: int) -> int:
        return self.record(arguments)


class GeneratorDependency(Dependency):
    def __call__(self, **arguments: int) -> Iterator[int]:
        yield self.record(arguments)
        self.recorder.teardown.append(self.number)


class AsyncGeneratorDependency(Dependency):
    async def __call__(self, **arguments: int) -> AsyncIterator[int]:
        yield self.record(arguments)
        self.recorder.teardown.append(self.number)


CLASSES: dict[str, type[Dependency]] = {
    "sync": SyncDependency,
    "coroutine": CoroutineDependency,
    "generator": GeneratorDependency,
    "async generator": AsyncGeneratorDependency,
}


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], list[list[int]], list[int]]:
    size = draw(st.integers(min_value=1, max_value=12))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=size, max_size=size))
    needs = [
        draw(st.lists(st.integers(0, index - 1), unique=True, max_size=3)) if index else []
        for index in range(size)
    ]
    roots = draw(st.lists(st.integers(0, size - 1), unique=True, min_size=1, max_size=4))
    return kinds, needs, roots


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_graphs_run_each_dependency_once_in_order(
    graph: tuple[list[str], list[list[int]], list[int]],
) -> None:
    kinds, needs, roots = graph
    recorder = Recorder()
    nodes: list[Dependency] = []
    for number, (kind, wanted) in enumerate(zip(kinds, needs, strict=True)):
        nodes.append(CLASSES[kind](number, [nodes[i] for i in wanted], recorder))
    handler = SyncDependency(len(nodes), [nodes[i] for i in roots], recorder)
    reachable = set()
    stack = list(roots)
    while stack:
        number = stack.pop()
        if number not in reachable:
            reachable.add(number)
            stack.extend(needs[number])

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> Any:
        async with container.app_scope() as app:
            await app.run(prepared)
            first = (list(recorder.setup), list(recorder.teardown))
            recorder.setup.clear()
            recorder.teardown.clear()
            async with app.request() as scope:
                await scope.call(prepared)
                await scope.call(prepared)  # everything cached: only the handler runs again
            return first

    first = asyncio.run(main())
    for setup, teardown in (first, (recorder.setup, recorder.teardown)):
        made = [number for number in setup if number < len(kinds)]
        assert sorted(made) == sorted(reachable)  # each reachable dependency exactly once
        generators = [n for n in made if kinds[n] in ("generator", "async generator")]
        assert teardown == generators[::-1]
    assert recorder.setup.count(len(nodes)) == 2  # the handler ran for both calls in the scope
