"""Exceptions flow outward; call_next twice and non-responses are named, clear errors."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast

import pytest
from microapi_middleware import (
    CallNext,
    CallNextTwiceError,
    InvalidResponseError,
    Middleware,
    MiddlewareError,
    Pipeline,
)


async def echo(request: str) -> str:
    return request


class Boom(Exception):
    pass


async def explode(request: str) -> str:
    raise Boom(request)


def test_exception_passes_through_every_middleware() -> None:
    seen: list[str] = []
    pipeline: Pipeline[str, str] = Pipeline()
    for name in ("outer", "inner"):
        pipeline.add(_witness(name, seen))

    with pytest.raises(Boom, match="req"):
        asyncio.run(pipeline.build(explode)("req"))
    assert seen == ["inner saw Boom", "outer saw Boom"]


def _witness(name: str, seen: list[str]) -> Middleware[str, str]:
    async def middleware(request: str, call_next: CallNext[str, str]) -> str:
        try:
            return await call_next(request)
        except Boom:
            seen.append(f"{name} saw Boom")
            raise

    return middleware


def test_a_middleware_turns_an_exception_into_a_response() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def outer(request: str, call_next: CallNext[str, str]) -> str:
        return f"outer({await call_next(request)})"

    @pipeline.add
    async def handle(request: str, call_next: CallNext[str, str]) -> str:
        try:
            return await call_next(request)
        except Boom as error:
            return f"500 {error}"

    assert asyncio.run(pipeline.build(explode)("oops")) == "outer(500 oops)"


def _twice_on(word: str) -> Middleware[str, str]:
    async def twice(request: str, call_next: CallNext[str, str]) -> str:
        first = await call_next(request)
        return await call_next(request) if request == word else first

    return twice


def test_calling_call_next_twice_is_an_error_naming_the_middleware() -> None:
    calls: list[str] = []

    async def counting(request: str) -> str:
        calls.append(request)
        return request

    pipeline: Pipeline[str, str] = Pipeline()
    twice = pipeline.add(_twice_on("again"))
    app = pipeline.build(counting)

    with pytest.raises(CallNextTwiceError) as caught:
        asyncio.run(app("again"))

    assert "test_errors._twice_on.<locals>.twice" in str(caught.value)
    assert "called call_next twice in one pass" in str(caught.value)
    assert caught.value.middleware is twice
    assert isinstance(caught.value, MiddlewareError)
    assert calls == ["again"]
    assert asyncio.run(app("fine")) == "fine"


def test_the_inner_offender_is_named_not_the_outer_middleware() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def outer(request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request)

    inner = pipeline.add(_twice_on("again"))

    with pytest.raises(CallNextTwiceError) as caught:
        asyncio.run(pipeline.build(echo)("again"))
    assert caught.value.middleware is inner
    assert "outer" not in str(caught.value)


def test_second_call_after_a_short_circuit_below_is_an_error() -> None:
    pipeline: Pipeline[str, str] = Pipeline()
    pipeline.add(_twice_on("again"))

    @pipeline.add
    async def stop(request: str, call_next: CallNext[str, str]) -> str:
        return "stopped"

    with pytest.raises(CallNextTwiceError, match="twice"):
        asyncio.run(pipeline.build(echo)("again"))


def test_concurrent_second_call_is_an_error_before_anything_runs() -> None:
    calls: list[str] = []

    async def counting(request: str) -> str:
        calls.append(request)
        return request

    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def fan_out(request: str, call_next: CallNext[str, str]) -> str:
        first = call_next(request)
        try:
            second = call_next(request)
        finally:
            await first
        return await second

    with pytest.raises(CallNextTwiceError, match="fan_out"):
        asyncio.run(pipeline.build(counting)("x"))
    assert calls == ["x"]


def test_retrying_after_an_exception_counts_as_a_second_call() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def retry(request: str, call_next: CallNext[str, str]) -> str:
        try:
            return await call_next(request)
        except Boom:
            return await call_next(request)

    with pytest.raises(CallNextTwiceError, match="retry"):
        asyncio.run(pipeline.build(explode)("x"))


def test_returning_none_is_an_error_naming_the_middleware() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def forgetful(request: str, call_next: CallNext[str, str]) -> str:
        response = await call_next(request)
        if request == "forget":
            return cast(str, None)  # the bug under test: a forgotten return
        return response

    app = pipeline.build(echo)

    with pytest.raises(InvalidResponseError) as caught:
        asyncio.run(app("forget"))

    message = str(caught.value)
    assert "test_errors.test_returning_none_is_an_error_naming_the_middleware" in message
    assert "forgetful' returned None" in message
    assert "return await call_next(request)" in message
    assert isinstance(caught.value, TypeError)
    assert caught.value.response is None
    assert asyncio.run(app("remember")) == "remember"


def test_an_endpoint_returning_none_is_reported_against_the_innermost_middleware() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def outer(request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request)

    @pipeline.add
    async def innermost(request: str, call_next: CallNext[str, str]) -> str:
        return await call_next(request)

    async def endpoint(request: str) -> str:
        return cast(str, None) if request == "none" else request

    app = pipeline.build(endpoint)

    with pytest.raises(InvalidResponseError, match=r"innermost' returned None") as caught:
        asyncio.run(app("none"))
    assert caught.value.middleware is innermost
    assert asyncio.run(app("x")) == "x"


@dataclass
class Response:
    body: str


def is_response(value: object) -> bool:
    return isinstance(value, Response)


async def respond(request: str) -> Response:
    return Response(request)


def test_is_response_rejects_other_results_and_names_them() -> None:
    pipeline: Pipeline[str, Response] = Pipeline(is_response=is_response)

    @pipeline.add
    async def sloppy(request: str, call_next: CallNext[str, Response]) -> Response:
        response = await call_next(request)
        return cast(Response, response.body) if request == "bad" else response

    app = pipeline.build(respond)

    with pytest.raises(InvalidResponseError) as caught:
        asyncio.run(app("bad"))

    message = str(caught.value)
    assert "sloppy' returned 'bad' (str), which is not a response" in message
    assert caught.value.response == "bad"
    assert asyncio.run(app("good")) == Response("good")


def test_is_response_alone_decides_even_for_none() -> None:
    pipeline: Pipeline[str, str | None] = Pipeline(is_response=lambda value: True)

    @pipeline.add
    async def nothing(request: str, call_next: CallNext[str, str | None]) -> str | None:
        return None

    assert asyncio.run(pipeline.build(echo)("x")) is None


def test_long_results_are_shortened_in_the_message() -> None:
    pipeline: Pipeline[str, Response] = Pipeline(is_response=is_response)

    @pipeline.add
    async def chatty(request: str, call_next: CallNext[str, Response]) -> Response:
        return cast(Response, "x" * 10_000)

    with pytest.raises(InvalidResponseError) as caught:
        asyncio.run(pipeline.build(respond)("x"))
    assert len(str(caught.value)) < 300


def test_returning_an_unawaited_call_next_is_an_error_naming_the_middleware() -> None:
    pipeline: Pipeline[str, str] = Pipeline()

    @pipeline.add
    async def hasty(request: str, call_next: CallNext[str, str]) -> str:
        if request == "hasty":
            return cast(str, call_next(request))  # the bug under test: a forgotten await
        return await call_next(request)

    app = pipeline.build(echo)
    with pytest.raises(InvalidResponseError, match=r"hasty' returned an awaitable .*await"):
        asyncio.run(app("hasty"))
    assert asyncio.run(app("careful")) == "careful"
