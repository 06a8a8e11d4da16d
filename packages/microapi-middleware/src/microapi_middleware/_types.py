"""The shapes a pipeline composes: a request goes in, a response comes out, all async.

Generic over the request and response types, so the pipeline knows nothing about the web.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeAlias, TypeVar

Req = TypeVar("Req")
Resp = TypeVar("Resp")

CallNext: TypeAlias = Callable[[Req], Awaitable[Resp]]
"""Passes a request on to the rest of the chain; a middleware may call it once per pass."""

Endpoint: TypeAlias = Callable[[Req], Awaitable[Resp]]
"""The innermost callable, `async def endpoint(request) -> response`."""

Middleware: TypeAlias = Callable[[Req, CallNext[Req, Resp]], Awaitable[Resp]]
"""`async def mw(request, call_next) -> response`: wraps, short-circuits or observes."""

Chain: TypeAlias = Callable[[Req], Coroutine[Any, Any, Resp]]
"""What `Pipeline.build` returns: an endpoint whose calls are coroutines, as `asyncio.run` wants."""

IsResponse: TypeAlias = Callable[[object], bool]
"""Tells whether a middleware's result is a response, keeping the pipeline type-agnostic."""

Recover: TypeAlias = Callable[[Req, Exception], Awaitable[Resp]]
"""Turns an exception raised by a middleware into its response: `async def recover(request,
exc) -> response`. It may raise to let the exception through."""
