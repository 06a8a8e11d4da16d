"""The errors a pipeline raises when a middleware breaks the contract.

Each message names the middleware (`module.qualname`) and each error keeps it as `.middleware`.
"""

from __future__ import annotations

import inspect
import reprlib

from ._naming import describe


class MiddlewareError(Exception):
    """Base class of every error about misusing the pipeline."""


class CallNextTwiceError(MiddlewareError):
    """A middleware called `call_next` a second time in one pass."""

    def __init__(self, middleware: object) -> None:
        self.middleware = middleware
        super().__init__(
            f"middleware {describe(middleware)!r} called call_next twice in one pass; "
            "the rest of the chain runs at most once per request"
        )


class InvalidResponseError(MiddlewareError, TypeError):
    """A middleware returned None, or something the `is_response` check rejects."""

    def __init__(self, middleware: object, response: object) -> None:
        self.middleware = middleware
        self.response = response
        if response is None:
            what = "None; did you forget `return await call_next(request)`?"
        elif inspect.isawaitable(response):
            what = f"an awaitable {type(response).__qualname__}; did you forget `await`?"
        else:
            kind = type(response).__qualname__
            what = f"{reprlib.repr(response)} ({kind}), which is not a response"
        super().__init__(f"middleware {describe(middleware)!r} returned {what}")


class FrozenPipelineError(MiddlewareError, RuntimeError):
    """A middleware was added to a pipeline after it was frozen."""

    def __init__(self, middleware: object) -> None:
        self.middleware = middleware
        super().__init__(f"cannot add middleware {describe(middleware)!r}: the pipeline is frozen")
