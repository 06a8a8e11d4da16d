"""The innermost step of every request: route it, run the handler, answer errors.

Built once at start-up from the frozen router; the middleware pipeline wraps it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, final
from urllib.parse import quote

from microapi_di import AppScope
from microapi_router import InvalidPathError, Match, MethodNotAllowed, Router

from ._exception_handlers import ExceptionHandlers
from ._threads import Lane, ThreadPool
from .background import BackgroundTasks
from .exceptions import HTTPException
from .requests import Request
from .responses import JSONResponse, Response
from .routing import Route


@final
class FixedAnswer(JSONResponse):
    """A JSON response whose body is already encoded: the framework's own fixed 404 and 405.

    `Dispatcher.answer` returns the one prebuilt for the case, shared by every request and
    never changed: without middleware the edge only sends it (a copy of its header list), and
    the middleware pipeline gets a `copy()`: these are the cheapest requests.
    """

    __slots__ = ()

    def render(self, content: Any) -> bytes:
        return content  # type: ignore[no-any-return]

    def copy(self) -> JSONResponse:
        """A response of its own with the same answer, for middleware to observe and edit."""
        copied = _new(JSONResponse)
        copied.status_code = self.status_code
        copied.body = self.body
        copied.raw_headers = self.raw_headers.copy()
        return copied


_new = object.__new__


NOT_FOUND = b'{"detail":"Not Found"}'
NOT_ALLOWED = b'{"detail":"Method Not Allowed"}'


class Dispatcher:
    """Routes a request to its endpoint inside a request scope of the app's container."""

    __slots__ = (
        "_allow",
        "_app_scope",
        "_errors",
        "_match",
        "_not_found",
        "_plain_errors",
        "_run_in_scope",
        "_threads",
    )

    def __init__(
        self,
        router: Router[Route],
        app_scope: AppScope,
        errors: ExceptionHandlers,
        threads: ThreadPool,
    ):
        self._match = router.match
        self._threads = threads
        self._app_scope = app_scope
        self._run_in_scope = app_scope.run
        self._errors = errors
        # Handlers are frozen by now: without one for HTTPException, answer 404/405 directly.
        self._plain_errors = errors.find(HTTPException) is None
        self._allow: dict[tuple[str, ...], tuple[str, FixedAnswer]] = {}
        self._not_found = FixedAnswer(NOT_FOUND, status_code=404)

    async def __call__(self, request: Request) -> Response:
        """The middleware pipeline's endpoint (an `async def`, as the pipeline requires)."""
        answer = self.answer(request)
        if type(answer) is FixedAnswer:
            return answer.copy()
        return await answer

    def answer(self, request: Request) -> Coroutine[Any, Any, Response] | FixedAnswer:
        """The awaitable answering `request` (for a matched route, `_run`'s coroutine itself),
        or the shared fixed 404 or 405 itself (see `FixedAnswer`: not to be changed).

        A plain function, so that without middleware the edge awaits the route's coroutine
        with no frame of the dispatcher's own around it (and sends a fixed answer with none).
        """
        scope = request.scope
        raw = scope.get("raw_path")
        # Route on the undecoded path so an encoded "/" stays inside its segment.
        path = raw.decode("ascii", "surrogateescape") if raw else quote(scope["path"])
        try:
            found = self._match(scope["method"], path)
        except InvalidPathError as exc:
            return self._errors.respond(request, HTTPException(400, str(exc)))
        if type(found) is Match:
            request.path_params = found.params
            request.route = found.payload
            return self._run(found.payload, request)
        # The fixed 404 and 405, prebuilt, without a call or an awaitable.
        if type(found) is MethodNotAllowed:
            if self._plain_errors and scope["method"] != "OPTIONS":
                known = self._allow.get(found.allowed) or self._allowed(found.allowed)
                return known[1]
            return self._not_allowed(request, found.allowed)
        if self._plain_errors:
            return self._not_found
        return self._errors.respond(request, HTTPException(404))

    async def _run(self, endpoint: Route, request: Request) -> Response:
        try:
            binder = endpoint.binder
            # Every parameter and the body, read and validated before any dependency runs; a
            # stale binder refreshes the route first, `wants_tasks` included.
            bound = await binder.bind(request) if binder is not None else None
            # A `BackgroundTasks` only for a plan that reads one (the route knows from its plan,
            # refreshed with the binder): most requests skip the object and its check.
            values: dict[Any, Any] = {Request: request, "request": request}
            tasks = None
            if endpoint.wants_tasks:
                tasks = values[BackgroundTasks] = BackgroundTasks()
            if bound:
                values.update(bound)
            # Opens the request scope, calls the handler (which builds the response), then
            # tears the request's dependencies down.
            if not endpoint.threaded:  # all async: nothing to offload
                run = endpoint.run or self._runner(endpoint)
                response = await run(values)
            else:
                response = await self._run_threaded(endpoint.plan, values, request)
        except Exception as exc:  # answered by rule (a ClientDisconnect is raised on)
            return await self._errors.answer(request, exc)
        if tasks:
            request.background = tasks
        return response

    def _runner(self, endpoint: Route) -> Callable[[Any], Coroutine[Any, Any, Response]]:
        """The route's plan bound to the app scope, kept on the route until the container
        changes (`Route.stale` drops it)."""
        plan = endpoint.plan
        assert plan is not None  # prepared by the lifecycle before the dispatcher exists
        generation = endpoint.generation
        run = endpoint.run = self._app_scope.runner(plan)
        # Kept only if the route was not told of a change meanwhile (a change set from another
        # thread may land between the two lines above), else used for this request alone.
        if endpoint.generation != generation:
            endpoint.run = None
        return run

    async def _run_threaded(self, plan: Any, values: Any, request: Request) -> Response:
        """Run `plan` with its plain steps on one worker thread, leased for this request."""
        lane = Lane(self._threads)
        try:
            response: Response = await self._run_in_scope(plan, values, offload=lane)
        except BaseException:
            lane.release()
            raise
        held = getattr(response, "teardown", None)
        if held is not None and not held.finished:
            # A streamed body keeps its thread until its teardown; the edge gives it back.
            request._lane = lane
        else:
            lane.release()
        return response

    def _allowed(self, allowed: tuple[str, ...]) -> tuple[str, FixedAnswer]:
        """The `Allow` value and the fixed 405 for a resource's methods, made once each."""
        known = self._allow.get(allowed)
        if known is None:
            allow = ", ".join(sorted({*allowed, "OPTIONS"}))
            known = self._allow[allowed] = (
                allow,
                FixedAnswer(NOT_ALLOWED, status_code=405, headers={"allow": allow}),
            )
        return known

    async def _not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        """OPTIONS without a handler, or a 405 for the app's `HTTPException` handler (the plain
        405 is the prebuilt one `answer` returns)."""
        allow, _ = self._allowed(allowed)
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"allow": allow})
        return await self._errors.respond(request, HTTPException(405, headers={"allow": allow}))
