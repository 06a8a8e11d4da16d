"""A handler as the dependency plan calls it: a coroutine function returning its response.

The wrapper built here is what the route's DI plan calls, so everything it does happens inside
the request scope: the response is built before teardown, and a route's group dependencies run
before the handler's own. It never sends anything; the response does that at the edge.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from microapi_di import CallKind, DependsMarker, call_kind

from .responses import JSONResponse, Response, json_response

NO_BODY_STATUSES = frozenset({204, 304})


def to_response(result: Any) -> Response:
    """A handler's return value as a response: a `Response` as is, anything else JSON."""
    return result if isinstance(result, Response) else json_response(result)


def converter(status_code: int) -> Callable[[Any], Response]:
    """How a return value becomes the response for a route declared with `status_code`.

    A returned `Response` is always sent as is. Otherwise the value is JSON with that status;
    with 204 or 304 the response has no body and no content type, whatever was returned.
    """
    if status_code == 200:
        return to_response
    if status_code in NO_BODY_STATUSES:
        return lambda result: (
            result if isinstance(result, Response) else Response(status_code=status_code)
        )
    if status_code < 200:  # informational: no content-length, as the constructor does
        return lambda result: (
            result
            if isinstance(result, Response)
            else JSONResponse(result, status_code=status_code)
        )
    return lambda result: (
        result if isinstance(result, Response) else json_response(result, status_code)
    )


def responder(
    fn: Callable[..., Any],
    *,
    status_code: int = 200,
    dependencies: Sequence[DependsMarker] = (),
) -> Callable[..., Any]:
    """`fn` as a coroutine function that returns its response.

    The response is built inside the call, so inside the request scope: a value that cannot
    be encoded is an error the generator dependencies see (they roll back), and teardown
    cannot change what the handler returned. A plain function runs in a worker thread so it
    cannot block the event loop. The wrapper keeps `fn`'s signature (`__wrapped__`), so
    dependency resolution sees the user's parameters; `dependencies` (a route's group
    dependencies) become leading positional-only parameters, resolved first and in order, whose
    values are dropped before `fn` is called.
    """
    convert = converter(status_code)
    skip = len(dependencies)
    if call_kind(fn) is CallKind.CORO:

        @functools.wraps(fn)
        async def respond(*args: Any, **kwargs: Any) -> Response:
            return convert(await fn(*args[skip:], **kwargs))

    else:
        # Plain, like `fn`: the dispatcher's offload runs it on the request's worker thread,
        # with the plain dependencies before it in the same trip when nothing needs the loop.
        @functools.wraps(fn)
        def respond(*args: Any, **kwargs: Any) -> Response:
            return convert(fn(*args[skip:], **kwargs))

    if dependencies:
        respond.__signature__ = _with_leading(fn, dependencies)  # type: ignore[attr-defined]
    return respond


def group_parameter(index: int) -> str:
    """The name of the parameter standing for a route's `index`-th group dependency."""
    return f"group_dependency_{index + 1}"


def _with_leading(
    fn: Callable[..., Any], dependencies: Sequence[DependsMarker]
) -> inspect.Signature:
    signature = inspect.signature(fn)
    leading = [
        inspect.Parameter(
            group_parameter(index),
            inspect.Parameter.POSITIONAL_ONLY,
            annotation=Annotated[Any, marker],
        )
        for index, marker in enumerate(dependencies)
    ]
    return signature.replace(parameters=[*leading, *signature.parameters.values()])
