"""The exceptions raised by the router.

Registration errors (`InvalidTemplateError`, `InvalidMethodError`, `RouteConflictError`) are raised
by `Router.add` and the decorators, before the route is stored. `InvalidPathError` is the only
exception `Router.match` raises: the path's percent-encoding is malformed or it does not decode as
UTF-8 (a web framework answers 400).
"""

from __future__ import annotations

__all__ = [
    "InvalidMethodError",
    "InvalidPathError",
    "InvalidTemplateError",
    "RouteConflictError",
    "RouterError",
]

# A path can be 100,000 segments long: messages quote at most this many characters of it.
_MAX_QUOTED = 200


class RouterError(Exception):
    """Base class of every error raised by `microapi_router`."""


class InvalidTemplateError(RouterError, ValueError):
    """A route template is malformed. The message names the template and what is wrong."""

    def __init__(self, template: object, reason: str) -> None:
        self.template = template
        self.reason = reason
        super().__init__(f"invalid route template {template!r}: {reason}")


class InvalidMethodError(RouterError, ValueError):
    """A method is not an HTTP token (RFC 9110, section 5.6.2), or no method was given."""

    def __init__(self, method: object, template: str, reason: str) -> None:
        self.method = method
        self.template = template
        self.reason = reason
        super().__init__(f"invalid method {method!r} for route template {template!r}: {reason}")


class RouteConflictError(RouterError):
    """A route would make another one ambiguous: same (method, template) or the same shape.

    Two templates that are equal up to parameter names (`/users/{id}` and `/users/{name}`) are the
    same resource; they may not both have a handler for one method.
    """

    def __init__(self, method: str, template: str, existing: str) -> None:
        self.method = method
        self.template = template
        self.existing = existing
        if template == existing:
            message = f"duplicate route: {method} {template!r} is already registered"
        else:
            message = (
                f"route conflict: {method} {template!r} conflicts with {method} {existing!r} "
                "(the templates are equal up to parameter names)"
            )
        super().__init__(message)


class InvalidPathError(RouterError, ValueError):
    """`Router.match` got a path with malformed percent-encoding or that is not valid UTF-8."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        quoted = path if len(path) <= _MAX_QUOTED else path[:_MAX_QUOTED] + "..."
        super().__init__(f"invalid path {quoted!r}: {reason}")
