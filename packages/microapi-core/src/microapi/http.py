"""The ASGI edge: turn an HTTP scope into a Request, and a Response into messages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from .errors import ExceptionHandlers
from .exceptions import ClientDisconnect, HTTPException
from .requests import Request
from .responses import Response
from .types import Receive, Scope, Send

if TYPE_CHECKING:
    from .app import MicroAPI

logger = logging.getLogger("microapi")

RAISE_SERVER_EXCEPTIONS = "microapi.raise_server_exceptions"
"""The ASGI scope extension by which a test client asks for the unhandled exception of a
request to be raised out of the app once its 500 has been sent (servers never set it)."""


async def serve_http(
    chain: Callable[[Request], Awaitable[Response]],
    errors: ExceptionHandlers,
    max_body_size: int,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """One request: the middleware chain, the response, then its background tasks."""
    request = Request(scope, receive, max_body_size)
    try:
        response = await chain(request)
    except ClientDisconnect:
        return  # nobody is left to answer
    except Exception as exc:  # raised by a middleware, outside any handler
        response = await errors.respond(request, exc)
        request.background = None
    # send_response, inlined on the hot path
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    body = b"" if scope["method"] == "HEAD" else response.body
    await send({"type": "http.response.body", "body": body})
    if request.exception is not None and RAISE_SERVER_EXCEPTIONS in scope.get("extensions", ()):
        raise request.exception  # the test client's request: the 500 is sent, now the test sees it
    if request.background is not None:
        await request.background.run()


async def send_response(response: Response, scope: Scope, send: Send) -> None:
    """Send status and headers, then the body (none for HEAD)."""
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    body = b"" if scope["method"] == "HEAD" else response.body
    await send({"type": "http.response.body", "body": body})


async def serve_unavailable(app: MicroAPI, scope: Scope, receive: Receive, send: Send) -> None:
    """503 for a request that arrives while the app is not serving (not started, or stopped).

    It goes through the app's exception handlers like any other framework answer.
    """
    if app.state == "new":
        detail = (
            "MicroAPI has not started: this app has start-up work (hooks or app services), "
            "so run it under a server with lifespan enabled, or use `with TestClient(app)`"
        )
    else:
        detail = f"MicroAPI is not serving: the app is {app.state}"
    logger.warning("503 for %s %s: %s", scope.get("method"), scope.get("path"), detail)
    request = Request(scope, receive, app.max_body_size)
    response = await app.exception_handlers.respond(request, HTTPException(503, detail))
    await send_response(response, scope, send)


async def serve_websocket(receive: Receive, send: Send) -> None:
    """Refuse a WebSocket: close it before accepting (servers answer the handshake with 403)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1000, "reason": "WebSockets not supported"})
