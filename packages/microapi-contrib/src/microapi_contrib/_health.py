"""Health endpoints for probes: `enable_health(app, path="/health")`, liveness and readiness."""

from __future__ import annotations

from microapi import JSONResponse, MicroAPI, Response

NO_STORE = {"cache-control": "no-store"}


class HealthCheck:
    """The two handlers behind `enable_health`, reading the state of `app` on each request.

    Liveness says the process answers requests at all; readiness says the app has finished
    start-up and has not begun shutting down, so a load balancer should send it traffic.
    """

    def __init__(self, app: MicroAPI) -> None:
        self.app = app

    async def live(self) -> Response:
        """200 `{"status": "ok"}`: the process is serving this request."""
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    async def ready(self) -> Response:
        """200 once start-up has completed; 503 before that and once shutdown has begun.

        The body names the app's state: `{"status": "ok", "state": "started"}`, or
        `{"status": "unavailable", "state": "stopping"}` for a request still in flight when
        shutdown began.
        """
        state = self.app.state
        if state == "started":
            return JSONResponse({"status": "ok", "state": state}, headers=NO_STORE)
        return JSONResponse({"status": "unavailable", "state": state}, 503, headers=NO_STORE)


def enable_health(app: MicroAPI, path: str = "/health") -> None:
    """Serve liveness on GET (and HEAD) `{path}/live` and readiness on `{path}/ready`.

    Both are ordinary routes of `app` (so they show in the introspection page and pass through
    its middleware): call this while declaring the app, before start-up, or it raises
    `AppFrozenError`. While the app is starting or stopping, core answers every request with
    503 before any route runs, so readiness is 503 then whichever of the two answers.
    """
    base = path.rstrip("/")
    checks = HealthCheck(app)
    app.add_route(f"{base}/live", checks.live, ["GET"])
    app.add_route(f"{base}/ready", checks.ready, ["GET"])
