"""The container: the service registry, value declarations, overrides and scopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, overload

from ._levels import Values, level_of
from ._overrides import Override, Overrides
from ._prepared import Prepared
from ._registry import ServiceInfo
from ._resolver import Resolver
from ._scope import AppScope
from ._sync_scope import SyncAppScope

R = TypeVar("R")


class Container:
    """Providers, overrides and scopes for one application; nothing is shared between two.

    Register services and declare provided values first; prepare callables (which validates
    them); then enter the app scope, which freezes the container, and call prepared callables
    in request scopes opened inside it.
    """

    def __init__(self) -> None:
        self._resolver = Resolver()

    @property
    def frozen(self) -> bool:
        """Whether an app scope has been entered, after which registering raises."""
        return self._resolver.registry.frozen

    def register(self, key: Hashable, factory: Callable[..., Any], *, scope: str = "app") -> None:
        """Make `factory` the provider of `key` (usually a type) in `scope` ("app" or "request").

        The factory may be a function, coroutine function, generator or async generator; its
        parameters are resolved like any callable's. Raises `FrozenContainerError` once the app
        scope has been entered, `RegistrationError` for a duplicate key or unknown scope, and a
        `ResolutionError` when the factory closes a cycle or needs a narrower scope.
        """
        self._resolver.register(key, factory, level_of(scope))

    def provide(self, key: Hashable, *, scope: str = "request") -> None:
        """Declare that scopes of kind `scope` will be given a value for `key`.

        `key` is a type (matched against annotations) or a string (matched against parameter
        names). Preparing checks parameters against these declarations.
        """
        self._resolver.provide(key, level_of(scope))

    def services(self) -> list[ServiceInfo]:
        """The registered services, in registration order."""
        return [service.info() for service in self._resolver.registry.services.values()]

    @overload
    def prepare(self, fn: Callable[..., Awaitable[R]], *, scope: str = ...) -> Prepared[R]: ...

    @overload
    def prepare(self, fn: Callable[..., R], *, scope: str = ...) -> Prepared[R]: ...

    def prepare(self, fn: Callable[..., Any], *, scope: str = "request") -> Prepared[Any]:
        """Plan and validate `fn` once, to be called in a `scope` scope ("request" or "app").

        Raises a `ResolutionError` naming the parameter and the chain when something cannot be
        resolved. Calls then run the plan, without inspecting signatures again.
        """
        return Prepared(self._resolver, fn, level_of(scope))

    @property
    def overrides(self) -> Overrides:
        """The overrides as a mapping: ``container.overrides[get_db] = fake``; ``del`` undoes."""
        return self._resolver.overrides

    def override(self, target: Hashable, replacement: Callable[..., Any]) -> Override:
        """``with container.override(target, replacement):`` replaces a dependency or service.

        Applied on enter to every prepared callable, undone on exit; nests.
        """
        return Override(self._resolver.overrides, target, replacement)

    def app_scope(self, values: Values | None = None) -> AppScope:
        """The app scope, to enter with ``async with``; `values` are app-scoped given values."""
        return AppScope(self._resolver, values)

    def sync_app_scope(self, values: Values | None = None) -> SyncAppScope:
        """The app scope for synchronous code, to enter with ``with``."""
        return SyncAppScope(self._resolver, values)
