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

    Functions, methods and `functools.partial` are read directly; an instance is read through
    its `__call__`; calling a class constructs an instance, which is synchronous.
    """
    if isinstance(call, type):
        return CallKind.SYNC
    for probe in (call, type(call).__call__):
        if inspect.isasyncgenfunction(probe):
            return CallKind.AGEN
        if inspect.iscoroutinefunction(probe):
            return CallKind.CORO
        if inspect.isgeneratorfunction(probe):
            return CallKind.GEN
    return CallKind.SYNC


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
