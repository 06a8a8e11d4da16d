"""`AccessLogMiddleware`: one log line per request, with a request id and timing."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from microapi import ClientDisconnect, Request, Response
from microapi.requests import BodyOutcome

from ._request_id import choose_request_id, new_request_id

CallNext = Callable[[Request], Awaitable[Response]]

FORMAT = '%s "%s %s" %s %.2fms id=%s'
"""The access line: client, "METHOD target", status, duration, request id."""


class AccessLogMiddleware:
    """Log one line per request on a stdlib logger (by default `microapi.access`).

    The line reads `127.0.0.1:50000 "GET /items/1?full=true" 200 0.84ms id=6f1c...` and its
    record carries the same fields as `extra` attributes for structured (JSON) handlers:
    `method`, `path`, `query`, `status`, `duration_ms`, `client`, `request_id`, and `error`
    (the failure's exception type, `module.QualName`, or None).

    Responses below 500 are logged at INFO, 5xx at ERROR. When the handler or an inner
    middleware failed (core turned the exception into a 500 at its boundary and left it in
    `request.exception`), the line names the exception in `error`, and its traceback is left
    to the record core writes on `microapi.errors`, so each failure's traceback is logged once.
    `tracebacks=True` attaches it to the access line as well (logging it twice), for setups
    that collect the access log alone.

    Every request gets an id: the incoming `X-Request-ID` when it is a short, plain token
    (`trust_request_id=True`), otherwise a new one. Handlers read it as
    `request.state.request_id`; it is echoed in the response's `X-Request-ID`
    (`request_id_header=None` turns both the reading and the echo off).

    Every line is written once the response's body is final (`request.on_outcome`): after it
    was sent, with the status actually sent and a duration that covers the body. A stream cut
    by an error or a disconnect, or a response the server could not send, is logged with
    `complete=False` in the record's `extra` (an error was logged by core already).
    """

    def __init__(
        self,
        *,
        logger: str | logging.Logger = "microapi.access",
        request_id_header: str | None = "X-Request-ID",
        trust_request_id: bool = True,
        tracebacks: bool = False,
    ) -> None:
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.request_id_header = request_id_header
        self.trust_request_id = trust_request_id
        self.tracebacks = tracebacks

    async def __call__(self, request: Request, call_next: CallNext) -> Response:
        request_id = self._request_id(request)
        request.state.request_id = request_id
        start = time.perf_counter()
        try:
            response = await call_next(request)
        except ClientDisconnect:  # the one exception core lets through: nobody to answer
            self._log(request, None, start, request_id, None, complete=False)
            raise
        # Any other exception from inside has become core's answer already, at the boundary of
        # the middleware that raised it (`Pipeline(recover=...)`): it arrives as a response.

        def after_body(outcome: BodyOutcome) -> None:
            # Written once the response has been sent (or could not be), never before.
            failure = request.exception if outcome.status_code >= 500 else None
            self._log(request, outcome.status_code, start, request_id, failure, outcome.complete)

        request.on_outcome(after_body)
        if self.request_id_header is not None:
            response.headers[self.request_id_header] = request_id
        return response

    def _request_id(self, request: Request) -> str:
        if self.request_id_header is None or not self.trust_request_id:
            return new_request_id()
        return choose_request_id(request.headers.get(self.request_id_header))

    def _log(
        self,
        request: Request,
        status: int | None,
        start: float,
        request_id: str,
        exc: BaseException | None,
        complete: bool = True,
    ) -> None:
        level = logging.ERROR if status is not None and status >= 500 else logging.INFO
        if not self.logger.isEnabledFor(level):
            return  # nobody would read the line: build nothing
        duration_ms = (time.perf_counter() - start) * 1000
        path = _path(request)
        query = _printable(request.scope.get("query_string", b"").decode("latin-1"))
        client = f"{request.client.host}:{request.client.port}" if request.client else "-"
        target = f"{path}?{query}" if query else path
        self.logger.log(
            level,
            FORMAT,
            client,
            request.method,
            target,
            "-" if status is None else status,
            duration_ms,
            request_id,
            exc_info=exc if self.tracebacks and exc is not None else None,
            extra={
                "method": request.method,
                "path": path,
                "query": query,
                "status": status,
                "duration_ms": round(duration_ms, 3),
                "client": client,
                "request_id": request_id,
                "error": None if exc is None else _type_name(exc),
                "complete": complete,
            },
        )


def _type_name(exc: BaseException) -> str:
    """`ValueError`, `myapp.errors.PaymentFailed`: builtins without their module."""
    kind = type(exc)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _path(request: Request) -> str:
    """The path as the client sent it (still percent-encoded), so it is one printable token."""
    raw = request.scope.get("raw_path")
    if raw:
        return _printable(raw.decode("latin-1"))
    return quote(request.path)


def _printable(text: str) -> str:
    """Escape what could break or forge a log line: control characters, quotes, backslashes."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return "".join(
        f"\\x{ord(char):02x}" if not char.isprintable() or char in '"\\' else char for char in text
    )
