"""What `Router.match` returns and what `Router.routes` lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final, Generic, TypeVar

__all__ = ["NOT_FOUND", "Match", "MethodNotAllowed", "NotFound", "Route"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Route(Generic[T]):
    """One row of `Router.routes()`: a template, its methods (sorted) and the payload.

    `methods` lists the methods registered for this payload on this template, without the HEAD
    that GET answers implicitly.
    """

    template: str
    methods: tuple[str, ...]
    payload: T


class Match(Generic[T]):
    """The path matched a template that has a route for the method.

    `params` maps each parameter name of `template` to its percent-decoded value; a tail
    `{name:path}` maps to its segments, each decoded, joined with "/". It is a fresh dict for
    every match: the caller may keep or change it.
    """

    __slots__ = ("params", "payload", "template")
    __match_args__ = ("payload", "params", "template")

    payload: T
    params: dict[str, str]
    template: str

    def __init__(self, payload: T, params: dict[str, str], template: str) -> None:
        self.payload = payload
        self.params = params
        self.template = template

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return (self.payload, self.params, self.template) == (
            other.payload,
            other.params,
            other.template,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: params is a dict

    def __repr__(self) -> str:
        return (
            f"Match(payload={self.payload!r}, params={self.params!r}, template={self.template!r})"
        )


class NotFound:
    """No template matches the path. There is one instance, `NOT_FOUND`; `NotFound()` returns it."""

    __slots__ = ()
    _instance: ClassVar[NotFound | None] = None

    def __new__(cls) -> NotFound:
        instance = NotFound._instance
        if instance is None:
            instance = NotFound._instance = super().__new__(cls)
        return instance

    def __repr__(self) -> str:
        return "NotFound()"

    def __reduce__(self) -> tuple[Any, ...]:
        return (NotFound, ())


NOT_FOUND: Final = NotFound()


@dataclass(frozen=True, slots=True)
class MethodNotAllowed:
    """A template matches the path but has no route for the method.

    `allowed` is sorted and includes HEAD wherever GET is. `template` is the winning template; when
    several templates of the same shape (equal up to parameter names) share the resource, it is
    the smallest of them as a string, so the result never depends on registration order.
    """

    allowed: tuple[str, ...]
    template: str
