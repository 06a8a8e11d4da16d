"""`MicroAPI`: what an app declares (routes, middleware, services, handlers, hooks).

Declarations only. When the app starts, its `Lifecycle` (`_lifecycle.py`) checks and runs them;
requests and lifespan messages are served by `_asgi.py`, which is given the lifecycle.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import AbstractAsyncContextManager, contextmanager, suppress
from typing import Any, TypeVar

from microapi_di import Container, MissingDependencyError
from microapi_middleware import Middleware, Pipeline
from microapi_router import Router

from ._asgi import serve
from ._exception_handlers import ExceptionHandler, ExceptionHandlers
from ._lifecycle import Hook, Lifecycle, State
from ._naming import qualified_name
from ._scheduler import Scheduler, timeout_seconds
from ._tasks import BackgroundWork
from ._threads import ThreadPool, pool_size
from .background import BackgroundTasks
from .exceptions import AppFrozenError
from .requests import Request
from .responses import Response
from .routing import Route, RouteDecorators, RouteGroup, check_prefix, method_names
from .scheduling import Interval, JobInfo
from .staticfiles import StaticFiles

F = TypeVar("F", bound=Callable[..., Any])


class MicroAPI(RouteDecorators):
    """An ASGI 3 application.

    Everything is declared up front: routes, middleware, services, exception
    handlers and lifecycle hooks (or a `lifespan=` async context manager factory,
    entered after the start-up hooks and exited before the shutdown hooks).
    Start-up (the ASGI lifespan, or `TestClient`) validates every handler's
    dependencies, creates app services, runs the start-up hooks and freezes the
    app; from then on, changing it raises.

    Serving limits (see the README, "Running in production"): `request_threads` worker
    threads run the synchronous handlers and dependencies of requests, each request on one
    thread; `background_threads` others run synchronous background tasks and plain-function
    jobs, so hung background work cannot starve requests. A request body that sends nothing
    for `body_timeout` seconds is answered 408 (None: wait forever); a background task running
    longer than `background_timeout` seconds is cancelled (None: no limit); shutdown waits at
    most `shutdown_timeout` seconds for running jobs and background tasks, then cancels them.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        max_body_size: int = 1 << 20,
        lifespan: Callable[[MicroAPI], AbstractAsyncContextManager[Any]] | None = None,
        shutdown_timeout: float = 10.0,
        request_threads: int = 40,
        background_threads: int = 8,
        body_timeout: float | None = 30.0,
        background_timeout: float | None = None,
    ) -> None:
        self.exception_handlers = ExceptionHandlers(debug)
        self.max_body_size = max_body_size
        self.body_timeout = _optional_seconds(body_timeout, "body_timeout")
        request_pool = ThreadPool(pool_size(request_threads, "request_threads"), "microapi-request")
        background_pool = ThreadPool(
            pool_size(background_threads, "background_threads"), "microapi-background"
        )
        self.background_work = BackgroundWork(
            background_pool.run, _optional_seconds(background_timeout, "background_timeout")
        )
        self.router: Router[Route] = Router()
        self.registry = Container()
        self.registry.provide(Request, scope="request")
        self.registry.provide("request", scope="request")
        self.registry.provide(BackgroundTasks, scope="request")
        # What routes derive from their plans (the parameters they read) follows the container.
        self.registry.on_change(self._plans_changed)
        # `isinstance` bound to Response: a C-level check per middleware layer. An exception a
        # middleware raises becomes a response at its own boundary (one place decides how).
        self.middleware: Pipeline[Request, Response] = Pipeline(
            is_response=Response.__instancecheck__,
            recover=self.exception_handlers.respond_to_middleware,
        )
        self.startup_hooks: list[Hook] = []
        self.shutdown_hooks: list[Hook] = []
        # Scheduled jobs (microapi._scheduler); shutdown waits for running ones this long.
        self.scheduler = Scheduler(offload=background_pool.run)
        self.lifecycle = Lifecycle(
            self.router,
            self.registry,
            self.middleware,
            self.exception_handlers,
            self.startup_hooks,
            self.shutdown_hooks,
            None,  # set by `self.lifespan` below
            self.scheduler,
            timeout_seconds(shutdown_timeout),
            request_pool,
            background_pool,
            self.background_work,
        )
        self.lifespan = lifespan

    @property
    def lifespan(self) -> Callable[[MicroAPI], AbstractAsyncContextManager[Any]] | None:
        """The `lifespan=` context manager factory, entered with the app at start-up and
        exited at shutdown; settable until start-up."""
        return self._lifespan

    @lifespan.setter
    def lifespan(
        self, value: Callable[[MicroAPI], AbstractAsyncContextManager[Any]] | None
    ) -> None:
        self._check_open("set lifespan")
        self._lifespan = value
        self.lifecycle.lifespan = None if value is None else (lambda: value(self))

    @property
    def debug(self) -> bool:
        """Whether a 500 sends the traceback to the client; settable until start-up."""
        return self.exception_handlers.debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._check_open(f"set debug = {value!r}")
        self.exception_handlers.debug = bool(value)

    # --- declaring the app -------------------------------------------------

    def add_route(
        self,
        path: str,
        fn: Callable[..., Any],
        methods: Iterable[str],
        *,
        status_code: int = 200,
    ) -> None:
        """Register `fn` for `methods` on `path` (the non-decorator form of `route`)."""
        methods = method_names(path, methods)
        self._check_open(f"add route {', '.join(methods)} {path}")
        if not callable(fn):
            raise TypeError(f"handler for {path} must be callable, got {fn!r}")
        self._register(Route(fn, path, methods, status_code=status_code))

    def static(
        self,
        prefix: str,
        directory: str | os.PathLike[str],
        *,
        cache_control: str | None = None,
    ) -> None:
        """Serve the files under `directory` at `prefix + "/..."`, for GET and HEAD.

        Registered as the route `prefix + "/{path:path}"`, so routes of the app take
        precedence and OPTIONS and 405 are answered as for any resource. The rules (no
        normalising, no path outside `directory`, no listings, precompressed siblings) are
        `microapi.staticfiles.StaticFiles`'s. A missing directory raises now, naming it.
        """
        check_prefix(prefix, "app.static prefix")
        if "{" in prefix or "}" in prefix:
            raise ValueError(f"app.static prefix {prefix!r} must be static text, no parameters")
        self._check_open(f"serve static files at {prefix!r}")
        files = StaticFiles(prefix, directory, cache_control=cache_control)
        self.add_route(prefix + "/{path:path}", files.endpoint(), ["GET"])

    def include(self, group: RouteGroup) -> None:
        """Register every route of `group` (and of the groups it includes) under its prefix."""
        if not isinstance(group, RouteGroup):
            raise TypeError(f"app.include() takes a RouteGroup, got {group!r}")
        self._check_open(f"include route group {group.prefix!r}")
        for declared in group.declarations():
            route = Route(
                declared.fn,
                declared.path,
                declared.methods,
                status_code=declared.status_code,
                dependencies=declared.dependencies,
                tags=declared.tags,
                groups=declared.groups,
            )
            self._register(route)

    def _plans_changed(self) -> None:
        for route in self.router.routes():
            route.payload.stale()

    def _register(self, route: Route) -> None:
        # A missing provider may still be registered later; start-up checks again.
        with suppress(MissingDependencyError):
            route.prepare(self.registry)
        self.router.add(route.methods, route.template, route)

    def add_middleware(self, fn: Middleware[Request, Response]) -> Middleware[Request, Response]:
        """Add `async def mw(request, call_next) -> Response`; the first added is outermost."""
        self._check_open(f"add middleware {qualified_name(fn)}")
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
        self._check_open(f"add start-up hook {qualified_name(fn)}")
        self.startup_hooks.append(fn)
        return fn

    def on_shutdown(self, fn: F) -> F:
        """Run `fn` at shutdown, before app services are torn down; in reverse order."""
        self._check_open(f"add shutdown hook {qualified_name(fn)}")
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
        self._check_open(f"schedule {qualified_name(fn)}")
        self.scheduler.add(fn, every)

    @property
    def shutdown_timeout(self) -> float:
        """Seconds shutdown waits for running jobs before cancelling them."""
        return self.lifecycle.shutdown_timeout

    @property
    def background_running(self) -> int:
        """How many background tasks are running now (each request's run one at a time)."""
        return self.background_work.running

    @property
    def background_timeout(self) -> float | None:
        """Seconds a background task may run before it is cancelled; None for no limit."""
        return self.background_work.timeout

    @property
    def request_threads(self) -> int:
        """The size of the pool running requests' synchronous handlers and dependencies."""
        return self.lifecycle.request_threads.size

    @property
    def background_threads(self) -> int:
        """The size of the pool running synchronous background tasks and jobs."""
        return self.lifecycle.background_threads.size

    @property
    def jobs(self) -> list[JobInfo]:
        """A snapshot of every scheduled job, in declaration order."""
        return self.scheduler.snapshot()

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
        if self.lifecycle.state != "new":
            raise AppFrozenError(f"cannot {action}: the app has already started ({self.state})")

    # --- lifecycle (see `_lifecycle.py`) ------------------------------------

    @property
    def state(self) -> State:
        """`new`, `starting`, `started`, `stopping`, `stopped` or `failed`."""
        return self.lifecycle.state

    @property
    def startup_error(self) -> BaseException | None:
        """What made the last start-up fail, if it did."""
        return self.lifecycle.startup_error

    @property
    def needs_startup(self) -> bool:
        """Whether start-up has work beyond checks: hooks, a lifespan, app services or jobs."""
        return self.lifecycle.needs_startup

    async def startup(self) -> None:
        """Validate, create app services, run start-up hooks, then freeze and serve."""
        await self.lifecycle.start()

    async def shutdown(self) -> None:
        """Run shutdown hooks in reverse order, then tear app services down."""
        await self.lifecycle.stop()

    # --- ASGI --------------------------------------------------------------

    # `await app(scope, receive, send)`: the edge's function itself, so that a request's first
    # frame is the one that serves it (servers tell ASGI 3 apps by a coroutine `__call__`).
    __call__ = serve


def _optional_seconds(value: object, name: str) -> float | None:
    """A timeout argument: None, or seconds above 0; else a clear error."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be seconds (an int or a float) or None, got {value!r}")
    if not value > 0:  # also refuses NaN
        raise ValueError(f"{name} must be more than 0 seconds (or None), got {value!r}")
    return float(value)
