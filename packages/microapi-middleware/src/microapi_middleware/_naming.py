"""Readable names for user callables, so every error says whose code is at fault."""

from __future__ import annotations

import functools


def describe(obj: object) -> str:
    """Return `module.qualname` of a function, method, partial or callable object."""
    if isinstance(obj, functools.partial):
        return f"functools.partial({describe(obj.func)})"
    # A callable object has no __qualname__ of its own: name its class.
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    qualname = str(getattr(named, "__qualname__", type(obj).__qualname__))
    module = getattr(named, "__module__", None)
    return f"{module}.{qualname}" if module else qualname
