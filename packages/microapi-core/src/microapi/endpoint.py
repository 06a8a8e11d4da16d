"""A route's handler, prepared once: its dependency plan and how its result becomes a response."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import Any

from microapi_di import Container


def as_async(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a plain function in a worker thread so it cannot block the event loop.

    The wrapper keeps `fn`'s signature and annotations, so dependency
    resolution sees the user's parameters.
    """
    # A callable object is async when its class's __call__ is.
    if inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__):
        return fn

    @functools.wraps(fn)
    async def in_thread(*args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kwargs)

    return in_thread


class Endpoint:
    """What the router stores per route: the user's function and its prepared plan."""

    __slots__ = ("fn", "handler", "methods", "plan", "template")

    def __init__(self, fn: Callable[..., Any], template: str, methods: tuple[str, ...]) -> None:
        self.fn = fn
        self.template = template
        self.methods = methods
        self.handler = as_async(fn)
        self.plan: Any = None

    def prepare(self, container: Container) -> None:
        """Build the dependency plan; unresolvable parameters raise here, not per request."""
        self.plan = container.prepare(self.handler)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", type(self.fn).__qualname__)
        return f"Endpoint({', '.join(self.methods)} {self.template} -> {name})"
