"""The innermost step of every request: route it, run the handler, answer errors.

Built once at start-up from the frozen router; the middleware pipeline wraps it.
"""

from __future__ import annotations

from urllib.parse import quote

from microapi_di import AppScope
from microapi_router import InvalidPathError, Match, MethodNotAllowed, Router

from .background import BackgroundTasks
from .endpoint import Endpoint, to_response
from .errors import ExceptionHandlers
from .exceptions import ClientDisconnect, HTTPException
from .requests import Request
from .responses import Response


class Dispatcher:
    """Routes a request to its endpoint inside a request scope of the app's container."""

    __slots__ = ("_errors", "_match", "_run_in_scope")

    def __init__(self, router: Router[Endpoint], app_scope: AppScope, errors: ExceptionHandlers):
        self._match = router.match
        self._run_in_scope = app_scope.run
        self._errors = errors

    async def __call__(self, request: Request) -> Response:
        scope = request.scope
        raw = scope.get("raw_path")
        # Route on the undecoded path so an encoded "/" stays inside its segment.
        path = raw.decode("ascii", "surrogateescape") if raw else quote(scope["path"])
        try:
            found = self._match(scope["method"], path)
        except InvalidPathError as exc:
            return await self._errors.respond(request, HTTPException(400, str(exc)))
        if type(found) is Match:
            request.path_params = found.params
            return await self._run(found.payload, request)
        if type(found) is MethodNotAllowed:
            return await self._not_allowed(request, found.allowed)
        return await self._errors.respond(request, HTTPException(404))

    async def _run(self, endpoint: Endpoint, request: Request) -> Response:
        tasks = BackgroundTasks()
        values = {Request: request, "request": request, BackgroundTasks: tasks}
        try:
            # Opens the request scope, calls, and tears down before we build the response.
            response = to_response(await self._run_in_scope(endpoint.plan, values))
        except ClientDisconnect:
            raise
        except Exception as exc:
            return await self._errors.respond(request, exc)
        if tasks:
            request._background = tasks
        return response

    async def _not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        allow = ", ".join(sorted({*allowed, "OPTIONS"}))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"allow": allow})
        return await self._errors.respond(request, HTTPException(405, headers={"allow": allow}))
