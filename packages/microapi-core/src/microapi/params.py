"""Where a parameter's value comes from: `Path`, `Query`, `Header`, `Cookie`, `Body`.

Put a marker in `Annotated`: `limit: Annotated[int, Query()] = 20`. The key looked up on the
request is the parameter's name (for headers with `_` as `-`, compared case-insensitively)
unless `alias` is given; a default makes the parameter optional. The value is converted to the
annotation and validated (constraints come from `msgspec.Meta` in the same `Annotated`); every
invalid parameter of a request is reported at once in a 422. The markers work the same in a
handler and in any dependency of its graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

Source = Literal["path", "query", "header", "cookie", "body"]


@dataclass(frozen=True, slots=True)
class Param:
    """A request parameter marker; `alias` is the key on the request, when not the name."""

    source: ClassVar[Source]
    alias: str | None = None
    description: str | None = None

    def key(self, name: str) -> str:
        """The key looked up on the request for a parameter called `name`."""
        return self.alias if self.alias is not None else name


@dataclass(frozen=True, slots=True)
class Path(Param):
    """A segment of the route's template; by name without a marker too."""

    source: ClassVar[Source] = "path"


@dataclass(frozen=True, slots=True)
class Query(Param):
    """A query-string parameter; `list[T]` collects repeated ones."""

    source: ClassVar[Source] = "query"


@dataclass(frozen=True, slots=True)
class Header(Param):
    """A request header: `x_request_id` reads `x-request-id`; `list[T]` collects repeats."""

    source: ClassVar[Source] = "header"

    def key(self, name: str) -> str:
        return (self.alias if self.alias is not None else name.replace("_", "-")).lower()


@dataclass(frozen=True, slots=True)
class Cookie(Param):
    """A cookie of the request."""

    source: ClassVar[Source] = "cookie"


@dataclass(frozen=True, slots=True)
class Body(Param):
    """The JSON request body, decoded straight from bytes into the annotation."""

    source: ClassVar[Source] = "body"


__all__ = ["Body", "Cookie", "Header", "Param", "Path", "Query", "Source"]
