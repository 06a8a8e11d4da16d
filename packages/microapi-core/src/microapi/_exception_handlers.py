"""Turning exceptions into responses: user handlers first, then the defaults."""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from microapi_di import TeardownError

from ._naming import qualified_name
from .exceptions import ClientDisconnect, HTTPException
from .requests import Request
from .responses import JSONResponse, PlainTextResponse, Response

logger = logging.getLogger("microapi.errors")

ExceptionHandler = Callable[[Request, Any], Response | Awaitable[Response]]


class ExceptionHandlers:
    """Exception type -> handler, looked up along the exception's MRO (most specific wins)."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug
        self._handlers: dict[type[BaseException], ExceptionHandler] = {}

    def add(self, exc_type: type[BaseException], handler: ExceptionHandler) -> None:
        if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
            raise TypeError(f"exception handler key must be an exception class, got {exc_type!r}")
        if not callable(handler):
            raise TypeError(f"exception handler for {exc_type.__name__} must be callable")
        self._handlers[exc_type] = handler

    async def respond(self, request: Request, exc: Exception) -> Response:
        """The response for `exc`; a handler that fails itself ends in a logged 500.

        Whatever ends in a 5xx, except a deliberate `HTTPException`, is logged with its
        traceback exactly once, also when a user's handler answered it.
        """
        handler = self.find(type(exc))
        if handler is None:
            if isinstance(exc, HTTPException):
                return http_exception_response(exc)
            return self.server_error(request, exc)
        try:
            response = handler(request, exc)
            if inspect.isawaitable(response):
                response = await response
        except Exception as handler_exc:
            handler_exc.__context__ = exc
            return self.server_error(request, handler_exc)
        if not isinstance(response, Response):
            bad = TypeError(
                f"exception handler {qualified_name(handler)} returned {response!r}, not a Response"
            )
            return self.server_error(request, bad)
        if response.status_code >= 500 and not isinstance(exc, HTTPException):
            _log_failure(
                request,
                exc,
                "handled",
                f" (answered {response.status_code} by {qualified_name(handler)})",
            )
        return response

    async def respond_to_middleware(self, request: Request, exc: Exception) -> Response:
        """The answer to an exception a middleware raised, at that middleware's boundary.

        The middlewares around it then see a response like any other (CORS adds its headers,
        the access log its line); background tasks do not run. A disconnect goes through.
        """
        if isinstance(exc, ClientDisconnect):
            raise exc
        request.background = None
        return await self.answer(request, exc)

    async def answer(self, request: Request, exc: Exception) -> Response:
        """`respond`, or `respond_to_teardown` for a `TeardownError`; a `ClientDisconnect`
        (nobody left to answer) is raised."""
        if isinstance(exc, ClientDisconnect):
            raise exc
        if isinstance(exc, TeardownError):
            return await self.respond_to_teardown(request, exc)
        return await self.respond(request, exc)

    async def respond_to_teardown(self, request: Request, error: TeardownError) -> Response:
        """The answer when teardown failed after the handler failed, or more than once.

        An `HTTPException` raised by a teardown is a deliberate answer and is sent (the last
        one raised, which comes from the outermost dependency). Otherwise, when the handler
        failed, the other teardown errors are logged and the handler's own error is answered
        as if those teardowns had succeeded; when it succeeded, the answer is a 500.
        """
        deliberate = [f for f in error.failures if isinstance(f, HTTPException)]
        others = [f for f in error.failures if not isinstance(f, HTTPException)]
        if error.original is None and others and not deliberate:
            return self.server_error(request, error)
        for failure in others:
            _log_failure(request, failure, "teardown raised", " (the handler's error is answered)")
        if deliberate:
            return await self.respond(request, deliberate[-1])
        assert error.original is not None
        if isinstance(error.original, ClientDisconnect):
            raise error.original
        return await self.respond(request, error.original)

    def server_error(self, request: Request, exc: BaseException) -> Response:
        """A 500: the traceback is logged, and shown to the client only in debug mode."""
        _log_failure(request, exc, "unhandled")
        request.exception = exc
        if self.debug:
            text = "".join(traceback.format_exception(exc))
            return PlainTextResponse(text, status_code=500)
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)

    def find(self, exc_type: type[BaseException]) -> ExceptionHandler | None:
        """The handler registered for `exc_type` or its nearest base class, if any."""
        if not self._handlers:
            return None
        for cls in exc_type.__mro__:
            handler = self._handlers.get(cls)
            if handler is not None:
                return handler
            if cls is HTTPException:
                return None  # the built-in answer beats handlers for Exception and the like
        return None


def http_exception_response(exc: HTTPException) -> Response:
    """The default answer to an HTTPException: `{"detail": ...}` with its status and headers."""
    if exc.status_code in (204, 304) or exc.status_code < 200:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def _log_failure(request: Request, exc: BaseException, what: str, detail: str = "") -> None:
    """One record with the traceback on `microapi.errors`: `unhandled KeyError in GET /x`."""
    logger.error(
        "%s %s in %s %s%s",
        what,
        type(exc).__name__,
        request.method,
        request.path,
        detail,
        exc_info=exc,
    )
