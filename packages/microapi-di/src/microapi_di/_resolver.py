"""The container's inner state, and everything that turns it into plans."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from ._callables import describe
from ._errors import InvalidDependencyError, MissingValueError, ScopeStateError
from ._graph import Planner
from ._levels import APP, REQUEST, Values
from ._markers import DependsMarker
from ._overrides import Overrides
from ._plan import Plan, StartupPlan
from ._registry import Registry, Service


class Resolver:
    """Registry, overrides and the open app scope of one container.

    `token` is replaced on every change that can alter a plan (a registration, an override, an
    app scope opening or closing); prepared callables and scopes compare it by identity to know
    when a cached plan is stale. That comparison is the whole cost of overrides on a call.
    """

    def __init__(self) -> None:
        self.registry = Registry()
        self.overrides = Overrides(self._check_override, self.changed)
        self.token = object()
        self.app: object | None = None
        # The overrides in effect when the open app scope created its services.
        self._built_with: dict[Hashable, Callable[..., Any]] = {}

    def changed(self) -> None:
        """Invalidate every cached plan."""
        self.token = object()

    def validate(self, fn: Callable[..., Any], level: int) -> None:
        """Raise if `fn` cannot be resolved at `level` with the registered providers."""
        Planner(self.registry, {}).root(fn, level)

    def plan(self, fn: Callable[..., Any], level: int) -> Plan:
        """A plan for `fn` at `level` under the current overrides and open app scope."""
        root = Planner(self.registry, self.overrides.snapshot()).root(fn, level)
        return Plan(root, self._stale())

    def register(self, key: Hashable, factory: Callable[..., Any], level: int) -> None:
        """Add a service, refusing one that closes a cycle or uses a narrower scope.

        Its dependencies may be registered later, so a missing one is only an error when the
        app scope is entered or a callable using it is prepared.
        """
        service = self.registry.add_service(key, factory, level)
        try:
            # The new service, and every earlier one that may now reach it (memoised: linear).
            self._check_services(first=service)
        except BaseException:
            self.registry.remove_service(service)
            raise
        self.changed()

    def provide(self, key: Hashable, level: int) -> None:
        """Declare a value that scopes at `level` will be given."""
        before = dict(self.registry.values)
        self.registry.add_value(key, level)
        try:
            self._check_services()  # an app service may now reach a request-scoped value
        except BaseException:
            self.registry.values.clear()
            self.registry.values.update(before)
            raise
        self.changed()

    def _check_services(self, first: Service | None = None) -> None:
        """Refuse cycles and scope violations among the services registered so far.

        `first` is checked before the others, so an error's chain starts at the newcomer.
        """
        planner = Planner(self.registry, {}, strict=False)
        services = list(self.registry.services.values())
        for service in ([first] if first is not None else []) + services:
            planner.service(service, (f"service {describe(service.key)}",))

    def open_app(self, scope: object, values: Values, *, is_async: bool) -> Callable[..., Any]:
        """Validate everything, freeze, and return the compiled start-up for `scope`.

        Nothing changes if validation fails, so a container with a mistake can be fixed and
        entered again.
        """
        if self.app is not None:
            raise ScopeStateError("this container's app scope is already open; exit it first")
        missing = [
            describe(key)
            for key, level in self.registry.values.items()
            if level == APP and key not in values
        ]
        if missing:
            raise MissingValueError(
                f"the app scope was entered without the declared value(s) {', '.join(missing)}"
            )
        planner = Planner(self.registry, self.overrides.snapshot())
        services = {
            service: planner.service(service, (f"service {describe(service.key)}",))
            for service in self.registry.services.values()
        }
        startup = StartupPlan([node for s, node in services.items() if s.level == APP])
        runner = startup.runner(is_async=is_async)
        self.registry.frozen = True
        self.app = scope
        self._built_with = self.overrides.snapshot()
        self.changed()
        return runner

    def close_app(self, scope: object) -> None:
        """Forget `scope` as the open app scope (idempotent)."""
        if self.app is scope:
            self.app = None
            self._built_with = {}
            self.changed()

    def _stale(self) -> frozenset[object]:
        """Override targets that differ from when the open app scope built its services."""
        if self.app is None:
            return frozenset()
        current = self.overrides.snapshot()
        targets = current.keys() | self._built_with.keys()
        return frozenset(t for t in targets if current.get(t) is not self._built_with.get(t))

    def _check_override(self, target: Hashable, replacement: Callable[..., Any]) -> None:
        """Validate a replacement in the place of `target` before it is applied."""
        chain = (f"override({describe(target)})",)
        if not callable(replacement):
            raise InvalidDependencyError(chain, f"the replacement {replacement!r} is not callable")
        try:
            service = self.registry.services.get(target)
            declared = target in self.registry.values
        except TypeError:
            raise InvalidDependencyError(chain, "the target must be hashable") from None
        if declared:
            raise InvalidDependencyError(
                chain, "a value given to a scope is not overridable; give a different value"
            )
        planner = Planner(self.registry, {**self.overrides.snapshot(), target: replacement})
        if service is not None:
            planner.service(service, chain)
        elif callable(target):
            planner.depends(DependsMarker(target), REQUEST, chain)
        else:
            raise InvalidDependencyError(
                chain, "nothing to override: it is neither a registered service nor a callable"
            )
