"""A container's state, and the one cache of functions compiled from it.

Owns the registry, the overrides, the open app scope and the runner cache (one `Entry` per
prepared callable), and turns them into plans and compiled runners. Every change that can alter
a runner (a registration, an override, an app scope opening or closing) goes through
`changed()`, which empties the cache and replaces the token: whatever the cache holds is
current, so a call looks it up and checks nothing else.
The token is compared only when a runner has just been compiled, so that one planned before a
concurrent change is not stored after it.

Never calls dependencies or factories itself: the compiled runners do, when a scope calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._callables import describe
from ._codegen import Compiled, Mode, compile_call, compile_startup
from ._errors import InvalidDependencyError, MissingValueError, ScopeStateError
from ._graph import Node, Planner, find_async
from ._hooks import Given, Parameter, ParameterHook
from ._levels import APP, REQUEST, Values, name_of
from ._overrides import Overrides
from ._registry import Registry
from ._signature import DependsMarker
from ._tree import DependencyNode, dependency_tree

R_co = TypeVar("R_co", covariant=True)


@dataclass(frozen=True, eq=False, slots=True)
class Use:
    """How a scope calls a prepared callable: at which level, in which generated shape.

    `slot` is the `Entry` attribute that holds the compiled function for this use. The nine
    instances below are the only ones.
    """

    level: int
    mode: Mode
    slot: str


RUN = Use(REQUEST, Mode(is_async=True, scoped=False), "run")
IN_SCOPE = Use(REQUEST, Mode(is_async=True, scoped=True), "in_scope")
AT_APP = Use(APP, Mode(is_async=True, scoped=False), "at_app")
SYNC_RUN = Use(REQUEST, Mode(is_async=False, scoped=False), "sync_run")
SYNC_IN_SCOPE = Use(REQUEST, Mode(is_async=False, scoped=True), "sync_in_scope")
SYNC_AT_APP = Use(APP, Mode(is_async=False, scoped=False), "sync_at_app")
# The async uses again, with synchronous steps run through an offload function.
RUN_OFFLOADED = Use(REQUEST, Mode(is_async=True, scoped=False, offload=True), "run_offloaded")
IN_SCOPE_OFFLOADED = Use(
    REQUEST, Mode(is_async=True, scoped=True, offload=True), "in_scope_offloaded"
)
AT_APP_OFFLOADED = Use(APP, Mode(is_async=True, scoped=False, offload=True), "at_app_offloaded")


class Entry:
    """What has been compiled for one prepared callable under the current container state.

    One attribute per use holds its function (`None` until first needed), so a scope's call
    is a dictionary lookup and an attribute read; `compiled` keeps each function with its
    source and graph, for `Prepared.source` and for compiling another use from the same graph.
    """

    __slots__ = (
        "at_app",
        "at_app_offloaded",
        "compiled",
        "in_scope",
        "in_scope_offloaded",
        "run",
        "run_offloaded",
        "sync_at_app",
        "sync_in_scope",
        "sync_run",
    )

    def __init__(self) -> None:
        self.run: Callable[..., Any] | None = None
        self.in_scope: Callable[..., Any] | None = None
        self.at_app: Callable[..., Any] | None = None
        self.sync_run: Callable[..., Any] | None = None
        self.sync_in_scope: Callable[..., Any] | None = None
        self.sync_at_app: Callable[..., Any] | None = None
        self.run_offloaded: Callable[..., Any] | None = None
        self.in_scope_offloaded: Callable[..., Any] | None = None
        self.at_app_offloaded: Callable[..., Any] | None = None
        self.compiled: dict[Use, Compiled] = {}

    def graph(self, level: int) -> Node | None:
        """A graph at `level` that something here was compiled from, if any."""
        for use, compiled in self.compiled.items():
            if use.level == level:
                return compiled.root
        return None


Runners = dict["Prepared[Any]", Entry]


class ContainerState:
    """Registry, overrides, the open app scope and the runner cache of one container."""

    __slots__ = (
        "_built_with",
        "app",
        "app_is_async",
        "hooks",
        "listeners",
        "overrides",
        "registry",
        "runners",
        "token",
    )

    def __init__(self) -> None:
        self.registry = Registry()
        self.overrides = Overrides(self.check_override, self.changed)
        self.token = object()
        # prepared -> what is compiled for it; emptied in place on every change, so a scope may
        # hold on to this very dict while it is open.
        self.runners: Runners = {}
        self.app: object | None = None
        self.app_is_async = True
        # The parameter hooks of the callables prepared so far, so that an override's
        # replacement can be checked against them too.
        self.hooks: dict[object, ParameterHook] = {}
        # Called after every change that can alter a plan (`Container.on_change`).
        self.listeners: list[Callable[[], None]] = []
        # The overrides in effect when the open app scope created its services.
        self._built_with: dict[Hashable, Callable[..., Any]] = {}

    def changed(self) -> None:
        """Forget every compiled runner: the next call of each compiles afresh."""
        self.token = object()
        self.runners.clear()
        for listener in self.listeners:
            listener()

    def plan(self, prepared: Prepared[Any], level: int) -> Node:
        """The graph of `prepared` at `level` under the current overrides."""
        planner = Planner(
            self.registry,
            self.overrides.snapshot(),
            hook=prepared.hook,
            strict_defaults=prepared.strict_defaults,
        )
        return planner.root(prepared.fn, level)

    def compiled(self, prepared: Prepared[Any], use: Use) -> Compiled:
        """`prepared` compiled for `use`, from the cache or compiled (and cached) now.

        A graph already planned for another use at the same level is reused: planning (reading
        signatures) happens once per callable, level and state of the container.
        """
        if prepared._state is not self:
            raise ScopeStateError(
                f"{prepared!r} was prepared by another container; prepare it with this one"
            )
        entry = self.runners.get(prepared)
        if entry is not None:
            known = entry.compiled.get(use)
            if known is not None:
                return known
        token = self.token
        root = entry.graph(use.level) if entry is not None else None
        if root is None:
            root = self.plan(prepared, use.level)
        compiled = compile_call(root, use.mode, self._stale(), then=prepared.then)
        if self.token is token:  # else the container changed meanwhile: do not keep it
            entry = self.runners.setdefault(prepared, Entry())
            entry.compiled[use] = compiled
            setattr(entry, use.slot, compiled.call)
        return compiled

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
        self.app_is_async = is_async
        self._built_with = self.overrides.snapshot()
        self.changed()
        return startup

    def close_app(self, scope: object) -> None:
        """Forget `scope` as the open app scope (idempotent)."""
        if self.app is scope:
            self.app = None
            self.app_is_async = True
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
        planner = Planner(
            self.registry,
            {**self.overrides.snapshot(), target: replacement},
            hook=self._any_hook if self.hooks else None,
        )
        if service is not None:
            planner.service(service, chain)
        elif callable(target):
            planner.depends(DependsMarker(target), REQUEST, chain)
        else:
            raise InvalidDependencyError(
                chain, "nothing to override: it is neither a registered service nor a callable"
            )

    def _any_hook(self, param: Parameter) -> DependsMarker | Given | None:
        """The first answer any known hook gives for `param` (a hook that raises has none)."""
        for hook in self.hooks.values():
            try:
                answer = hook(param)
            except Exception:
                continue
            if answer is not None:
                return answer
        return None


class Prepared(Generic[R_co]):
    """`fn` with its dependencies planned. Made by `Container.prepare`; call it in a scope.

    The graph is validated when this object is made (without overrides) and compiled on first
    call; the container keeps the compiled function until its registrations, overrides or
    open app scope change, and then compiles again on the next call.
    """

    def __init__(
        self,
        state: ContainerState,
        fn: Callable[..., Any],
        level: int,
        hook: ParameterHook | None = None,
        strict_defaults: bool = False,
        then: Callable[[Any], Any] | None = None,
    ) -> None:
        # Raises if `fn` cannot be resolved.
        Planner(state.registry, {}, hook=hook, strict_defaults=strict_defaults).root(fn, level)
        if hook is not None:
            try:  # equal hooks (a route's bound method, asked twice) are kept once
                state.hooks.setdefault(hook, hook)
            except TypeError:
                state.hooks.setdefault(id(hook), hook)
        self.fn = fn
        self.scope = name_of(level)
        self.hook = hook
        self.strict_defaults = strict_defaults
        self.then = then
        self._state = state
        self._level = level

    @property
    def version(self) -> object:
        """Changes (by identity) whenever this callable's plan may have changed: registrations,
        overrides, an app scope opening or closing. Compare with `is` to refresh what you
        derived from `dependencies`."""
        return self._state.token

    @property
    def is_async(self) -> bool:
        """Whether the graph (with current overrides) has a coroutine or async generator."""
        return find_async(self._state.plan(self, self._level), (), set()) is not None

    @property
    def dependencies(self) -> list[DependencyNode]:
        """The tree of what fills `fn`'s parameters, with current overrides applied."""
        return dependency_tree(self._state.plan(self, self._level))

    @property
    def source(self) -> str:
        """The Python source of the function that calls `fn` in one step, as compiled now.

        That is what ``app.run(prepared)`` runs (``app.call`` for a callable prepared at app
        scope) under the current overrides, in the open app scope, or when none is open, in an
        async one: the very text the cached function was compiled from. A synchronous app
        scope gives the synchronous function (and `AsyncInSyncScopeError` for an async graph).
        Read-only; for reading and debugging, not for executing.
        """
        state = self._state
        if self._level == APP:
            use = AT_APP if state.app_is_async else SYNC_AT_APP
        else:
            use = RUN if state.app_is_async else SYNC_RUN
        return state.compiled(self, use).source

    @property
    def offloaded_source(self) -> str:
        """The source of what ``app.run(prepared, offload=...)`` runs (``app.call`` at app scope).

        Every synchronous step is ``await offload(...)``; a graph with nothing async is one
        synchronous function offloaded whole, shown first. Read-only, like `source`.
        """
        use = AT_APP_OFFLOADED if self._level == APP else RUN_OFFLOADED
        return self._state.compiled(self, use).source

    def __repr__(self) -> str:
        return f"<Prepared {describe(self.fn)} at {self.scope} scope>"
