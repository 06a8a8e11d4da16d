"""The ASGI edge: scopes in, messages out. The only module that calls `send` or `receive`.

An HTTP scope becomes a `Request`, goes through the lifecycle's chain (middleware around the
dispatcher), and the `Response` that comes back sends itself; background tasks run after it.
Lifespan messages drive the lifecycle. It never decides what an exception means (that is
`_exception_handlers.py`) and never reads the app's declarations: only its lifecycle and its
two body limits.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from ._dispatch import FixedAnswer
from ._exception_handlers import ExceptionHandlers
from ._lifecycle import Lifecycle
from .exceptions import ClientDisconnect, HTTPException
from .requests import Request
from .responses import Response, StreamNotStarted
from .types import Receive, Scope, Send

logger = logging.getLogger("microapi")

RAISE_SERVER_EXCEPTIONS = "microapi.raise_server_exceptions"
"""The ASGI scope extension by which a test client asks for the unhandled exception of a
request to be raised out of the app once its 500 has been sent (servers never set it)."""

WAIT_BACKGROUND = "microapi.wait_background"
"""The ASGI scope extension by which a test client asks the app to return only once the
request's background tasks are done (servers never set it: the app returns once the response
is sent, and the tasks run on, tracked by the app until shutdown)."""

_SEND_WHOLE = Response.send  # a response class that does not override how it is sent


class Served(Protocol):
    """What the edge reads from the app on every call."""

    lifecycle: Lifecycle
    max_body_size: int
    body_timeout: float | None


async def serve(app: Served, scope: Scope, receive: Receive, send: Send) -> None:
    """The app's ASGI call (`MicroAPI.__call__` is this function).

    An HTTP request is served here, in this one coroutine (the middleware chain, the response,
    then its background tasks): it is every request's first frame, so it calls nothing it can
    do itself. Lifespan and WebSocket scopes go to their own functions.
    """
    if scope["type"] != "http":
        await _serve_other(app.lifecycle, scope, receive, send)
        return
    lifecycle = app.lifecycle
    max_body_size = app.max_body_size
    chain = lifecycle.chain
    if chain is None:
        if not await lifecycle.start_implicitly():
            await serve_unavailable(lifecycle, max_body_size, scope, receive, send)
            return
        chain = lifecycle.chain
        assert chain is not None
    request = Request(scope, receive, max_body_size, app.body_timeout)
    try:
        try:
            answer = chain(request)
            if type(answer) is FixedAnswer:  # see `Dispatcher.answer`: sent below as it is
                fixed = True
                response: Response = answer
            else:
                fixed = False
                response = await answer
        except ClientDisconnect:
            return  # nobody is left to answer
        except Exception as exc:
            # Rare: a handler's error is answered by the dispatcher and a middleware's at its
            # boundary (`Pipeline(recover=...)`); whatever still escapes is answered here.
            fixed = False
            response = await lifecycle.errors.respond(request, exc)
            request.background = None
        head = scope["method"] == "HEAD"
        try:
            if fixed:
                # Without middleware, the dispatcher's shared fixed 404 or 405: nothing else
                # saw this request, so it is only sent.
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status_code,
                        "headers": response.raw_headers.copy(),  # an ASGI wrapper may edit it
                    }
                )
                await send({"type": "http.response.body", "body": b"" if head else response.body})
                request._final = response
                return
            if type(response).send is _SEND_WHOLE:
                # `Response.send` inlined for a complete body (most answers): one coroutine less.
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status_code,
                        "headers": response.raw_headers,
                    }
                )
                await send({"type": "http.response.body", "body": b"" if head else response.body})
            else:
                await response.send(send, head=head, request=request)
        except StreamNotStarted as failed:  # a stream failed before its first chunk
            request.background = None
            try:
                replacement = await lifecycle.errors.answer(request, failed.error)
            except ClientDisconnect:  # the client left before the first chunk: nobody answers
                request._final = response  # the stream recorded what cut it
                if request._rare is not None:
                    request._run_callbacks()
                return
            _keep_added_headers(replacement, response)
            response = replacement
            await response.send(send, head=head)
        except Exception as lost:  # the server could not send (the client is gone): say so
            request._final = _Unsent(response.status_code, lost)
            if request._rare is not None:
                request._run_callbacks()
            raise
        request._final = response  # the body is final: `request.outcome`, then its callbacks
        if request._rare is not None:
            request._run_callbacks()
        if request.exception is not None and RAISE_SERVER_EXCEPTIONS in scope.get("extensions", ()):
            raise request.exception  # a test client's request: the 500 is sent, the test sees it
        if request.background is not None:
            work = lifecycle.background.spawn(request.background)
            if WAIT_BACKGROUND in scope.get("extensions", ()):
                await asyncio.shield(work)
    finally:
        lane = request._lane
        if lane is not None:  # a streamed body's teardown is done: its thread goes back
            lane.release()


def _keep_added_headers(answer: Response, failed: Response) -> None:
    """Carry what middleware added to a stream that failed before its first chunk (CORS, the
    request id, ...) over to the error answer that replaces it; the answer's own win."""
    own = {name for name, _ in answer.raw_headers}
    skip = own | {b"content-type", b"content-length", b"content-encoding", b"etag"}
    answer.raw_headers.extend(pair for pair in failed.raw_headers if pair[0] not in skip)


