"""Turning exceptions into responses: user handlers first, then the defaults."""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from .exceptions import HTTPException
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
        """The response for `exc`; a handler that fails itself ends in a logged 500."""
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
            return self.server_error(request, handler_exc)
        if not isinstance(response, Response):
            bad = TypeError(
                f"exception handler {_name(handler)} returned {response!r}, not a Response"
            )
            return self.server_error(request, bad)
        return response

    def server_error(self, request: Request, exc: BaseException) -> Response:
        """A 500: the traceback is logged, and shown to the client only in debug mode."""
        logger.error(
            "unhandled %s in %s %s",
            type(exc).__name__,
            request.method,
            request.path,
            exc_info=exc,
        )
        request.state.exception = exc
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


def _name(fn: Any) -> str:
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"
