"""A container's state, and the one cache of functions compiled from it.

Owns the registry, the overrides, the open app scope and the runner cache, and turns them into
plans and compiled runners. Every change that can alter a runner (a registration, an override,
an app scope opening or closing) goes through `changed()`, which empties the cache and replaces
the token: whatever the cache holds is current, so a call looks it up and checks nothing else.
The token is compared only when a runner has just been compiled, so that one planned before a
concurrent change is not stored after it.

Never calls user code: runners do, when a scope calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._callables import describe
from ._codegen import Compiled, Mode, compile_call, compile_startup
from ._errors import InvalidDependencyError, MissingValueError, ScopeStateError
from ._graph import Node, Planner, find_async
from ._levels import APP, REQUEST, Values, name_of
from ._overrides import Overrides
from ._registry import Registry
from ._signature import DependsMarker
from ._tree import DependencyNode, dependency_tree

R_co = TypeVar("R_co", covariant=True)


@dataclass(frozen=True, eq=False, slots=True)
class Use:
    """How a scope calls a prepared callable: at which level, and in which generated shape.

    The few instances below are the only ones; compared by identity, they make cheap keys.
    """

    level: int
    mode: Mode


RUN = Use(REQUEST, Mode(is_async=True, scoped=False))
IN_SCOPE = Use(REQUEST, Mode(is_async=True, scoped=True))
AT_APP = Use(APP, Mode(is_async=True, scoped=False))
SYNC_RUN = Use(REQUEST, Mode(is_async=False, scoped=False))
SYNC_IN_SCOPE = Use(REQUEST, Mode(is_async=False, scoped=True))
SYNC_AT_APP = Use(APP, Mode(is_async=False, scoped=False))

USES: tuple[Use, ...] = (RUN, IN_SCOPE, AT_APP, SYNC_RUN, SYNC_IN_SCOPE, SYNC_AT_APP)

Runners = dict[tuple["Prepared[Any]", Use], Compiled]


class ContainerState:
    """Registry, overrides, the open app scope and the runner cache of one container."""

    __slots__ = ("_built_with", "app", "overrides", "registry", "runners", "token")

    def __init__(self) -> None:
        self.registry = Registry()
        self.overrides = Overrides(self.check_override, self.changed)
        self.token = object()
        # (prepared, use) -> compiled function with its source and graph; emptied in place on
        # every change, so a scope may hold on to this very dict while it is open.
        self.runners: Runners = {}
        self.app: object | None = None
        # The overrides in effect when the open app scope created its services.
        self._built_with: dict[Hashable, Callable[..., Any]] = {}

    def changed(self) -> None:
        """Forget every compiled runner: the next call of each compiles afresh."""
        self.token = object()
        self.runners.clear()

    def plan(self, fn: Callable[..., Any], level: int) -> Node:
        """The graph of `fn` at `level` under the current overrides."""
        return Planner(self.registry, self.overrides.snapshot()).root(fn, level)

    def runner(self, prepared: Prepared[Any], use: Use) -> Compiled:
        """The compiled function for calling `prepared` in `use`, from the cache or compiled now.

        A graph already planned for another use at the same level is reused: planning (reading
        signatures) happens once per callable, level and state of the container.
        """
        if prepared._state is not self:
            raise ScopeStateError(
                f"{prepared!r} was prepared by another container; prepare it with this one"
            )
        runner = self.runners.get((prepared, use))
        if runner is not None:
            return runner
        token = self.token
        root = self._planned(prepared, use.level) or self.plan(prepared.fn, use.level)
        runner = compile_call(root, use.mode, self._stale())
        if self.token is token:
            self.runners[prepared, use] = runner
        return runner

    def _planned(self, prepared: Prepared[Any], level: int) -> Node | None:
        """The graph of `prepared` at `level` if a cached runner was compiled from one."""
        for use in USES:
            if use.level == level:
                runner = self.runners.get((prepared, use))
                if runner is not None:
                    return runner.root
        return None

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
        services = [
            planner.service(service, (f"service {describe(service.key)}",))
            for service in self.registry.services.values()
        ]
        startup = compile_startup(
            [node for node in services if node.level == APP],
            Mode(is_async=is_async, scoped=True, startup=True),
        ).call
        self.registry.frozen = True
        self.app = scope
        self._built_with = self.overrides.snapshot()
        self.changed()
        return startup

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

    def check_override(self, target: Hashable, replacement: Callable[..., Any]) -> None:
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


class Prepared(Generic[R_co]):
    """`fn` with its dependencies planned. Made by `Container.prepare`; call it in a scope.

    The graph is validated when this object is made (without overrides) and compiled on first
    call; the container keeps the compiled function until its registrations, overrides or
    open app scope change, and then compiles again on the next call.
    """

    def __init__(self, state: ContainerState, fn: Callable[..., Any], level: int) -> None:
        Planner(state.registry, {}).root(fn, level)  # raises if `fn` cannot be resolved
        self.fn = fn
        self.scope = name_of(level)
        self._state = state
        self._level = level

    @property
    def is_async(self) -> bool:
        """Whether the graph (with current overrides) has a coroutine or async generator."""
        return find_async(self._state.plan(self.fn, self._level), (), set()) is not None

    @property
    def dependencies(self) -> list[DependencyNode]:
        """The tree of what fills `fn`'s parameters, with current overrides applied."""
        return dependency_tree(self._state.plan(self.fn, self._level))

    def __repr__(self) -> str:
        return f"<Prepared {describe(self.fn)} at {self.scope} scope>"
