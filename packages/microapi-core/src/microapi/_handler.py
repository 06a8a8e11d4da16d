"""A handler as the route's dependency plan calls it, and how its value becomes the response.

Both happen inside the request scope: the response is built before teardown, and a route's
group dependencies run before the handler's own. Nothing here sends; the response does that
at the edge.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from microapi_di import CallKind, DependsMarker, call_kind

from .responses import Response, to_response

NO_BODY_STATUSES = frozenset({204, 304})


def converter(status_code: int) -> Callable[[Any], Response]:
    """How a return value becomes the response for a route declared with `status_code`.

    A returned `Response` is always sent as is. Otherwise the value is JSON with that status
    (200 to 599, checked by the route); with 204 or 304 the response has no body and no
    content type, whatever was returned. The choice is made here, once per route. The
    route's plan calls it on the handler's result inside the request scope (DI's `then`), so
    the response is built before teardown: a value that cannot be encoded is an error the
    generator dependencies see (they roll back), and teardown cannot change what was returned.
    """
    if status_code == 200:
        return to_response

    if status_code in NO_BODY_STATUSES:

        def to_status_response(result: Any) -> Response:
            return result if isinstance(result, Response) else Response(status_code=status_code)

    else:

        def to_status_response(result: Any) -> Response:
            return to_response(result, status_code)

    # Named for the status in generated code and tracebacks.
    to_status_response.__name__ = to_status_response.__qualname__ = f"to_response_{status_code}"
    return to_status_response


def with_group_dependencies(
    fn: Callable[..., Any], dependencies: Sequence[DependsMarker]
) -> Callable[..., Any]:
    """`fn` with a route's group `dependencies` as leading positional-only parameters.

    The plan resolves them first and in order; their values are dropped before `fn` is called.
    The wrapper keeps `fn`'s kind (a coroutine function or a plain one, which the dispatcher
    runs in a worker thread) and, through `__wrapped__`, its name and parameters.
    """
    skip = len(dependencies)
    if call_kind(fn) is CallKind.CORO:

        @functools.wraps(fn)
        async def handler(*args: Any, **kwargs: Any) -> Any:
            return await fn(*args[skip:], **kwargs)

    else:

        @functools.wraps(fn)
        def handler(*args: Any, **kwargs: Any) -> Any:
            return fn(*args[skip:], **kwargs)

    handler.__signature__ = _with_leading(fn, dependencies)  # type: ignore[attr-defined]
    return handler


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
