"""The synchronous scopes, for plain synchronous code whose graph has no coroutines."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

from ._levels import Values
from ._prepared import Prepared
from ._scope_base import CLOSED, NO_VALUES, AppScopeBase, ScopeBase
from ._teardown import close_sync, finish_sync

R = TypeVar("R")


class SyncAppScope(AppScopeBase):
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

    def request(self, values: Values | None = None) -> SyncScope:
        """A request scope (enter it with ``with``), given `values` by type or name."""
        return SyncScope(self, values)

    def run(self, prepared: Prepared[R], /, values: Values | None = None) -> R:
        """Open a request scope with `values`, call `prepared`, tear down, return the result."""
        runner = self._oneshot.get(prepared)
        if runner is None or self._token is not self._resolver.token:
            runner = self._runner(prepared, scoped=False)
        result: R = runner(self._values, self._instances, values or NO_VALUES)
        return result

    def call(self, prepared: Prepared[R], /) -> R:
        """Call `prepared` at app scope; see `AppScope.call`."""
        result: R = self._app_runner(prepared)(self._values, self._instances, NO_VALUES)
        return result


class SyncScope(ScopeBase):
    """A synchronous request scope: ``with app.request(values) as scope:``."""

    __slots__ = ("_app",)

    def __init__(self, app: SyncAppScope, values: Values | None) -> None:
        super().__init__(values)
        self._app = app

    def __enter__(self) -> SyncScope:
        self._enter(self._app)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._state = CLOSED
        finish_sync(self._exits, exc)

    def call(self, prepared: Prepared[R], /) -> R:
        """Resolve `prepared`'s dependencies in this scope and call it."""
        self._require_open()
        app = self._app
        runner = app._runner(prepared, scoped=True)
        result: R = runner(app._values, app._instances, self._values, self._cache, self._exits)
        return result
