"""The ASGI edge: turn an HTTP scope into a Request, and a Response into messages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from .errors import ExceptionHandlers
from .exceptions import ClientDisconnect
from .requests import Request
from .responses import JSONResponse, Response
from .types import Receive, Scope, Send

if TYPE_CHECKING:
    from .app import MicroAPI

logger = logging.getLogger("microapi")


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
        request._background = None
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
    if request._background is not None:
        await request._background.run()


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


async def serve_unavailable(app: MicroAPI, scope: Scope, send: Send) -> None:
    """503 for a request that arrives while the app is not serving (not started, or stopped)."""
    if app.state == "new":
        detail = (
            "MicroAPI has not started: this app has start-up work (hooks or app services), "
            "so run it under a server with lifespan enabled, or use `with TestClient(app)`"
        )
    else:
        detail = f"MicroAPI is not serving: the app is {app.state}"
    logger.warning("503 for %s %s: %s", scope.get("method"), scope.get("path"), detail)
    response = JSONResponse({"detail": detail}, status_code=503)
    await send_response(response, scope, send)


async def serve_websocket(receive: Receive, send: Send) -> None:
    """Refuse a WebSocket: close it before accepting (servers answer the handshake with 403)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1000, "reason": "WebSockets not supported"})
