"""MicroAPI: a minimal, deterministic ASGI web framework."""

from .app import MicroAPI
from .background import BackgroundTasks
from .dependencies import Depends
from .exceptions import (
    AppFrozenError,
    ClientDisconnect,
    HTTPException,
    InvalidHeaderError,
    RequestValidationError,
)
from .requests import Request
from .responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from .routing import RouteGroup

__version__ = "0.2.0"

__all__ = [
    "AppFrozenError",
    "BackgroundTasks",
    "ClientDisconnect",
    "Depends",
    "HTMLResponse",
    "HTTPException",
    "InvalidHeaderError",
    "JSONResponse",
    "MicroAPI",
    "PlainTextResponse",
    "RedirectResponse",
    "Request",
    "RequestValidationError",
    "Response",
    "RouteGroup",
]