class _Unsent(Response):
    """What `request.outcome` reads when sending failed: the status, and why it was not sent."""

    __slots__ = ("cut",)

    def __init__(self, status_code: int, cut: BaseException) -> None:  # no body, no headers
        self.status_code = status_code
        self.body = b""
        self.raw_headers = []
        self.cut = cut


async def serve_unavailable(
    lifecycle: Lifecycle, max_body_size: int, scope: Scope, receive: Receive, send: Send
) -> None:
    """503 for a request that arrives while the app is not serving (not started, or stopped).

    It goes through the app's exception handlers like any other framework answer.
    """
    if lifecycle.state == "new":
        detail = (
            "MicroAPI has not started: this app has start-up work (hooks or app services), "
            "so run it under a server with lifespan enabled, or use `with TestClient(app)`"
        )
    else:
        detail = f"MicroAPI is not serving: the app is {lifecycle.state}"
    logger.warning("503 for %s %s: %s", scope.get("method"), scope.get("path"), detail)
    request = Request(scope, receive, max_body_size)
    errors: ExceptionHandlers = lifecycle.errors
    response = await errors.respond(request, HTTPException(503, detail))
    await response.send(send, head=scope.get("method") == "HEAD")


async def _serve_other(lifecycle: Lifecycle, scope: Scope, receive: Receive, send: Send) -> None:
    kind = scope["type"]
    if kind == "lifespan":
        await serve_lifespan(lifecycle, receive, send)
    elif kind == "websocket":
        await serve_websocket(receive, send)
    else:
        raise ValueError(f"MicroAPI does not handle ASGI scope type {kind!r}")


async def serve_lifespan(lifecycle: Lifecycle, receive: Receive, send: Send) -> None:
    """Answer `lifespan.startup` and `lifespan.shutdown` with complete or failed."""
    message = await receive()
    if message["type"] != "lifespan.startup":
        return
    try:
        await lifecycle.start()
    except Exception as exc:
        logger.exception("MicroAPI start-up failed")
        await send({"type": "lifespan.startup.failed", "message": _describe(exc)})
        return
    await send({"type": "lifespan.startup.complete"})
    message = await receive()
    if message["type"] != "lifespan.shutdown":
        return
    try:
        await lifecycle.stop()
    except Exception as exc:
        logger.exception("MicroAPI shutdown failed")
        await send({"type": "lifespan.shutdown.failed", "message": _describe(exc)})
        return
    await send({"type": "lifespan.shutdown.complete"})


async def serve_websocket(receive: Receive, send: Send) -> None:
    """Refuse a WebSocket: close it before accepting (servers answer the handshake with 403)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1000, "reason": "WebSockets not supported"})


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
