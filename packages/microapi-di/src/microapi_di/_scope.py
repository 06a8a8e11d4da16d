"""The async scopes: the app scope, and request scopes opened inside it."""

from __future__ import annotations

from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from ._levels import Values
from ._prepared import Prepared
from ._scope_base import CLOSED, NO_VALUES, AppScopeBase, ScopeBase
from ._teardown import close_async, finish_async

R = TypeVar("R")


class AppScope(AppScopeBase):
    """The app scope: ``async with container.app_scope() as app:``.

    Entering validates every service, freezes the container and creates the app-scoped
    services in dependency order (registration order where the order is free). Exiting tears
    them down in reverse order of creation.
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

    def request(self, values: Values | None = None) -> Scope:
        """A request scope (enter it with ``async with``), given `values` by type or name."""
        return Scope(self, values)

    def run(self, prepared: Prepared[R], /, values: Values | None = None) -> Coroutine[Any, Any, R]:
        """Open a request scope with `values`, call `prepared`, tear down; awaitable.

        The fast path for frameworks: the same as calling in ``async with app.request(values)``,
        without the scope object. Teardown is finished before the result is returned, and
        teardown errors are raised as described in `teardown`.
        """
        runner = self._oneshot.get(prepared)
        if runner is None or self._token is not self._resolver.token:
            runner = self._runner(prepared, scoped=False)
        coroutine: Coroutine[Any, Any, R] = runner(
            self._values, self._instances, values or NO_VALUES
        )
        return coroutine

    async def call(self, prepared: Prepared[R], /) -> R:
        """Call `prepared` at app scope (start-up hooks, workers): app services only.

        Its `Depends` run in a one-off unit torn down right after the call; a request-scoped
        need raises `ScopeViolationError`.
        """
        runner = self._app_runner(prepared)
        result: R = await runner(self._values, self._instances, NO_VALUES)
        return result


class Scope(ScopeBase):
    """A request scope: ``async with app.request(values) as scope:``.

    Dependencies are cached for the scope's lifetime, shared by every call made in it, and
    their teardowns run when the block exits (the block's exception thrown into them).
    """

    __slots__ = ("_app",)

    def __init__(self, app: AppScope, values: Values | None) -> None:
        super().__init__(values)
        self._app = app

    async def __aenter__(self) -> Scope:
        self._enter(self._app)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._state = CLOSED
        await finish_async(self._exits, exc)

    async def call(self, prepared: Prepared[R], /) -> R:
        """Resolve `prepared`'s dependencies in this scope and call it."""
        self._require_open()
        app = self._app
        runner = app._runner(prepared, scoped=True)
        result: R = await runner(
            app._values, app._instances, self._values, self._cache, self._exits
        )
        return result
