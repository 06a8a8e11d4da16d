"""A generic async middleware pipeline: `async def mw(request, call_next) -> response`.

Middlewares run in registration order around an endpoint, composed once into one callable.
Generic over the request and response types; standard library only.
"""

from ._errors import CallNextTwiceError, FrozenPipelineError, InvalidResponseError, MiddlewareError
from ._pipeline import Pipeline
from ._types import CallNext, Chain, Endpoint, IsResponse, Middleware, Recover

__version__ = "0.2.0"

__all__ = [
    "CallNext",
    "CallNextTwiceError",
    "Chain",
    "Endpoint",
    "FrozenPipelineError",
    "InvalidResponseError",
    "IsResponse",
    "Middleware",
    "MiddlewareError",
    "Pipeline",
    "Recover",
    "__version__",
]
