"""The scopes: the app scope, and request scopes opened inside it; async and synchronous.

An app scope holds the app's given values, the services created at start-up and their
teardowns. While it is open it reads compiled runners from its container's one cache (the very
dict, which the container empties on every change); a scope that is not open holds an empty
mapping instead, so a call on it falls through to the slow path, which raises. Calling a
prepared callable is therefore one dictionary lookup and one call.

A request scope holds its given values, its cache of dependencies and its teardowns. Teardown
itself (the order, the errors) is `_teardown`'s job; what to run is `_codegen`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from functools import partial
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar

from ._errors import ScopeStateError
from ._levels import Values
from ._state import (
    AT_APP,
    AT_APP_OFFLOADED,
    IN_SCOPE,
    IN_SCOPE_OFFLOADED,
    RUN,
    RUN_OFFLOADED,
    SYNC_AT_APP,
    SYNC_IN_SCOPE,
    SYNC_RUN,
    ContainerState,
    Entry,
    Prepared,
    Runners,
    Use,
)
from ._teardown import Offload, close_async, close_sync, finish_async, finish_offloaded, finish_sync

R = TypeVar("R")

NO_VALUES: Values = MappingProxyType({})
_NO_RUNNERS: Mapping[Any, Entry] = MappingProxyType({})

NEW, OPEN, CLOSED = "new", "open", "closed"


class _AppScopeBase:
    """What the async and the synchronous app scopes share."""

    _is_async = True

    def __init__(
        self, state: ContainerState, values: Values | None, offload: Offload | None = None
    ) -> None:
        self._state = state
        self._offload = offload
        self._values: dict[Any, Any] = dict(values) if values else {}
        self._instances: dict[Any, Any] = {}
        self._exits: list[Any] = []
        self._phase = NEW
        self._runners: Runners | Mapping[Any, Entry] = _NO_RUNNERS

    def _open(self) -> Callable[..., Any]:
        """Mark this scope open and return the start-up to run."""
        if self._phase is not NEW:
            raise ScopeStateError("an app scope can be entered only once; make a new one")
        startup = self._state.open_app(self, self._values, is_async=self._is_async)
        self._phase = OPEN
        self._runners = self._state.runners
        return startup

    def _close(self) -> None:
        self._phase = CLOSED
        self._runners = _NO_RUNNERS
        self._state.close_app(self)

    def _require_open(self) -> None:
        if self._phase is not OPEN:
            raise ScopeStateError(f"this app scope is {self._phase}, not open")

    def _runner(self, prepared: Prepared[Any], use: Use) -> Callable[..., Any]:
        """The slow path of a call: check this scope is open, then compile (and cache)."""
        self._require_open()
        return self._state.compiled(prepared, use).call


class AppScope(_AppScopeBase):
    """The app scope: ``async with container.app_scope() as app:``.

    Entering validates every service, freezes the container and creates the app-scoped
    services in dependency order (registration order where the order is free). Exiting tears
    them down in reverse order of creation.

    With `offload` (``await offload(fn, *args, **kwargs)`` runs a synchronous call elsewhere,
    typically in a worker thread), every call made through this scope (`run`, `call`, request
    scopes) runs its synchronous steps through it; services are still created and torn down
    where the scope is entered and exited. `run`, `call` and `request` take their own too.
    """

    async def __aenter__(self) -> AppScope:
        startup = self._open()
        try:
            await startup(self._values, self._instances, NO_VALUES, self._instances, self._exits)
        except BaseException as error:
            self._close()
            # The services created so far did nothing wrong: close them as at a normal exit.
            problem = await close_async(self._exits)
            if problem is not None:
                error.add_note(f"closing the services created before it also failed: {problem!r}")
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()
        await finish_async(self._exits, exc)

    def request(
        self, values: Values | None = None, *, offload: Offload | None = None
    ) -> RequestScope:
        """A request scope (enter it with ``async with``), given `values` by type or name.

        `offload` (default: the app scope's) runs its synchronous steps, teardown included.
        """
        return RequestScope(self, values, self._offload if offload is None else offload)

    def run(
        self,
        prepared: Prepared[R],
        /,
        values: Values | None = None,
        *,
        offload: Offload | None = None,
    ) -> Coroutine[Any, Any, R]:
        """Open a request scope with `values`, call `prepared`, tear down; awaitable.

        The fast path for frameworks: the same as calling in ``async with app.request(values)``,
        without the scope object. Teardown is finished before the result is returned, and
        teardown errors are raised as described in `teardown`. `offload` (default: the app
        scope's) runs the synchronous steps; see `Prepared.offloaded_source`.
        """
        if offload is None:
            offload = self._offload
        entry = self._runners.get(prepared)
        if offload is not None:  # inlined: this is the framework's path for every request
            runner = entry.run_offloaded if entry is not None else None
            if runner is None:
                runner = self._runner(prepared, RUN_OFFLOADED)
            offloaded: Coroutine[Any, Any, R] = runner(
                self._values, self._instances, values or NO_VALUES, offload
            )
            return offloaded
        runner = entry.run if entry is not None else None
        if runner is None:
            runner = self._runner(prepared, RUN)
        coroutine: Coroutine[Any, Any, R] = runner(
            self._values, self._instances, values or NO_VALUES
        )
        return coroutine

    def runner(self, prepared: Prepared[R], /) -> Callable[[Values], Coroutine[Any, Any, R]]:
        """`run(prepared, values)` as one function of the values: ``await runner(values)``.

        For a framework calling the same prepared callable on every request: the runner is the
        compiled function with this scope's state bound, so a call skips `run`'s lookups. It
        stays right while this scope is open and the container unchanged: take a new one after
        every `Container.on_change` notification (this scope closing is one), and store it only
        if none arrived while taking it (a change from another thread may). With this scope's
        `offload`, its synchronous steps go there, as with `run`.
        """
        offload = self._offload
        if offload is None:
            return partial(self._runner(prepared, RUN), self._values, self._instances)
        call = self._runner(prepared, RUN_OFFLOADED)
        values, instances = self._values, self._instances
        return lambda given: call(values, instances, given, offload)

    async def call(self, prepared: Prepared[R], /, *, offload: Offload | None = None) -> R:
        """Call `prepared` at app scope (start-up hooks, workers): app services only.

        Its `Depends` run in a one-off unit torn down right after the call; a request-scoped
        need raises `ScopeViolationError`. `offload` (default: the app scope's) runs the
        synchronous steps.
        """
        if offload is None:
            offload = self._offload
        if offload is not None:
            entry = self._runners.get(prepared)
            runner = entry.at_app_offloaded if entry is not None else None
            if runner is None:
                runner = self._runner(prepared, AT_APP_OFFLOADED)
            offloaded: R = await runner(self._values, self._instances, NO_VALUES, offload)
            return offloaded
        entry = self._runners.get(prepared)
        runner = entry.at_app if entry is not None else None
        if runner is None:
            runner = self._runner(prepared, AT_APP)
        result: R = await runner(self._values, self._instances, NO_VALUES)
        return result


class SyncAppScope(_AppScopeBase):
    """The app scope for synchronous code: ``with container.sync_app_scope() as app:``.

    Same semantics as `AppScope`; entering raises `AsyncInSyncScopeError` when an app service's
    factory is a coroutine function or an async generator.
    """

    _is_async = False

    def __enter__(self) -> SyncAppScope:
        startup = self._open()
        try:
            startup(self._values, self._instances, NO_VALUES, self._instances, self._exits)
        except BaseException as error:
            self._close()
            # The services created so far did nothing wrong: close them as at a normal exit.
            problem = close_sync(self._exits)
            if problem is not None:
                error.add_note(f"closing the services created before it also failed: {problem!r}")
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()
        finish_sync(self._exits, exc)

    def request(self, values: Values | None = None) -> SyncRequestScope:
        """A request scope (enter it with ``with``), given `values` by type or name."""
        return SyncRequestScope(self, values)

    def run(self, prepared: Prepared[R], /, values: Values | None = None) -> R:
        """Open a request scope with `values`, call `prepared`, tear down, return the result."""
        entry = self._runners.get(prepared)
        runner = entry.sync_run if entry is not None else None
        if runner is None:
            runner = self._runner(prepared, SYNC_RUN)
        result: R = runner(self._values, self._instances, values or NO_VALUES)
        return result

    def call(self, prepared: Prepared[R], /) -> R:
        """Call `prepared` at app scope; see `AppScope.call`."""
        entry = self._runners.get(prepared)
        runner = entry.sync_at_app if entry is not None else None
        if runner is None:
            runner = self._runner(prepared, SYNC_AT_APP)
        result: R = runner(self._values, self._instances, NO_VALUES)
        return result


class _RequestScopeBase:
    """A request scope's values, cache and teardowns, and calling in it."""

    __slots__ = ("_app", "_cache", "_exits", "_offload", "_phase", "_values")

    _use: Use

    def __init__(
        self, app: _AppScopeBase, values: Values | None, offload: Offload | None = None
    ) -> None:
        self._app = app
        self._offload = offload
        self._values: Values = dict(values) if values else NO_VALUES
        self._cache: dict[Any, Any] = {}
        self._exits: list[Any] = []
        self._phase = NEW

    def _enter(self) -> None:
        if self._phase is not NEW:
            raise ScopeStateError("a scope can be entered only once; make a new one")
        self._app._require_open()
        self._phase = OPEN

    def _call(self, prepared: Prepared[Any]) -> Any:
        """Run `prepared`'s runner in this scope: its result, or the coroutine to await."""
        if self._phase is not OPEN:
            raise ScopeStateError(f"this scope is {self._phase}: call in it inside its with-block")
        app = self._app
        offload = self._offload
        use = self._use if offload is None else IN_SCOPE_OFFLOADED
        entry = app._runners.get(prepared)
        runner = getattr(entry, use.slot) if entry is not None else None
        if runner is None:
            runner = app._runner(prepared, use)
        if offload is not None:
            return runner(
                app._values, app._instances, self._values, self._cache, self._exits, offload
            )
        return runner(app._values, app._instances, self._values, self._cache, self._exits)


class RequestScope(_RequestScopeBase):
    """A request scope: ``async with app.request(values) as scope:``.

    Dependencies are cached for the scope's lifetime, shared by every call made in it, and
    their teardowns run when the block exits (the block's exception thrown into them).
    """

    __slots__ = ()
    _use = IN_SCOPE

    async def __aenter__(self) -> RequestScope:
        self._enter()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._phase = CLOSED
        if self._offload is not None:
            await finish_offloaded(self._exits, exc, self._offload)
        else:
            await finish_async(self._exits, exc)

    async def call(self, prepared: Prepared[R], /) -> R:
        """Resolve `prepared`'s dependencies in this scope and call it."""
        result: R = await self._call(prepared)
        return result


class SyncRequestScope(_RequestScopeBase):
    """A synchronous request scope: ``with app.request(values) as scope:``."""

    __slots__ = ()
    _use = SYNC_IN_SCOPE

    def __enter__(self) -> SyncRequestScope:
        self._enter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._phase = CLOSED
        finish_sync(self._exits, exc)

    def call(self, prepared: Prepared[R], /) -> R:
        """Resolve `prepared`'s dependencies in this scope and call it."""
        result: R = self._call(prepared)
        return result
