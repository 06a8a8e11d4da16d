"""How the introspection views name Python objects: `module:qualname` and `file:line`."""

from __future__ import annotations

import functools
import inspect
import os
from typing import Any


def qualified_name(obj: Any) -> str:
    """`module:qualname` of a function, method or class; a string key is shown quoted.

    A `functools.partial` is named by the function it wraps, and any other object (a callable
    instance, say) by its class.
    """
    if isinstance(obj, str):
        return repr(obj)
    if isinstance(obj, functools.partial):
        return qualified_name(obj.func)
    target = obj if _has_own_name(obj) else type(obj)
    module = getattr(target, "__module__", None) or "?"
    return f"{module}:{target.__qualname__}"


def source_location(obj: Any) -> str | None:
    """`path:line` where `obj` (or, for an instance, its class) is defined, if Python knows.

    The path is relative to the current directory when it lies below it.
    """
    target = inspect.unwrap(obj.func if isinstance(obj, functools.partial) else obj)
    if not _has_own_name(target):
        target = type(target)
    try:
        path = inspect.getsourcefile(target)
        _, line = inspect.getsourcelines(target)
    except (OSError, TypeError):
        return None
    if path is None:
        return None
    return f"{_shorten(path)}:{max(line, 1)}"


def _has_own_name(obj: Any) -> bool:
    return isinstance(getattr(obj, "__qualname__", None), str) and (
        inspect.isroutine(obj) or inspect.isclass(obj)
    )


def _shorten(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith(os.pardir) else relative
