"""Exceptions that become HTTP responses, and errors in how the app is put together."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any


class HTTPException(Exception):
    """Raise to answer with `status_code` and a JSON body `{"detail": detail}`.

    When `detail` is None the status's reason phrase is used.
    """

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = _reason(status_code)
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = dict(headers) if headers else None

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, detail={self.detail!r})"


class RequestValidationError(HTTPException):
    """The request's parameters or body do not fit the handler's declared types: a 422.

    `errors` lists every problem found, each a dict with `loc` (the source: `"path"`,
    `"query"`, `"header"`, `"cookie"` or `"body"`, then the key as looked up on the request,
    then for bodies the JSON path), `msg` and `type`. The default answer is
    `{"detail": errors}`; register an exception handler for this class to reshape it.
    """

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(422, errors)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in self.errors
        )


class ClientDisconnect(Exception):
    """The client went away while the request body was being read."""


class AppFrozenError(RuntimeError):
    """The app has started: routes, middleware, services and hooks can no longer change."""


class InvalidHeaderError(ValueError):
    """A header name or value that could split or corrupt the HTTP response."""


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"
