"""A handler as the dependency plan calls it: a coroutine function returning its response."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from microapi_di import CallKind, call_kind

from .responses import JSONResponse, Response


def to_response(result: Any) -> Response:
    """A handler's return value as a response: a `Response` as is, anything else JSON."""
    return result if isinstance(result, Response) else JSONResponse(result)


def responder(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` as a coroutine function that returns its response.

    The response is built inside the call, so inside the request scope: a value that cannot
    be encoded is an error the generator dependencies see (they roll back), and teardown
    cannot change what the handler returned. A plain function runs in a worker thread so it
    cannot block the event loop. The wrapper keeps `fn`'s signature (`__wrapped__`), so
    dependency resolution sees the user's parameters.
    """
    if call_kind(fn) is CallKind.CORO:

        @functools.wraps(fn)
        async def respond(*args: Any, **kwargs: Any) -> Response:
            return to_response(await fn(*args, **kwargs))

    else:

        @functools.wraps(fn)
        async def respond(*args: Any, **kwargs: Any) -> Response:
            return to_response(await asyncio.to_thread(fn, *args, **kwargs))

    return respond
