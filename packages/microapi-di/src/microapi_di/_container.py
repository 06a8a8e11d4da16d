"""The container: the public face of declaring services, values and overrides, and of scopes.

Registering and declaring are checked here, against the whole registry, so a cycle or a scope
violation is refused by the call that completes it. What the declarations compile into, and
the cache of it, belongs to `_state`; entering and calling belongs to `_scopes`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, overload

from ._callables import describe
from ._graph import Planner
from ._hooks import ParameterHook
from ._levels import Values
from ._overrides import Override, Overrides
from ._registry import Service, ServiceInfo, level_of
from ._scopes import AppScope, SyncAppScope
from ._state import ContainerState, Prepared
from ._teardown import Offload

R = TypeVar("R")


class Container:
    """Providers, overrides and scopes for one application; nothing is shared between two.

    Register services and declare provided values first; prepare callables (which validates
    them); then enter the app scope, which freezes the container, and call prepared callables
    in request scopes opened inside it.
    """

    def __init__(self) -> None:
        self._state = ContainerState()

    @property
    def frozen(self) -> bool:
        """Whether an app scope has been entered, after which registering raises."""
        return self._state.registry.frozen

    def register(self, key: Hashable, factory: Callable[..., Any], *, scope: str = "app") -> None:
        """Make `factory` the provider of `key` (usually a type) in `scope` ("app" or "request").

        The factory may be a function, coroutine function, generator or async generator; its
        parameters are resolved like any callable's. Raises `FrozenContainerError` once the app
        scope has been entered, `RegistrationError` for a duplicate key or unknown scope, and a
        `ResolutionError` when the factory closes a cycle or needs a narrower scope. Its
        dependencies may be registered later, so a missing one is only an error when the app
        scope is entered or a callable using it is prepared.
        """
        registry = self._state.registry
        service = registry.add_service(key, factory, level_of(scope))
        try:
            # The new service, and every earlier one that may now reach it (memoised: linear).
            self._check_services(first=service)
        except BaseException:
            registry.remove_service(service)
            raise
        self._state.changed()

    def provide(self, key: Hashable, *, scope: str = "request") -> None:
        """Declare that scopes of kind `scope` will be given a value for `key`.

        `key` is a type (matched against annotations) or a string (matched against parameter
        names). Preparing checks parameters against these declarations.
        """
        values = self._state.registry.values
        before = dict(values)
        self._state.registry.add_value(key, level_of(scope))
        try:
            self._check_services()  # an app service may now reach a request-scoped value
        except BaseException:
            values.clear()
            values.update(before)
            raise
        self._state.changed()

    def _check_services(self, first: Service | None = None) -> None:
        """Refuse cycles and scope violations among the services registered so far.

        `first` is checked before the others, so an error's chain starts at the newcomer.
        """
        registry = self._state.registry
        planner = Planner(registry, {}, strict=False)
        services = list(registry.services.values())
        for service in ([first] if first is not None else []) + services:
            planner.service(service, (f"service {describe(service.key)}",))

    def services(self) -> list[ServiceInfo]:
        """The registered services, in registration order."""
        return [service.info() for service in self._state.registry.services.values()]

    @overload
    def prepare(
        self,
        fn: Callable[..., Any],
        *,
        scope: str = ...,
        hook: ParameterHook | None = ...,
        strict_defaults: bool = ...,
        then: Callable[[Any], R],
    ) -> Prepared[R]: ...

    @overload
    def prepare(
        self,
        fn: Callable[..., Awaitable[R]],
        *,
        scope: str = ...,
        hook: ParameterHook | None = ...,
        strict_defaults: bool = ...,
    ) -> Prepared[R]: ...

    @overload
    def prepare(
        self,
        fn: Callable[..., R],
        *,
        scope: str = ...,
        hook: ParameterHook | None = ...,
        strict_defaults: bool = ...,
    ) -> Prepared[R]: ...

    def prepare(
        self,
        fn: Callable[..., Any],
        *,
        scope: str = "request",
        hook: ParameterHook | None = None,
        strict_defaults: bool = False,
        then: Callable[[Any], Any] | None = None,
    ) -> Prepared[Any]:
        """Plan and validate `fn` once, to be called in a `scope` scope ("request" or "app").

        Raises a `ResolutionError` naming the parameter and the chain when something cannot be
        resolved. Calls then run the plan, without inspecting signatures again.

        `hook` is asked about every parameter of the graph that has no `Depends`, before the
        container's own rules (see `Parameter` and `Given`); with `strict_defaults`, a parameter
        of `fn` itself that nothing provides but its default raises `DefaultOnlyError`.

        `then`, when given, is called with what `fn` returns (awaited, for a coroutine function),
        inside the scope and before teardown, and its result is what the call returns: a
        framework turns a handler's value into its response there, so an error doing so is one
        the dependencies' teardown sees, and no wrapper function stands between the plan and
        `fn`. It runs where `fn` ran: on the caller's thread for an async `fn` or in a
        synchronous scope, and in the offload's thread with a plain `fn` that is offloaded.
        """
        if then is not None and not callable(then):
            raise TypeError(f"prepare({describe(fn)}): then must be callable, got {then!r}")
        return Prepared(self._state, fn, level_of(scope), hook, strict_defaults, then)

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every change that can alter a prepared callable's plan: a
        registration, an override set or undone, an app scope opening or closing.

        For what a caller derives from plans (e.g. which request parameters a route reads), so
        it can be marked stale at once instead of checking `Prepared.version` on every call.
        """
        if not callable(listener):
            raise TypeError(f"on_change needs a callable, got {listener!r}")
        self._state.listeners.append(listener)

    @property
    def overrides(self) -> Overrides:
        """The overrides as a mapping: ``container.overrides[get_db] = fake``; ``del`` undoes."""
        return self._state.overrides

    def override(self, target: Hashable, replacement: Callable[..., Any]) -> Override:
        """``with container.override(target, replacement):`` replaces a dependency or service.

        Applied on enter to every prepared callable, undone on exit; nests.
        """
        return Override(self._state.overrides, target, replacement)

    def app_scope(
        self, values: Values | None = None, *, offload: Offload | None = None
    ) -> AppScope:
        """The app scope, to enter with ``async with``; `values` are app-scoped given values.

        `offload`, an async ``offload(fn, *args, **kwargs)`` that runs a synchronous call
        elsewhere (e.g. ``asyncio.to_thread``), is what calls through this scope run their
        synchronous dependencies, generators and functions with; without it they run inline.
        """
        return AppScope(self._state, values, offload)

    def sync_app_scope(self, values: Values | None = None) -> SyncAppScope:
        """The app scope for synchronous code, to enter with ``with``."""
        return SyncAppScope(self._state, values)
