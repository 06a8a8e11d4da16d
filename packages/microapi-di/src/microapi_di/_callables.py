"""What kind of callable a dependency is, and how to name it in messages."""

from __future__ import annotations

import enum
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any


class CallKind(enum.Enum):
    """How a dependency's result becomes its value."""

    SYNC = "function"
    CORO = "coroutine function"
    GEN = "generator"
    AGEN = "async generator"

    @property
    def article(self) -> str:
        """The kind with its indefinite article, for messages."""
        return ("an " if self.value[0] in "aeiou" else "a ") + self.value

    @property
    def is_async(self) -> bool:
        """Whether running this kind needs an event loop."""
        return self in (CallKind.CORO, CallKind.AGEN)

    @property
    def has_teardown(self) -> bool:
        """Whether the value comes with code to run when its scope ends."""
        return self in (CallKind.GEN, CallKind.AGEN)


def call_kind(call: Callable[..., Any]) -> CallKind:
    """Classify `call` from its definition (the code flags), never by calling it.

    Looks through `functools.partial` (also over a callable object) and through a callable
    object's class `__call__`. A wrapper made with `functools.wraps` whose target is a coroutine
    function counts as a coroutine function: calling it returns the target's awaitable. Wrappers
    are not followed to generators (`contextlib.contextmanager` wraps one and returns a context
    manager). Calling a class constructs an instance, which is synchronous.
    """
    while isinstance(call, functools.partial):
        call = call.func
    if isinstance(call, type):
        return CallKind.SYNC
    for probe in (call, type(call).__call__):
        if inspect.isasyncgenfunction(probe):
            return CallKind.AGEN
        if inspect.iscoroutinefunction(probe):
            return CallKind.CORO
        if inspect.isgeneratorfunction(probe):
            return CallKind.GEN
    if inspect.iscoroutinefunction(_unwrapped(call)):
        return CallKind.CORO
    return CallKind.SYNC


def _unwrapped(call: Callable[..., Any]) -> Callable[..., Any]:
    """The innermost `__wrapped__` of `call` (itself when it wraps nothing, or on a loop)."""
    try:
        inner: Callable[..., Any] = inspect.unwrap(call)
    except ValueError:  # a __wrapped__ cycle
        return call
    return inner


def describe(thing: object) -> str:
    """A short human name for a callable or a key: its qualified name when it has one."""
    if isinstance(thing, str):
        return repr(thing)
    if typing.get_origin(thing) is not None:
        return repr(thing)
    if isinstance(thing, functools.partial):
        return f"partial({describe(thing.func)})"
    name = getattr(thing, "__qualname__", None) or getattr(thing, "__name__", None)
    if isinstance(name, str):
        return name
    if callable(thing):
        return f"{type(thing).__qualname__} instance"
    return repr(thing)
