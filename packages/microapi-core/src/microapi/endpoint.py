"""A route's handler, prepared once: its dependency plan and how its result becomes a response."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from microapi_di import CallKind, Container, call_kind

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


class Endpoint:
    """What the router stores per route: the user's function and its prepared plan."""

    __slots__ = ("fn", "handler", "methods", "plan", "template")

    def __init__(self, fn: Callable[..., Any], template: str, methods: tuple[str, ...]) -> None:
        self.fn = fn
        self.template = template
        self.methods = methods
        self.handler = responder(fn)
        self.plan: Any = None

    def prepare(self, container: Container) -> None:
        """Build the dependency plan; unresolvable parameters raise here, not per request."""
        self.plan = container.prepare(self.handler)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", type(self.fn).__qualname__)
        return f"Endpoint({', '.join(self.methods)} {self.template} -> {name})"
