"""Per-call cost of dependency injection for one request, side by side in one run.

The graph: a handler needs a service; the service needs two repositories; both repositories
share one database session (cached per request); the session is an async generator that needs
the request and is torn down after the handler. Each contender sets up a request scope with the
request object, resolves the graph, calls the handler and tears down:

- hand-written: the calls written out by hand, with the same teardown guarantees (the floor);
- microapi_di run: ``await app.run(prepared, {Request: request})``, the framework's path;
- microapi_di scope: ``async with app.request(...) as scope: await scope.call(prepared)``;
- dishka: ``async with container(context=...) as c: await handler(await c.get(Service))``;
- fastapi: FastAPI's own solver, ``solve_dependencies``, with the two exit stacks that FastAPI's
  request handling opens around it.

Rounds are interleaved (every contender once per round, in a rotating order) and the table shows
the median time per call and its ratio to the hand-written floor.

Run: ``uv run --frozen --no-sync python benchmarks/di.py``
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Annotated, Any

import dishka
import fastapi
from fastapi.dependencies.utils import get_dependant, solve_dependencies
from microapi_di import Container, Depends
from starlette.requests import Request

ROUNDS = 25
SAMPLE_SECONDS = 0.03


class Session:
    """Stands in for a database session."""

    closed = 0


class RepoA:
    def __init__(self, session: Session) -> None:
        self.session = session


class RepoB:
    def __init__(self, session: Session) -> None:
        self.session = session


class Service:
    def __init__(self, a: RepoA, b: RepoB) -> None:
        self.a = a
        self.b = b


async def open_session(request: Request) -> AsyncIterator[Session]:
    session = Session()
    try:
        yield session
    finally:
        Session.closed += 1


async def handle(service: Service) -> int:
    return 1 if service.a.session is service.b.session else 0


# hand-written ---------------------------------------------------------------------------------


async def hand_written(request: Request) -> int:
    generator = open_session(request)
    session = await generator.__anext__()
    try:
        result = await handle(Service(RepoA(session), RepoB(session)))
    except BaseException as error:
        try:
            await generator.athrow(error)
        except BaseException as teardown_error:
            if teardown_error is not error:
                raise
        raise
    try:  # noqa: SIM105 - contextlib.suppress would add a context manager to the floor
        await generator.__anext__()
    except StopAsyncIteration:
        pass
    return result


# microapi_di ----------------------------------------------------------------------------------


def ours_repo_a(session: Annotated[Session, Depends(open_session)]) -> RepoA:
    return RepoA(session)


def ours_repo_b(session: Annotated[Session, Depends(open_session)]) -> RepoB:
    return RepoB(session)


def ours_service(
    a: Annotated[RepoA, Depends(ours_repo_a)], b: Annotated[RepoB, Depends(ours_repo_b)]
) -> Service:
    return Service(a, b)


async def ours_handler(service: Annotated[Service, Depends(ours_service)]) -> int:
    return await handle(service)


# FastAPI --------------------------------------------------------------------------------------


def fa_repo_a(session: Annotated[Session, fastapi.Depends(open_session)]) -> RepoA:
    return RepoA(session)


def fa_repo_b(session: Annotated[Session, fastapi.Depends(open_session)]) -> RepoB:
    return RepoB(session)


def fa_service(
    a: Annotated[RepoA, fastapi.Depends(fa_repo_a)],
    b: Annotated[RepoB, fastapi.Depends(fa_repo_b)],
) -> Service:
    return Service(a, b)


async def fa_handler(service: Annotated[Service, fastapi.Depends(fa_service)]) -> int:
    return await handle(service)


# FastAPI runs plain `def` dependencies in a thread pool; `async def` ones stay on the loop,
# which is its fast path, so that is the variant compared in the table's main FastAPI row.


async def fa_async_repo_a(session: Annotated[Session, fastapi.Depends(open_session)]) -> RepoA:
    return RepoA(session)


async def fa_async_repo_b(session: Annotated[Session, fastapi.Depends(open_session)]) -> RepoB:
    return RepoB(session)


async def fa_async_service(
    a: Annotated[RepoA, fastapi.Depends(fa_async_repo_a)],
    b: Annotated[RepoB, fastapi.Depends(fa_async_repo_b)],
) -> Service:
    return Service(a, b)


async def fa_async_handler(
    service: Annotated[Service, fastapi.Depends(fa_async_service)],
) -> int:
    return await handle(service)


# dishka ---------------------------------------------------------------------------------------


class DishkaProvider(dishka.Provider):
    request = dishka.from_context(provides=Request, scope=dishka.Scope.REQUEST)

    @dishka.provide(scope=dishka.Scope.REQUEST)
    async def session(self, request: Request) -> AsyncIterator[Session]:
        async for session in open_session(request):
            yield session

    @dishka.provide(scope=dishka.Scope.REQUEST)
    def repo_a(self, session: Session) -> RepoA:
        return RepoA(session)

    @dishka.provide(scope=dishka.Scope.REQUEST)
    def repo_b(self, session: Session) -> RepoB:
        return RepoB(session)

    @dishka.provide(scope=dishka.Scope.REQUEST)
    def service(self, a: RepoA, b: RepoB) -> Service:
        return Service(a, b)


# the run --------------------------------------------------------------------------------------

Contender = Callable[[], Awaitable[int]]


async def contenders(request: Request, stack: AsyncExitStack) -> dict[str, Contender]:
    container = Container()
    container.provide(Request)
    prepared = container.prepare(ours_handler)
    app = await stack.enter_async_context(container.app_scope())

    async def ours_run() -> int:
        return await app.run(prepared, {Request: request})

    async def ours_scope() -> int:
        async with app.request({Request: request}) as scope:
            return await scope.call(prepared)

    dishka_container = dishka.make_async_container(DishkaProvider())
    stack.push_async_callback(dishka_container.close)

    async def dishka_call() -> int:
        async with dishka_container(context={Request: request}) as scoped:
            return await handle(await scoped.get(Service))

    def fastapi_solver(handler: Callable[..., Awaitable[int]]) -> Contender:
        dependant = get_dependant(path="/", call=handler)

        async def solve() -> int:
            async with AsyncExitStack() as request_stack:
                request.scope["fastapi_inner_astack"] = request_stack
                async with AsyncExitStack() as function_stack:
                    request.scope["fastapi_function_astack"] = function_stack
                    solved = await solve_dependencies(
                        request=request,
                        dependant=dependant,
                        async_exit_stack=request_stack,
                        embed_body_fields=False,
                    )
                    result = await handler(**solved.values)
            return result

        return solve

    async def floor() -> int:
        return await hand_written(request)

    return {
        "hand-written": floor,
        "microapi_di run": ours_run,
        "microapi_di scope": ours_scope,
        "dishka": dishka_call,
        "fastapi solver (async def deps)": fastapi_solver(fa_async_handler),
        "fastapi solver (def deps)": fastapi_solver(fa_handler),
    }


async def sample(contender: Contender, calls: int) -> float:
    """Seconds per call over `calls` calls."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            await contender()
        return (time.perf_counter() - start) / calls
    finally:
        gc.enable()


