"""The app's lifecycle: its states, start-up and shutdown, and the request chain it serves.

This module owns when the app may serve. It never speaks ASGI (that is `_asgi.py`) and never
declares anything (that is `app.py`): it receives the declarations, checks and runs them.

The states and what moves between them, as a table rather than as checks spread over methods:

    new ──start──▶ starting ──ok──▶ started ──stop──▶ stopping ──done──▶ stopped
                      │                                                    │
                      └──error──▶ failed ◀─(start again from stopped)──────┘

A stopped app can be started again (each `TestClient` block does); a failed one cannot be
started or stopped. While `started`, `chain` is the middleware pipeline around the dispatcher;
in every other state it is None, and the edge answers 503.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal

from microapi_di import AppScope, Container, Prepared
from microapi_middleware import Pipeline
from microapi_router import Router

from ._dispatch import Dispatcher, FixedAnswer
from ._exception_handlers import ExceptionHandlers
from ._naming import qualified_name
from ._scheduler import Scheduler
from ._tasks import BackgroundWork
from ._threads import ThreadPool
from .requests import Request
from .responses import Response
from .routing import Route

State = Literal["new", "starting", "started", "stopping", "stopped", "failed"]
Event = Literal["start", "ok", "error", "stop", "done"]
Hook = Callable[..., Any]
# The middleware chain, or without middleware `Dispatcher.answer` (which returns a fixed 404 or
# 405 as it is, not awaitable).
Chain = Callable[[Request], Awaitable[Response] | FixedAnswer]

TRANSITIONS: dict[tuple[State, Event], State] = {
    ("new", "start"): "starting",
    ("stopped", "start"): "starting",
    ("starting", "ok"): "started",
    ("starting", "error"): "failed",
    ("started", "stop"): "stopping",
    ("stopping", "done"): "stopped",
}

logger = logging.getLogger("microapi")


class Lifecycle:
    """Start-up, shutdown and the state between them, for one app's declarations."""

    def __init__(
        self,
        router: Router[Route],
        registry: Container,
        middleware: Pipeline[Request, Response],
        errors: ExceptionHandlers,
        startup_hooks: Sequence[Hook],
        shutdown_hooks: Sequence[Hook],
        lifespan: Callable[[], AbstractAsyncContextManager[Any]] | None,
        scheduler: Scheduler,
        shutdown_timeout: float,
        request_threads: ThreadPool,
        background_threads: ThreadPool,
        background: BackgroundWork,
    ) -> None:
        self.router = router
        self.registry = registry
        self.middleware = middleware
        self.errors = errors
        self.startup_hooks = startup_hooks
        self.shutdown_hooks = shutdown_hooks
        self.lifespan = lifespan
        self.scheduler = scheduler
        self.shutdown_timeout = shutdown_timeout
        self.request_threads = request_threads
        self.background_threads = background_threads
        self.background = background
        self.state: State = "new"
        self.startup_error: BaseException | None = None
        self.chain: Chain | None = None
        self._plans: dict[Hook, Prepared[Any]] = {}
        self._app_scope: AppScope | None = None
        self._lifespan_cm: AbstractAsyncContextManager[Any] | None = None
        self._start_lock: asyncio.Lock | None = None

    def _move(self, event: Event) -> None:
        """Take the transition for `event`, or raise naming the state that forbids it."""
        target = TRANSITIONS.get((self.state, event))
        if target is None:
            verb = {"start": "start", "stop": "shut down"}.get(event, event)
            raise RuntimeError(f"cannot {verb}: the app is {self.state}")
        self.state = target

    @property
    def needs_startup(self) -> bool:
        """Whether start-up has work beyond checks: hooks, a lifespan, app services or jobs."""
        app_services = any(s.scope == "app" for s in self.registry.services())
        hooks = self.startup_hooks or self.shutdown_hooks or self.lifespan or self.scheduler.jobs
        return bool(hooks or app_services)

    async def start(self) -> None:
        """Validate, create app services, run start-up hooks, then freeze and serve.

        On failure, whatever was created is torn down and the error is raised.
        """
        self._move("start")
        self.startup_error = None
        try:
            self._prepare_all()
            self.middleware.freeze()
            app_scope = self.registry.app_scope()
            self._app_scope = await app_scope.__aenter__()
        except BaseException as exc:
            self._fail(exc)
            raise
        try:
            for hook in self.startup_hooks:
                await self._app_scope.call(self._plans[hook])
            if self.lifespan is not None:
                self._lifespan_cm = self.lifespan()
                await self._lifespan_cm.__aenter__()
        except BaseException as exc:
            self._fail(exc)
            # The services did nothing wrong: tear them down as at a normal shutdown.
            await self._app_scope.__aexit__(None, None, None)
            raise
        dispatcher = Dispatcher(self.router, self._app_scope, self.errors, self.request_threads)
        # Without middleware the edge calls the dispatcher's plain entry (one coroutine less).
        middleware = self.middleware
        self.chain = middleware.build(dispatcher) if middleware.middlewares else dispatcher.answer
        self._move("ok")
        self.scheduler.start(self._app_scope)

    async def stop(self) -> None:
        """Stop the jobs and the background tasks, exit the lifespan, run shutdown hooks in
        reverse order, then tear services down.

        Running jobs and background tasks get `shutdown_timeout` seconds (together, not one
        after the other), then they are cancelled. Every step is attempted; failures are
        raised together afterwards. A job's `BaseException` (not an `Exception`) is re-raised
        once everything is down.
        """
        self._move("stop")
        self.chain = None
        timeout = self.shutdown_timeout
        escaped, _ = await asyncio.gather(  # jobs and background work first
            self.scheduler.stop(timeout), self.background.stop(timeout)
        )
        errors: list[Exception] = []
        if self._lifespan_cm is not None:
            cm, self._lifespan_cm = self._lifespan_cm, None
            try:
                await cm.__aexit__(None, None, None)
            except Exception as exc:
                logger.exception("lifespan context failed on exit")
                errors.append(exc)
        assert self._app_scope is not None
        for hook in reversed(self.shutdown_hooks):
            try:
                await self._app_scope.call(self._plans[hook])
            except Exception as exc:
                logger.exception("shutdown hook %s failed", qualified_name(hook))
                errors.append(exc)
        try:
            await self._app_scope.__aexit__(None, None, None)
        except Exception as exc:
            errors.append(exc)
        self.request_threads.close()
        self.background_threads.close()
        self._move("done")
        if escaped is not None:
            raise escaped
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ExceptionGroup("MicroAPI shutdown failed", errors)

    async def start_implicitly(self) -> bool:
        """Start on a first request when a server runs without lifespan and nothing needs it."""
        if self.state == "new" and not self.needs_startup:
            if self._start_lock is None:
                self._start_lock = asyncio.Lock()
            async with self._start_lock:
                if self.state == "new":
                    await self.start()
        return self.state == "started"

    def _fail(self, exc: BaseException) -> None:
        self._move("error")
        self.startup_error = exc

    def _prepare_all(self) -> None:
        self._plans = {}
        for route in self.router.routes():
            route.payload.prepare(self.registry)
        for hook in (*self.startup_hooks, *self.shutdown_hooks):
            self._plans[hook] = self.registry.prepare(hook)
        self.scheduler.prepare(self.registry)
