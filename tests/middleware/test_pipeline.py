"""The Pipeline API: adding, decorating, inspecting, snapshots and accepted callables."""

from __future__ import annotations

import asyncio
import functools

import microapi_middleware
import pytest
from microapi_middleware import CallNext, Middleware, Pipeline


async def echo(request: str) -> str:
    return request


async def first(request: str, call_next: CallNext[str, str]) -> str:
    return f"first({await call_next(request)})"


async def second(request: str, call_next: CallNext[str, str]) -> str:
    return f"second({await call_next(request)})"


def test_add_returns_the_middleware_unchanged() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    assert pipeline.add(first) is first


def test_add_works_as_a_decorator() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def decorated(request: str, call_next: CallNext[str, str]) -> str:
        return f"decorated({await call_next(request)})"

    async def call_directly() -> str:
        return await decorated("x", echo)

    assert asyncio.run(call_directly()) == "decorated(x)"
    assert pipeline.middlewares == (decorated,)


def test_middlewares_lists_execution_order_outermost_first() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(first)
    pipeline.add(second)
    assert pipeline.middlewares == (first, second)


def test_the_same_middleware_added_twice_runs_twice() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(first)
    pipeline.add(first)
    assert asyncio.run(pipeline.build(echo)("x")) == "first(first(x))"


def test_a_built_chain_is_a_snapshot() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(first)
    before = pipeline.build(echo)
    pipeline.add(second)
    after = pipeline.build(echo)

    assert asyncio.run(before("x")) == "first(x)"
    assert asyncio.run(after("x")) == "first(second(x))"


def test_async_callable_objects_and_partials_are_middlewares() -> None:
    class Tag:
        def __init__(self, tag: str) -> None:
            self.tag = tag

        async def __call__(self, request: str, call_next: CallNext[str, str]) -> str:
            return f"{self.tag}({await call_next(request)})"

    async def labelled(label: str, request: str, call_next: CallNext[str, str]) -> str:
        return f"{label}({await call_next(request)})"

    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(Tag("obj"))
    partial: Middleware[str, str] = functools.partial(labelled, "part")
    pipeline.add(partial)

    assert asyncio.run(pipeline.build(echo)("x")) == "obj(part(x))"


def test_repr_shows_the_chain_and_frozen_state() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(first)
    pipeline.freeze()
    assert repr(pipeline) == "Pipeline([tests.middleware.test_pipeline.first], frozen=True)"


def test_public_names() -> None:
    assert set(microapi_middleware.__all__) == {
        "CallNext",
        "CallNextTwiceError",
        "Chain",
        "Endpoint",
        "FrozenPipelineError",
        "InvalidResponseError",
        "IsResponse",
        "Middleware",
        "MiddlewareError",
        "Pipeline",
        "Recover",
        "__version__",
    }
    for name in microapi_middleware.__all__:
        assert hasattr(microapi_middleware, name)


def test_recover_turns_a_layers_exception_into_its_response() -> None:
    seen: list[str] = []

    async def outer(request: str, call_next: CallNext[str, str]) -> str:
        response = await call_next(request)
        seen.append(f"outer saw {response!r}")
        return response

    async def broken(request: str, call_next: CallNext[str, str]) -> str:
        raise ValueError(f"broken on {request}")

    async def returns_none(request: str, call_next: CallNext[str, str]) -> str:
        return None  # type: ignore[return-value]

    async def recover(request: str, exc: Exception) -> str:
        return f"recovered {type(exc).__name__}"

    async def endpoint(request: str) -> str:
        return "ok"

    for inner in (broken, returns_none):
        pipeline = Pipeline[str, str](recover=recover)
        pipeline.add(outer)
        pipeline.add(inner)
        chain = pipeline.build(endpoint)
        assert asyncio.run(chain("r")) in ("recovered ValueError", "recovered InvalidResponseError")
    assert seen == [
        "outer saw 'recovered ValueError'",
        "outer saw 'recovered InvalidResponseError'",
    ]
    plain = Pipeline[str, str]()
    plain.add(broken)
    with pytest.raises(ValueError, match="broken on r"):
        asyncio.run(plain.build(endpoint)("r"))
    with pytest.raises(TypeError, match="recover"):
        Pipeline[str, str](recover="nope")  # type: ignore[arg-type]


def test_recover_answers_the_endpoints_error_at_the_innermost_layer_and_again_outward() -> None:
    """With a middleware, the endpoint's error becomes the innermost layer's response; an
    error `recover` re-raises is offered to `recover` again at every layer further out; with
    no middleware the endpoint is the chain and its error propagates."""
    offered: list[str] = []

    async def failing(request: str) -> str:
        raise ValueError(request)

    async def recover(request: str, exc: Exception) -> str:
        offered.append(type(exc).__name__)
        if isinstance(exc, KeyError):
            raise exc
        return f"recovered {exc}"

    async def passthrough(request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request)

    pipeline: Pipeline[str, str] = Pipeline(
        is_response=lambda r: isinstance(r, str), recover=recover
    )
    with pytest.raises(ValueError, match="bare"):
        asyncio.run(pipeline.build(failing)("bare"))
    assert offered == []
    pipeline.add(passthrough)
    pipeline.add(passthrough)
    assert asyncio.run(pipeline.build(failing)("inner")) == "recovered inner"
    assert offered == ["ValueError"]

    async def missing(request: str) -> str:
        raise KeyError(request)

    offered.clear()
    with pytest.raises(KeyError):
        asyncio.run(pipeline.build(missing)("x"))
    assert offered == ["KeyError", "KeyError"]  # once per layer
