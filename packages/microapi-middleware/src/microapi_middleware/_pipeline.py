"""The pipeline: an ordered, freezable list of middlewares composed around an endpoint."""

from __future__ import annotations

from typing import Generic

from ._chain import compose
from ._errors import FrozenPipelineError
from ._naming import describe
from ._types import Chain, Endpoint, IsResponse, Middleware, Recover, Req, Resp
from ._validation import check_endpoint, check_middleware


class Pipeline(Generic[Req, Resp]):
    """Middlewares in registration order (first added is outermost), built once per endpoint.

    `is_response` checks each middleware's result; without it only `None` is rejected.
    `recover`, when given, turns what a layer raises (its middleware, what that let through
    from inside, the endpoint's error included, or the check of its result) into a response at
    that middleware's boundary, so the middlewares around it see a response like any other; a
    re-raise goes to the next layer's `recover`. Without it exceptions propagate.
    """

    __slots__ = ("_frozen", "_is_response", "_middlewares", "_recover")

    def __init__(
        self, is_response: IsResponse | None = None, recover: Recover[Req, Resp] | None = None
    ) -> None:
        if is_response is not None and not callable(is_response):
            raise TypeError(f"is_response must be callable or None, not {is_response!r}")
        if recover is not None and not callable(recover):
            raise TypeError(f"recover must be callable or None, not {recover!r}")
        self._is_response = is_response
        self._recover = recover
        self._middlewares: tuple[Middleware[Req, Resp], ...] = ()
        self._frozen = False

    def add(self, middleware: Middleware[Req, Resp]) -> Middleware[Req, Resp]:
        """Append `middleware` (innermost so far) and return it unchanged, so it decorates."""
        if self._frozen:
            raise FrozenPipelineError(middleware)
        check_middleware(middleware)
        self._middlewares = (*self._middlewares, middleware)
        return middleware

    @property
    def middlewares(self) -> tuple[Middleware[Req, Resp], ...]:
        """The middlewares in execution order, outermost first."""
        return self._middlewares

    def freeze(self) -> None:
        """Refuse further `add` calls (the app has started); calling it again is harmless."""
        self._frozen = True

    @property
    def frozen(self) -> bool:
        """Whether `freeze()` has been called."""
        return self._frozen

    def build(self, endpoint: Endpoint[Req, Resp]) -> Chain[Req, Resp]:
        """Compose the current middlewares around `endpoint` into one reusable callable.

        The result is a snapshot: middlewares added later do not reach it. With no middlewares
        it is `endpoint` itself.
        """
        check_endpoint(endpoint)
        return compose(self._middlewares, endpoint, self._is_response, self._recover)

    def __repr__(self) -> str:
        names = ", ".join(describe(middleware) for middleware in self._middlewares)
        return f"Pipeline([{names}], frozen={self._frozen})"
