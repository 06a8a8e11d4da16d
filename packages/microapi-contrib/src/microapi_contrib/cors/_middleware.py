"""`CORSMiddleware`: the server side of the Fetch standard's CORS protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Literal

from microapi import Request, Response

from .._vary import add_vary
from ._policy import CORSPolicy
from ._preflight import answer_preflight, is_preflight

CallNext = Callable[[Request], Awaitable[Response]]


class CORSMiddleware:
    """Let scripts on other origins call the app, within what is configured.

    - Requests without `Origin` pass untouched.
    - Preflights (OPTIONS with `Origin` and `Access-Control-Request-Method`) are answered
      here and never reach the app: 204 with the `Access-Control-Allow-*` headers when the
      origin, method and every requested header are allowed, otherwise 403 without them.
    - Other requests from an allowed origin get `Access-Control-Allow-Origin` (the exact
      origin unless any origin is allowed without credentials), `-Allow-Credentials` and
      `-Expose-Headers`, on every status, errors included: an exception raised by an inner
      middleware arrives as core's answer to it (made at that middleware's boundary), so that
      too reaches the browser's script.
    - `Vary: Origin` is merged into every answer that depends on the origin.

    Options are checked at construction (`CORSConfigError`): see `CORSPolicy.build`.
    """

    def __init__(
        self,
        *,
        allow_origins: Iterable[str] | Literal["*"],
        allow_methods: Iterable[str] | Literal["*"] = ("GET", "HEAD", "POST"),
        allow_headers: Iterable[str] | Literal["*"] = (),
        expose_headers: Iterable[str] | Literal["*"] = (),
        max_age: int | None = 600,
        allow_credentials: bool = False,
    ) -> None:
        self.policy = CORSPolicy.build(
            allow_origins=allow_origins,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            max_age=max_age,
            allow_credentials=allow_credentials,
        )

    async def __call__(self, request: Request, call_next: CallNext) -> Response:
        origin = request.headers.get("origin")
        if origin is None:
            return await call_next(request)
        policy = self.policy
        if is_preflight(request):
            return answer_preflight(policy, request)
        response = await call_next(request)
        if policy.allows_origin(origin):
            _allow(policy, response, origin)
        if policy.varies_by_origin:
            add_vary(response, "Origin")
        return response


def _allow(policy: CORSPolicy, response: Response, origin: str) -> None:
    headers = response.headers
    headers["access-control-allow-origin"] = policy.allow_origin_value(origin)
    if policy.credentials:
        headers["access-control-allow-credentials"] = "true"
    if policy.expose_headers:
        headers["access-control-expose-headers"] = ", ".join(policy.expose_headers)
