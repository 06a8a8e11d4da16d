"""Bad middlewares, endpoints and late additions fail at once, naming the culprit."""

from __future__ import annotations

import asyncio
import functools
from typing import Any, cast

import pytest
from microapi_middleware import (
    CallNext,
    Endpoint,
    FrozenPipelineError,
    Middleware,
    MiddlewareError,
    Pipeline,
)


async def echo(request: str) -> str:
    return request


async def passing(request: str, call_next: CallNext[str, str]) -> str:
    return f"passing({await call_next(request)})"


def sync_middleware(request: str, call_next: CallNext[str, str]) -> str:
    return request


async def one_argument(request: str) -> str:
    return request


async def three_arguments(request: str, call_next: CallNext[str, str], extra: int) -> str:
    return request


class AsyncCallable:
    async def __call__(self, request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request)


def sync_endpoint(request: str) -> str:
    return request


def _pipeline_with_one() -> Pipeline[str, str]:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(passing)
    return pipeline


def _still_works(pipeline: Pipeline[str, str]) -> None:
    assert pipeline.middlewares == (passing,)
    assert asyncio.run(pipeline.build(echo)("x")) == "passing(x)"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (sync_middleware, ["sync_middleware", "not an async function"]),
        (lambda request, call_next: call_next(request), ["<lambda>", "not an async function"]),
        (one_argument, ["one_argument", "cannot be called as mw(request, call_next)"]),
        (three_arguments, ["three_arguments", "cannot be called as mw(request, call_next)"]),
        (AsyncCallable, ["AsyncCallable", "is a class"]),
        (functools.partial(sync_middleware), ["functools.partial(", "sync_middleware"]),
    ],
    ids=["sync", "sync-lambda", "one-arg", "three-args", "class", "sync-partial"],
)
def test_bad_middleware_is_a_type_error_naming_it(bad: object, words: list[str]) -> None:
    pipeline = _pipeline_with_one()

    with pytest.raises(TypeError) as caught:
        pipeline.add(cast(Any, bad))

    message = str(caught.value)
    assert "test_validation." in message
    for word in words:
        assert word in message
    _still_works(pipeline)


def test_non_callable_middleware_is_a_type_error_showing_it() -> None:
    pipeline = _pipeline_with_one()

    with pytest.raises(TypeError, match="middleware 42 is not callable"):
        pipeline.add(cast(Any, 42))
    _still_works(pipeline)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (sync_endpoint, ["test_validation.sync_endpoint", "not an async function"]),
        (passing, ["test_validation.passing", "cannot be called as endpoint(request)"]),
        ("text", ["endpoint 'text' is not callable"]),
    ],
    ids=["sync", "two-args", "not-callable"],
)
def test_bad_endpoint_is_a_type_error_naming_it(bad: object, words: list[str]) -> None:
    pipeline = _pipeline_with_one()

    with pytest.raises(TypeError) as caught:
        pipeline.build(cast(Endpoint[str, str], bad))

    for word in words:
        assert word in str(caught.value)
    _still_works(pipeline)


def test_bad_endpoint_is_refused_even_without_middleware() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    with pytest.raises(TypeError, match="sync_endpoint"):
        pipeline.build(cast(Endpoint[str, str], sync_endpoint))


def test_is_response_must_be_callable() -> None:
    with pytest.raises(TypeError, match="is_response must be callable"):
        Pipeline[str, str](is_response=cast(Any, "yes"))


def test_adding_to_a_frozen_pipeline_raises_naming_the_middleware() -> None:
    pipeline = _pipeline_with_one()
    app = pipeline.build(echo)
    pipeline.freeze()

    async def late(request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request)

    with pytest.raises(FrozenPipelineError) as caught:
        pipeline.add(late)

    assert "test_adding_to_a_frozen_pipeline_raises_naming_the_middleware.<locals>.late" in str(
        caught.value
    )
    assert "frozen" in str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    assert isinstance(caught.value, MiddlewareError)
    assert caught.value.middleware is late
    _still_works(pipeline)
    assert asyncio.run(app("y")) == "passing(y)"


def test_frozen_pipeline_refuses_even_a_bad_middleware_as_frozen() -> None:
    pipeline = _pipeline_with_one()
    pipeline.freeze()
    with pytest.raises(FrozenPipelineError, match="sync_middleware"):
        pipeline.add(cast(Middleware[str, str], sync_middleware))


def test_freeze_is_idempotent_and_reported() -> None:
    pipeline = _pipeline_with_one()
    assert not pipeline.frozen
    pipeline.freeze()
    pipeline.freeze()
    assert pipeline.frozen
    _still_works(pipeline)
