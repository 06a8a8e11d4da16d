"""What the async and the synchronous scopes share: state, and finding compiled plans."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from ._errors import ScopeStateError
from ._levels import APP, REQUEST, Values
from ._prepared import Prepared
from ._resolver import Resolver

NO_VALUES: Values = MappingProxyType({})

NEW, OPEN, CLOSED = "new", "open", "closed"


class AppScopeBase:
    """An app scope's values, created services and teardowns, and its compiled plans.

    The compiled plans are kept per prepared callable for as long as the container's state
    (its token) does not change, so calling a prepared callable is a dictionary lookup and a
    function call.
    """

    _is_async = True

    def __init__(self, resolver: Resolver, values: Values | None) -> None:
        self._resolver = resolver
        self._values: dict[Any, Any] = dict(values) if values else {}
        self._instances: dict[Any, Any] = {}
        self._exits: list[Any] = []
        self._state = NEW
        self._token: object = None
        self._oneshot: dict[Prepared[Any], Callable[..., Any]] = {}
        self._scoped: dict[Prepared[Any], Callable[..., Any]] = {}

    def _open(self) -> Callable[..., Any]:
        """Mark this scope open and return the start-up to run."""
        if self._state is not NEW:
            raise ScopeStateError("an app scope can be entered only once; make a new one")
        startup = self._resolver.open_app(self, self._values, is_async=self._is_async)
        self._state = OPEN
        return startup

    def _close(self) -> None:
        self._state = CLOSED
        self._resolver.close_app(self)

    def _require_open(self) -> None:
        if self._state is not OPEN:
            raise ScopeStateError(f"this app scope is {self._state}, not open")

    def _runner(self, prepared: Prepared[Any], *, scoped: bool) -> Callable[..., Any]:
        """The compiled request-level plan of `prepared`, one-shot or for an open scope."""
        if self._token is not self._resolver.token:
            self._require_open()
            self._oneshot.clear()
            self._scoped.clear()
            self._token = self._resolver.token
        runners = self._scoped if scoped else self._oneshot
        runner = runners.get(prepared)
        if runner is None:
            plan = prepared._plan(self._resolver, REQUEST)
            runner = runners[prepared] = plan.runner(is_async=self._is_async, scoped=scoped)
        return runner

    def _app_runner(self, prepared: Prepared[Any]) -> Callable[..., Any]:
        """The compiled app-level plan of `prepared` (request-scoped needs are refused)."""
        self._require_open()
        plan = prepared._plan(self._resolver, APP)
        return plan.runner(is_async=self._is_async, scoped=False)


class ScopeBase:
    """A request scope's values, cache and teardowns."""

    __slots__ = ("_cache", "_exits", "_state", "_values")

    def __init__(self, values: Values | None) -> None:
        self._values: Values = dict(values) if values else NO_VALUES
        self._cache: dict[Any, Any] = {}
        self._exits: list[Any] = []
        self._state = NEW

    def _enter(self, app: AppScopeBase) -> None:
        if self._state is not NEW:
            raise ScopeStateError("a scope can be entered only once; make a new one")
        app._require_open()
        self._state = OPEN

    def _require_open(self) -> None:
        if self._state is not OPEN:
            raise ScopeStateError(f"this scope is {self._state}: call in it inside its with-block")
