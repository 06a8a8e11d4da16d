"""Routes as the app keeps them: what tools read about each registered route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from microapi_di import Container, Prepared

from ._handler import responder
from ._naming import qualified_name
from .responses import Response


class Route:
    """A registered route, as the router stores it: the user's function and its prepared plan.

    Read-only for tools (introspection, OpenAPI): `fn` is the user's handler, `template` the
    full path template, `methods` the registered methods, `plan` the prepared dependency plan
    (None until the app prepares it at start-up or registration).
    """

    __slots__ = ("fn", "handler", "methods", "plan", "template")

    def __init__(self, fn: Callable[..., Any], template: str, methods: tuple[str, ...]) -> None:
        self.fn = fn
        self.template = template
        self.methods = methods
        self.handler = responder(fn)
        self.plan: Prepared[Response] | None = None

    def prepare(self, container: Container) -> None:
        """Build the dependency plan; unresolvable parameters raise here, not per request."""
        self.plan = container.prepare(self.handler)

    def __repr__(self) -> str:
        return f"Route({', '.join(self.methods)} {self.template} -> {qualified_name(self.fn)})"
