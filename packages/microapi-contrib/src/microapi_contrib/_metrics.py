"""Request metrics for Prometheus: `enable_metrics(app, path="/metrics", registry=None)`.

Needs the `metrics` extra (`pip install 'microapi-contrib[metrics]'`, which brings
prometheus-client). The import happens when metrics are enabled, never when
`microapi_contrib` is imported, so apps without the extra import the package as usual.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING

from microapi import ClientDisconnect, MicroAPI, Request, Response

from ._vary import add_vary

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram

CallNext = Callable[[Request], Awaitable[Response]]

LABELS = ("method", "route", "status")
UNMATCHED = "unmatched"
"""The `route` label of a request that matched no route (a 404 or a 405)."""
OTHER_METHOD = "other"
"""The `method` label of any method outside `METHODS` (clients may send any token)."""
DISCONNECTED = "disconnected"
"""The `status` label of a request whose client went away before it was answered."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


class MetricsExtraMissingError(ImportError):
    """prometheus-client is not installed: install `microapi-contrib[metrics]`."""


def _prometheus() -> ModuleType:
    try:
        import prometheus_client
    except ImportError as exc:
        raise MetricsExtraMissingError(
            "enable_metrics needs prometheus-client, which is not installed: install the "
            "'metrics' extra, e.g. pip install 'microapi-contrib[metrics]'",
            name="prometheus_client",
        ) from exc
    return prometheus_client


class RequestMetrics:
    """A middleware counting requests and timing them, and the handler that exposes them.

    Two metrics, both labelled `method`, `route` and `status`:

    - `microapi_requests_total`, a counter of answered requests;
    - `microapi_request_duration_seconds`, a histogram of the time from this middleware
      receiving the request to the response being ready (so it covers the middleware added
      after it, the handler and its dependencies).

    Labels are bounded whatever clients send: `route` is the matched route's template
    (`/users/{user_id}`, never the raw path), or `"unmatched"` for a 404 or 405; `method` is
    one of the standard methods or `"other"`; `status` is the status code, or `"disconnected"`
    for a client that left before its answer.

    `registry` is where the metrics live: by default a new `CollectorRegistry` of this app's
    own, so two apps in one process never share metrics. Pass one to add your own metrics
    next to these, or `prometheus_client.REGISTRY` to serve the process-wide collectors too.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        prometheus = _prometheus()
        self.registry: CollectorRegistry = (
            prometheus.CollectorRegistry() if registry is None else registry
        )
        self.requests: Counter = prometheus.Counter(
            "microapi_requests",
            "HTTP requests answered, by method, route template and status.",
            LABELS,
            registry=self.registry,
        )
        self.duration: Histogram = prometheus.Histogram(
            "microapi_request_duration_seconds",
            "Time to answer HTTP requests in seconds, by method, route template and status.",
            LABELS,
            registry=self.registry,
        )
        self._choose_encoder = prometheus.exposition.choose_encoder

    async def __call__(self, request: Request, call_next: CallNext) -> Response:
        start = time.perf_counter()
        try:
            response = await call_next(request)
        except ClientDisconnect:  # the one exception core lets through (any other has become
            self._observe(request, DISCONNECTED, start)  # core's answer, a response, by now)
            raise
        self._observe(request, str(response.status_code), start)
        return response

    def _observe(self, request: Request, status: str, start: float) -> None:
        elapsed = time.perf_counter() - start
        method = request.method if request.method in METHODS else OTHER_METHOD
        route = request.route.template if request.route is not None else UNMATCHED
        self.requests.labels(method, route, status).inc()
        self.duration.labels(method, route, status).observe(elapsed)

    async def respond(self, request: Request) -> Response:
        """The registry in the Prometheus text format (OpenMetrics when `Accept` asks for it)."""
        encode, content_type = self._choose_encoder(request.headers.get("accept", ""))
        headers = {"content-type": content_type, "cache-control": "no-store"}
        response = Response(encode(self.registry), headers=headers)
        add_vary(response, "Accept")
        return response


def enable_metrics(
    app: MicroAPI, path: str = "/metrics", registry: CollectorRegistry | None = None
) -> RequestMetrics:
    """Count and time every request of `app`, and serve the metrics on GET (and HEAD) `path`.

    Adds a `RequestMetrics` middleware (where this is called in the middleware order: call it
    first to time everything the other middleware do) and a route for the scrape, which is
    counted like any other route. Call it while declaring the app, before start-up, or it
    raises `AppFrozenError`; without prometheus-client it raises `MetricsExtraMissingError`
    (an `ImportError`) naming the `metrics` extra. Returns the `RequestMetrics`, whose
    `registry` you may add metrics of your own to.
    """
    metrics = RequestMetrics(registry)
    app.add_route(path, metrics.respond, ["GET"])  # first: a taken path changes nothing else
    app.add_middleware(metrics)
    return metrics
