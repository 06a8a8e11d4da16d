"""How the introspection views name Python objects (`module:qualname`, `file:line`) and show
request parameters (their types, constraints and defaults)."""

from __future__ import annotations

import functools
import inspect
import math
import os
import types
import typing
from typing import Annotated, Any, Literal

import msgspec


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


# --- request parameters ------------------------------------------------------------------

# msgspec.Meta's validating fields, in the order shown, with how each reads.
_CONSTRAINTS: tuple[tuple[str, str], ...] = (
    ("gt", "> {}"),
    ("ge", ">= {}"),
    ("lt", "< {}"),
    ("le", "<= {}"),
    ("multiple_of", "multiple of {}"),
    ("min_length", "length >= {}"),
    ("max_length", "length <= {}"),
    ("pattern", "matches {!r}"),
)


def split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """`Annotated[T, *extras]` as `(T, extras)`; anything else as `(annotation, ())`."""
    if typing.get_origin(annotation) is Annotated:
        return typing.get_args(annotation)[0], tuple(annotation.__metadata__)
    return annotation, ()


def constraints(metadata: tuple[Any, ...]) -> tuple[str, ...]:
    """The validation constraints in `Annotated` metadata (`msgspec.Meta`), as people read
    them: `>= 1`, `length <= 20`, `matches '^[a-z]+$'`, `timezone-aware`. Markers such as
    `Query()` and documentation-only fields (title, description, examples) are left out."""
    found: list[str] = []
    for item in metadata:
        if not isinstance(item, msgspec.Meta):
            continue
        for field, shown in _CONSTRAINTS:
            value = getattr(item, field)
            if value is not None:
                found.append(shown.format(value))
        if item.tz is not None:
            found.append("timezone-aware" if item.tz else "naive")
    return tuple(found)


def type_name(annotation: Any) -> str:
    """A type as written in code, without module prefixes: `int`, `list[str]`,
    `str | None`, `Literal['a', 'b']`, `Order`. `Annotated` inside is shown as
    `Annotated[int, >= 1]` (its constraints; markers left out)."""
    if annotation is inspect.Parameter.empty:
        return "str"
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Any:
        return "Any"
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, typing.ForwardRef):
        return annotation.__forward_arg__
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        base, metadata = split_annotated(annotation)
        extra = constraints(metadata)
        inner = type_name(base)
        return f"Annotated[{inner}, {', '.join(extra)}]" if extra else inner
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_name(arg) for arg in args)
    if origin is Literal:
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    if origin is not None:
        shown = ", ".join("..." if arg is Ellipsis else type_name(arg) for arg in args)
        return f"{type_name(origin)}[{shown}]" if args else type_name(origin)
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")


def json_default(value: Any) -> Any:
    """A default as JSON carries it unchanged (None, booleans, finite numbers, strings, and lists
    and string-keyed dicts of those; lists as tuples), else its `repr`: `Decimal('1.5')`."""
    if not _json_safe(value):
        return repr(value)
    return tuple(value) if type(value) is list else value


def _json_safe(value: Any) -> bool:
    if value is None or type(value) in (bool, int, str):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) in (list, tuple):
        return all(_json_safe(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _json_safe(item) for key, item in value.items())
    return False
