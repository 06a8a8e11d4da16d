"""A callable whose dependency plan has been built and validated once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ._errors import ScopeStateError
from ._levels import name_of
from ._plan import Plan
from ._resolver import Resolver
from ._tree import DependencyNode

R_co = TypeVar("R_co", covariant=True)


class Prepared(Generic[R_co]):
    """`fn` with its dependencies planned. Made by `Container.prepare`; call it in a scope.

    The plan is validated when this object is made (without overrides) and compiled on first
    call. Overrides and later registrations are picked up on the next call: the cached plan is
    keyed by the container's state, so an unchanged container pays nothing to check.
    """

    def __init__(self, resolver: Resolver, fn: Callable[..., Any], level: int) -> None:
        resolver.validate(fn, level)
        self.fn = fn
        self.scope = name_of(level)
        self._resolver = resolver
        self._level = level
        self._token: object = None
        self._plans: dict[int, Plan] = {}

    @property
    def is_async(self) -> bool:
        """Whether the graph (with current overrides) has a coroutine or async generator."""
        return self._plan(self._resolver, self._level).is_async

    @property
    def dependencies(self) -> list[DependencyNode]:
        """The tree of what fills `fn`'s parameters, with current overrides applied."""
        return self._plan(self._resolver, self._level).tree()

    def _plan(self, resolver: Resolver, level: int) -> Plan:
        """The current plan at `level`; `resolver` must be the container that prepared this."""
        if resolver is not self._resolver:
            raise ScopeStateError(
                f"{self!r} was prepared by another container; prepare it with this one"
            )
        if self._token is not resolver.token:
            self._plans.clear()
            self._token = resolver.token
        plan = self._plans.get(level)
        if plan is None:
            plan = self._plans[level] = resolver.plan(self.fn, level)
        return plan

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        return f"<Prepared {name} at {self.scope} scope>"
