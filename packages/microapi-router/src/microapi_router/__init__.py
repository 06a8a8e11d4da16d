"""A deterministic trie router: maps (method, path) to a payload of the caller's choosing.

>>> from microapi_router import Router, Match
>>> router: Router[str] = Router()
>>> router.add("GET", "/users/{id}", "show user")
>>> router.match("GET", "/users/42")
Match(payload='show user', params={'id': '42'}, template='/users/{id}')
"""

from ._errors import (
    InvalidMethodError,
    InvalidPathError,
    InvalidTemplateError,
    RouteConflictError,
    RouterError,
)
from ._results import NOT_FOUND, Match, MethodNotAllowed, NotFound, Route
from ._router import Router

__version__ = "0.2.0"

__all__ = [
    "NOT_FOUND",
    "InvalidMethodError",
    "InvalidPathError",
    "InvalidTemplateError",
    "Match",
    "MethodNotAllowed",
    "NotFound",
    "Route",
    "RouteConflictError",
    "Router",
    "RouterError",
    "__version__",
]