async def calibrate(contender: Contender) -> int:
    calls = 100
    while (elapsed := await sample(contender, calls) * calls) < SAMPLE_SECONDS / 4:
        calls *= 4
    return max(100, int(calls * SAMPLE_SECONDS / elapsed))


async def check(named: dict[str, Contender]) -> None:
    """Every contender computes the same answer and tears the session down once per call."""
    for name, contender in named.items():
        before = Session.closed
        assert await contender() == 1, name
        assert Session.closed == before + 1, f"{name} did not tear down exactly once"


async def main() -> None:
    request = Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    )
    async with AsyncExitStack() as stack:
        named = await contenders(request, stack)
        await check(named)
        calls = {name: await calibrate(contender) for name, contender in named.items()}
        times: dict[str, list[float]] = {name: [] for name in named}
        order = list(named)
        for round_number in range(ROUNDS):
            shift = round_number % len(order)
            for name in order[shift:] + order[:shift]:
                times[name].append(await sample(named[name], calls[name]))
    report(times)


def report(times: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(samples) for name, samples in times.items()}
    floor = medians["hand-written"]
    print(f"DI per request: {ROUNDS} interleaved rounds, median per call")
    print()
    print("| contender | µs per call | x hand-written |")
    print("|---|---:|---:|")
    for name, median in medians.items():
        print(f"| {name} | {median * 1e6:.2f} | {median / floor:.2f} |")


def run() -> Any:
    return asyncio.run(main())


if __name__ == "__main__":
    run()
