"""How core names the user's objects in messages and logs: `module:qualname`."""

from __future__ import annotations

import functools
import inspect
from typing import Any


def qualified_name(obj: Any) -> str:
    """`module:qualname` of a function, method or class.

    A `functools.partial` is named by the function it wraps, and any other object (a callable
    instance, say) by its class.
    """
    while isinstance(obj, functools.partial):
        obj = obj.func
    has_own_name = isinstance(getattr(obj, "__qualname__", None), str) and (
        inspect.isroutine(obj) or inspect.isclass(obj)
    )
    target = obj if has_own_name else type(obj)
    module = getattr(target, "__module__", None) or "?"
    return f"{module}:{target.__qualname__}"
