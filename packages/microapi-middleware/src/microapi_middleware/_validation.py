"""Checks run when a middleware is added or an endpoint is built, never per request.

They turn the usual mistakes (a plain `def`, a class instead of an instance, a wrong signature)
into a `TypeError` naming the culprit at start-up rather than a confusing failure later.
"""

from __future__ import annotations

import inspect
import reprlib

from ._naming import describe


def check_middleware(middleware: object) -> None:
    """Raise TypeError unless `middleware` is an async callable taking (request, call_next)."""
    _check_async_callable(middleware, "middleware", "mw(request, call_next)", arity=2)


def check_endpoint(endpoint: object) -> None:
    """Raise TypeError unless `endpoint` is an async callable taking (request)."""
    _check_async_callable(endpoint, "endpoint", "endpoint(request)", arity=1)


def _check_async_callable(obj: object, role: str, shape: str, *, arity: int) -> None:
    if not callable(obj):
        raise TypeError(f"{role} {reprlib.repr(obj)} is not callable; expected `async def {shape}`")
    name = describe(obj)
    if isinstance(obj, type):
        raise TypeError(f"{role} {name!r} is a class; pass an instance or a function")
    if not is_async_callable(obj):
        raise TypeError(f"{role} {name!r} is not an async function; expected `async def {shape}`")
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return  # Some builtins have no signature: nothing more to check.
    try:
        signature.bind(*[None] * arity)
    except TypeError as error:
        raise TypeError(f"{role} {name!r} cannot be called as {shape}: {error}") from None


def is_async_callable(obj: object) -> bool:
    """Tell whether calling `obj` runs an `async def`: a function, partial or object."""
    if inspect.iscoroutinefunction(obj):
        return True
    call = inspect.getattr_static(type(obj), "__call__", None)
    return inspect.isfunction(call) and inspect.iscoroutinefunction(call)
