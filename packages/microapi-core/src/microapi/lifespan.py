"""The ASGI lifespan protocol: start-up and shutdown messages around the app's lifecycle."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .types import Receive, Send

if TYPE_CHECKING:
    from .app import MicroAPI

logger = logging.getLogger("microapi")


async def serve_lifespan(app: MicroAPI, receive: Receive, send: Send) -> None:
    """Answer `lifespan.startup` and `lifespan.shutdown` with complete or failed."""
    message = await receive()
    if message["type"] != "lifespan.startup":
        return
    try:
        await app.startup()
    except Exception as exc:
        logger.exception("MicroAPI start-up failed")
        await send({"type": "lifespan.startup.failed", "message": _describe(exc)})
        return
    await send({"type": "lifespan.startup.complete"})
    message = await receive()
    if message["type"] != "lifespan.shutdown":
        return
    try:
        await app.shutdown()
    except Exception as exc:
        logger.exception("MicroAPI shutdown failed")
        await send({"type": "lifespan.shutdown.failed", "message": _describe(exc)})
        return
    await send({"type": "lifespan.shutdown.complete"})


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
