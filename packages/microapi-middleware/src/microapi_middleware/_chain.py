"""Nesting middlewares around an endpoint: the hot path, built once and run per request.

Each layer costs one coroutine (to check what the middleware returned) and one small closure
per pass (the single-use `call_next`); anything cheaper could not tell two calls apart across
concurrent requests sharing one chain.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Sequence
from typing import cast

from ._errors import CallNextTwiceError, InvalidResponseError
from ._types import Chain, Endpoint, IsResponse, Middleware, Recover, Req, Resp


def compose(
    middlewares: Sequence[Middleware[Req, Resp]],
    endpoint: Endpoint[Req, Resp],
    is_response: IsResponse | None,
    recover: Recover[Req, Resp] | None,
) -> Chain[Req, Resp]:
    """Nest `middlewares` around `endpoint`, the first outermost; no middleware → `endpoint`.

    `endpoint` must already be known to be async (the pipeline checks it when building).
    """
    call = cast(Chain[Req, Resp], endpoint)
    for middleware in reversed(middlewares):
        call = _layer(middleware, call, is_response, recover)
    return call


def _layer(
    middleware: Middleware[Req, Resp],
    inner: Chain[Req, Resp],
    is_response: IsResponse | None,
    recover: Recover[Req, Resp] | None,
) -> Chain[Req, Resp]:
    """Wrap `inner` in `middleware`: a fresh single-use `call_next` per pass, result checked.

    With `recover`, what the layer raises (the middleware, or the check of its result) becomes
    the layer's response; the `try` costs nothing until something is raised.
    """

    async def run(request: Req) -> Resp:
        called = False

        # Plain `def`: it hands back the inner coroutine instead of adding a frame of its own.
        def call_next(request: Req) -> Awaitable[Resp]:
            nonlocal called
            if called:
                raise CallNextTwiceError(middleware)
            called = True
            return inner(request)

        try:
            response = await middleware(request, call_next)
            if is_response is None:
                if response is None or inspect.isawaitable(response):
                    if inspect.iscoroutine(response):
                        response.close()  # never awaited: close it rather than leak a warning
                    raise InvalidResponseError(middleware, response)
            elif not is_response(response):
                raise InvalidResponseError(middleware, response)
        except Exception as exc:
            if recover is None:
                raise
            recovered: Resp = await recover(request, exc)
            return recovered
        return response

    return run
