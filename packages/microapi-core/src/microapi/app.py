"""`MicroAPI`: routes, middleware, services and hooks, composed into one ASGI app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import AbstractAsyncContextManager, contextmanager, suppress
from typing import Any, Literal, TypeVar

from microapi_di import Container, MissingDependencyError
from microapi_middleware import Middleware, Pipeline
from microapi_router import Router

from ._scheduler import Scheduler, timeout_seconds
from .background import BackgroundTasks
from .dispatch import Dispatcher
from .endpoint import Endpoint
from .errors import ExceptionHandler, ExceptionHandlers
from .exceptions import AppFrozenError
from .http import serve_http, serve_unavailable, serve_websocket
from .lifespan import serve_lifespan
from .requests import Request
from .responses import Response
from .scheduling import Interval, JobInfo
from .types import Receive, Scope, Send

F = TypeVar("F", bound=Callable[..., Any])
Hook = Callable[..., Any]
State = Literal["new", "starting", "started", "stopping", "stopped", "failed"]

logger = logging.getLogger("microapi")


def _method_names(path: str, methods: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased method names; a bare string is refused (it would iterate by letter)."""
    if isinstance(methods, str):
        raise TypeError(f"methods for {path} must be a list such as ['GET'], not {methods!r}")
    return tuple(method.upper() for method in methods)


