"""Order, wrapping, short-circuiting, observing and replacing the request."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st
from microapi_middleware import CallNext, Endpoint, Middleware, Pipeline


async def echo(request: str) -> str:
    return f"endpoint({request})"


def tracing(name: str, trace: list[str]) -> Middleware[str, str]:
    async def middleware(request: str, call_next: CallNext[str, str]) -> str:
        trace.append(f"{name} before")
        response = await call_next(request)
        trace.append(f"{name} after")
        return f"{name}({response})"

    return middleware


def test_first_added_is_outermost() -> None:
    trace: list[str] = []
    pipeline: Pipeline[str, str] = Pipeline()
    for name in ("a", "b", "c"):
        pipeline.add(tracing(name, trace))

    response = asyncio.run(pipeline.build(echo)("x"))

    assert response == "a(b(c(endpoint(x))))"
    assert trace == ["a before", "b before", "c before", "c after", "b after", "a after"]


def test_short_circuit_skips_inner_middlewares_and_endpoint() -> None:
    trace: list[str] = []
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(tracing("outer", trace))

    @pipeline.add
    async def deny(request: str, call_next: CallNext[str, str]) -> str:
        return "denied" if request == "secret" else await call_next(request)

    pipeline.add(tracing("inner", trace))
    app = pipeline.build(echo)

    assert asyncio.run(app("secret")) == "outer(denied)"
    assert trace == ["outer before", "outer after"]
    assert asyncio.run(app("open")) == "outer(inner(endpoint(open)))"


def test_replaced_request_reaches_the_rest_of_the_chain() -> None:
    seen: list[str] = []
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def upper(request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request.upper())

    @pipeline.add
    async def observe(request: str, call_next: CallNext[str, str]) -> str:
        seen.append(request)
        return await call_next(request)

    assert asyncio.run(pipeline.build(echo)("hi")) == "endpoint(HI)"
    assert seen == ["HI"]


def test_no_middleware_builds_the_endpoint_itself() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    assert pipeline.build(echo) is echo


def test_built_chain_serves_many_requests() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(tracing("a", []))
    app = pipeline.build(echo)

    async def many() -> list[str]:
        return [await app(str(n)) for n in range(3)]

    assert asyncio.run(many()) == ["a(endpoint(0))", "a(endpoint(1))", "a(endpoint(2))"]


def test_concurrent_requests_each_get_their_own_call_next() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def slow(request: str, call_next: CallNext[str, str]) -> str:
        await asyncio.sleep(0.01 if request == "first" else 0)
        return await call_next(request)

    async def endpoint(request: str) -> str:
        await asyncio.sleep(0)
        return request

    app = pipeline.build(endpoint)

    async def both() -> list[str]:
        return list(await asyncio.gather(app("first"), app("second")))

    assert asyncio.run(both()) == ["first", "second"]


def test_endpoint_may_be_an_object_with_async_call() -> None:
    class Counter:
        def __init__(self) -> None:
            self.calls = 0

        async def __call__(self, request: str) -> str:
            self.calls += 1
            return request

    counter = Counter()
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(tracing("a", []))
    endpoint: Endpoint[str, str] = counter

    assert asyncio.run(pipeline.build(endpoint)("x")) == "a(x)"
    assert counter.calls == 1


@given(layers=st.integers(min_value=0, max_value=8), stop=st.integers(min_value=0, max_value=9))
def test_trace_is_nested_up_to_the_short_circuit(layers: int, stop: int) -> None:
    trace: list[str] = []
    pipeline: Pipeline[str, str] = Pipeline()
    for index in range(layers):
        pipeline.add(_stopping(index, stop, trace))

    response = asyncio.run(pipeline.build(echo)("x"))

    entered = list(range(min(stop + 1, layers)))
    assert trace == [f"in {i}" for i in entered] + [f"out {i}" for i in reversed(entered)]
    assert response == ("stopped" if stop < layers else "endpoint(x)")


def _stopping(index: int, stop: int, trace: list[str]) -> Middleware[str, str]:
    async def middleware(request: str, call_next: CallNext[str, str]) -> str:
        trace.append(f"in {index}")
        response = "stopped" if index == stop else await call_next(request)
        trace.append(f"out {index}")
        return response

    return middleware