class MicroAPI:
    """An ASGI 3 application.

    Everything is declared up front: routes, middleware, services, exception
    handlers and lifecycle hooks (or a `lifespan=` async context manager factory,
    entered after the start-up hooks and exited before the shutdown hooks).
    Start-up (the ASGI lifespan, or `TestClient`) validates every handler's
    dependencies, creates app services, runs the start-up hooks and freezes the
    app; from then on, changing it raises.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        max_body_size: int = 1 << 20,
        lifespan: Callable[[MicroAPI], AbstractAsyncContextManager[Any]] | None = None,
        shutdown_timeout: float = 10.0,
    ) -> None:
        self.exception_handlers = ExceptionHandlers(debug)
        self.lifespan = lifespan
        self.max_body_size = max_body_size
        self.router: Router[Endpoint] = Router()
        self.registry = Container()
        self.registry.provide(Request, scope="request")
        self.registry.provide("request", scope="request")
        self.registry.provide(BackgroundTasks, scope="request")
        # `isinstance` bound to Response: a C-level check per middleware layer.
        self.middleware: Pipeline[Request, Response] = Pipeline(
            is_response=Response.__instancecheck__
        )
        self.startup_hooks: list[Hook] = []
        self.shutdown_hooks: list[Hook] = []
        self.state: State = "new"
        self.startup_error: BaseException | None = None
        self._plans: dict[Hook, Any] = {}
        self._app_scope_cm: AbstractAsyncContextManager[Any] | None = None
        self._lifespan_cm: AbstractAsyncContextManager[Any] | None = None
        self._app_scope: Any = None
        self._chain: Callable[[Request], Any] | None = None
        self._start_lock: asyncio.Lock | None = None
        # Scheduled jobs (microapi._scheduler); shutdown waits for running ones this long.
        self.shutdown_timeout = timeout_seconds(shutdown_timeout)
        self._scheduler = Scheduler()

    @property
    def debug(self) -> bool:
        """Whether a 500 sends the traceback to the client; settable until start-up."""
        return self.exception_handlers.debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._check_open(f"set debug = {value!r}")
        self.exception_handlers.debug = bool(value)

    # --- declaring the app -------------------------------------------------

    def route(self, path: str, methods: Iterable[str]) -> Callable[[F], F]:
        """Register the decorated function for `methods` on the path template `path`."""
        methods = _method_names(path, methods)

        def register(fn: F) -> F:
            self.add_route(path, fn, methods)
            return fn

        return register

    def add_route(self, path: str, fn: Callable[..., Any], methods: Iterable[str]) -> None:
        """Register `fn` for `methods` on `path` (the non-decorator form of `route`)."""
        methods = _method_names(path, methods)
        self._check_open(f"add route {', '.join(methods)} {path}")
        if not callable(fn):
            raise TypeError(f"handler for {path} must be callable, got {fn!r}")
        endpoint = Endpoint(fn, path, methods)
        # A missing provider may still be registered later; start-up checks again.
        with suppress(MissingDependencyError):
            endpoint.prepare(self.registry)
        self.router.add(methods, path, endpoint)

    def get(self, path: str) -> Callable[[F], F]:
        """Register a GET handler (it also answers HEAD)."""
        return self.route(path, ["GET"])

    def post(self, path: str) -> Callable[[F], F]:
        """Register a POST handler."""
        return self.route(path, ["POST"])

    def put(self, path: str) -> Callable[[F], F]:
        """Register a PUT handler."""
        return self.route(path, ["PUT"])

    def patch(self, path: str) -> Callable[[F], F]:
        """Register a PATCH handler."""
        return self.route(path, ["PATCH"])

    def delete(self, path: str) -> Callable[[F], F]:
        """Register a DELETE handler."""
        return self.route(path, ["DELETE"])

    def head(self, path: str) -> Callable[[F], F]:
        """Register a HEAD handler (instead of the one GET provides)."""
        return self.route(path, ["HEAD"])

    def options(self, path: str) -> Callable[[F], F]:
        """Register an OPTIONS handler (instead of the automatic `Allow` answer)."""
        return self.route(path, ["OPTIONS"])

    def add_middleware(self, fn: Middleware[Request, Response]) -> Middleware[Request, Response]:
        """Add `async def mw(request, call_next) -> Response`; the first added is outermost."""
        self._check_open(f"add middleware {getattr(fn, '__qualname__', fn)!r}")
        return self.middleware.add(fn)

    def add_exception_handler(
        self, exc_type: type[BaseException], handler: ExceptionHandler
    ) -> None:
        """Answer `exc_type` (and subclasses) with `handler(request, exc) -> Response`."""
        self._check_open(f"add an exception handler for {exc_type!r}")
        self.exception_handlers.add(exc_type, handler)

    def exception_handler(self, exc_type: type[BaseException]) -> Callable[[F], F]:
        """Decorator form of `add_exception_handler`."""

        def register(fn: F) -> F:
            self.add_exception_handler(exc_type, fn)
            return fn

        return register

    def on_startup(self, fn: F) -> F:
        """Run `fn` at start-up, after app services exist; hooks run in registration order."""
        self._check_open(f"add start-up hook {getattr(fn, '__qualname__', fn)!r}")
        self.startup_hooks.append(fn)
        return fn

    def on_shutdown(self, fn: F) -> F:
        """Run `fn` at shutdown, before app services are torn down; in reverse order."""
        self._check_open(f"add shutdown hook {getattr(fn, '__qualname__', fn)!r}")
        self.shutdown_hooks.append(fn)
        return fn

    # --- scheduled jobs (microapi._scheduler) --------------------------------

    def every(self, interval: Interval) -> Callable[[F], F]:
        """Run the decorated function every `interval` (seconds or a `timedelta`) while started."""
        if callable(interval):
            raise TypeError(
                f"app.every needs an interval: write @app.every(60) above "
                f"{getattr(interval, '__qualname__', interval)!r}"
            )

        def register(fn: F) -> F:
            self.schedule(fn, every=interval)
            return fn

        return register

    def schedule(self, fn: Callable[..., Any], *, every: Interval) -> None:
        """Run `fn` every `every` seconds (or `timedelta`) while the app is started.

        The first run is one interval after start-up; `fn` is resolved at app scope (services
        and app-scoped `Depends`); coroutine functions run on the loop, plain ones in a thread.
        """
        self._check_open(f"schedule {getattr(fn, '__qualname__', fn)!r}")
        self._scheduler.add(fn, every)

    @property
    def jobs(self) -> list[JobInfo]:
        """A snapshot of every scheduled job, in declaration order."""
        return self._scheduler.snapshot()

    @property
    def dependency_overrides(self) -> MutableMapping[Any, Callable[..., Any]]:
        """Dependency or service -> replacement; effective on already prepared handlers."""
        return self.registry.overrides

    @dependency_overrides.setter
    def dependency_overrides(self, overrides: Mapping[Any, Callable[..., Any]]) -> None:
        """Replace every override at once (`app.dependency_overrides = {}` clears them)."""
        current = self.registry.overrides
        current.clear()
        current.update(overrides)

    @contextmanager
    def override(self, target: Any, replacement: Callable[..., Any]) -> Iterator[None]:
        """Replace a dependency or service for the duration of a `with` block."""
        with self.registry.override(target, replacement):
            yield

    def _check_open(self, action: str) -> None:
        if self.state != "new":
            raise AppFrozenError(f"cannot {action}: the app has already started ({self.state})")

    # --- lifecycle ---------------------------------------------------------

    @property
    def needs_startup(self) -> bool:
        """Whether start-up has work beyond checks: hooks, app-scoped services or jobs."""
        app_services = any(s.scope == "app" for s in self.registry.services())
        hooks = self.startup_hooks or self.shutdown_hooks or self.lifespan or self._scheduler.jobs
        return bool(hooks or app_services)

    async def startup(self) -> None:
        """Validate, create app services, run start-up hooks, then freeze and serve.

        On failure, whatever was created is torn down and the error is raised.
        """
        if self.state not in ("new", "stopped"):
            raise RuntimeError(f"cannot start: the app is {self.state}")
        self.state = "starting"
        self.startup_error = None
        self._plans = {}
        try:
            self._prepare_all()
            self.middleware.freeze()
            self._app_scope_cm = self.registry.app_scope()
            self._app_scope = await self._app_scope_cm.__aenter__()
        except BaseException as exc:
            self.state, self.startup_error = "failed", exc
            raise
        try:
            for hook in self.startup_hooks:
                await self._app_scope.call(self._plans[hook])
            if self.lifespan is not None:
                self._lifespan_cm = self.lifespan(self)
                await self._lifespan_cm.__aenter__()
        except BaseException as exc:
            self.state, self.startup_error = "failed", exc
            # The services did nothing wrong: tear them down as at a normal shutdown.
            await self._app_scope_cm.__aexit__(None, None, None)
            raise
        dispatcher = Dispatcher(self.router, self._app_scope, self.exception_handlers)
        self._chain = self.middleware.build(dispatcher)
        self.state = "started"
        self._scheduler.start(self._app_scope)

    async def shutdown(self) -> None:
        """Stop the jobs, run shutdown hooks in reverse order, then tear app services down.

        Every step is attempted; failures are raised together afterwards.
        """
        if self.state != "started":
            raise RuntimeError(f"cannot shut down: the app is {self.state}")
        self.state = "stopping"
        self._chain = None
        escaped = await self._scheduler.stop(self.shutdown_timeout)  # jobs first
        errors: list[Exception] = []
        if self._lifespan_cm is not None:
            try:
                await self._lifespan_cm.__aexit__(None, None, None)
            except Exception as exc:
                logger.exception("lifespan context failed on exit")
                errors.append(exc)
        for hook in reversed(self.shutdown_hooks):
            try:
                await self._app_scope.call(self._plans[hook])
            except Exception as exc:
                logger.exception("shutdown hook %s failed", getattr(hook, "__qualname__", hook))
                errors.append(exc)
        assert self._app_scope_cm is not None
        try:
            await self._app_scope_cm.__aexit__(None, None, None)
        except Exception as exc:
            errors.append(exc)
        self.state = "stopped"
        if escaped is not None:  # a job's BaseException, re-raised once everything is down
            raise escaped
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ExceptionGroup("MicroAPI shutdown failed", errors)

    def _prepare_all(self) -> None:
        for route in self.router.routes():
            route.payload.prepare(self.registry)
        for hook in (*self.startup_hooks, *self.shutdown_hooks):
            self._plans[hook] = self.registry.prepare(hook)
        self._scheduler.prepare(self.registry)

    async def _implicit_start(self) -> bool:
        """Start on the first request when a server runs without lifespan and nothing needs it."""
        if self.state == "new" and not self.needs_startup:
            if self._start_lock is None:
                self._start_lock = asyncio.Lock()
            async with self._start_lock:
                if self.state == "new":
                    await self.startup()
        return self.state == "started"

    # --- ASGI --------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            chain = self._chain
            if chain is None:
                if not await self._implicit_start():
                    await serve_unavailable(self, scope, receive, send)
                    return
                chain = self._chain
                assert chain is not None
            await serve_http(
                chain, self.exception_handlers, self.max_body_size, scope, receive, send
            )
        elif kind == "lifespan":
            await serve_lifespan(self, receive, send)
        elif kind == "websocket":
            await serve_websocket(receive, send)
        else:
            raise ValueError(f"MicroAPI does not handle ASGI scope type {kind!r}")
