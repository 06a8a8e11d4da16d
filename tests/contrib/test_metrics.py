"""Request metrics: counts and latencies by method, route template and status, per app."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable

import prometheus_client
import pytest
from microapi import AppFrozenError, HTTPException, MicroAPI, Request, Response
from microapi.testing import TestClient
from microapi_contrib import RequestMetrics, collect, enable_metrics
from prometheus_client.parser import text_string_to_metric_families

from tests.server import ROOT

Labels = tuple[str, str, str]
CallNext = Callable[[Request], Awaitable[Response]]


def make_app(**options: object) -> MicroAPI:
    app = MicroAPI()
    enable_metrics(app, **options)  # type: ignore[arg-type]

    @app.get("/users/{user_id}")
    async def show_user(request: Request) -> dict[str, str]:
        return {"id": request.path_params["user_id"]}

    @app.get("/slow")
    async def slow() -> str:
        await asyncio.sleep(0.05)
        return "done"

    @app.get("/boom")
    async def boom() -> None:
        raise ValueError("handler failed")

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418)

    return app


def samples(text: str, name: str) -> dict[Labels, float]:
    """The values of the samples called `name`, by (method, route, status)."""
    found: dict[Labels, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                labels = sample.labels
                found[labels["method"], labels["route"], labels["status"]] = sample.value
    return found


def counts(text: str) -> dict[Labels, float]:
    return samples(text, "microapi_requests_total")


def test_counts_and_latencies_by_method_route_and_status() -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        client.get("/users/1")
        client.get("/users/2")
        client.head("/users/3")
        client.post("/users/1")  # 405
        client.get("/nowhere")  # 404
        client.get("/teapot")
        client.get("/boom")
        client.get("/slow")
        first = client.get("/metrics")
        second = client.get("/metrics")
    expected = {
        ("GET", "/users/{user_id}", "200"): 2.0,
        ("HEAD", "/users/{user_id}", "200"): 1.0,
        ("POST", "unmatched", "405"): 1.0,
        ("GET", "unmatched", "404"): 1.0,
        ("GET", "/teapot", "418"): 1.0,
        ("GET", "/boom", "500"): 1.0,
        ("GET", "/slow", "200"): 1.0,
    }
    assert first.status_code == 200
    assert counts(first.text) == expected  # a scrape is counted once it has been answered
    assert counts(second.text) == {**expected, ("GET", "/metrics", "200"): 1.0}
    timed = samples(first.text, "microapi_request_duration_seconds_count")
    assert timed == expected
    durations = samples(first.text, "microapi_request_duration_seconds_sum")
    assert 0.05 <= durations["GET", "/slow", "200"] < 5
    assert durations["GET", "/users/{user_id}", "200"] < durations["GET", "/slow", "200"]
    buckets = [
        sample
        for family in text_string_to_metric_families(first.text)
        for sample in family.samples
        if sample.name == "microapi_request_duration_seconds_bucket"
        and sample.labels["route"] == "/slow"
    ]
    assert buckets[-1].labels["le"] == "+Inf"
    assert buckets[-1].value == 1.0
    assert all(b.value == 0 for b in buckets if float(b.labels["le"]) < 0.05)


def test_a_thousand_raw_paths_under_one_template_are_one_label_value() -> None:
    with TestClient(make_app()) as client:
        for n in range(1000):
            assert client.get(f"/users/{n}").status_code == 200
        for n in range(1000):
            assert client.get(f"/missing/{n}").status_code == 404
        text = client.get("/metrics").text
    assert counts(text) == {
        ("GET", "/users/{user_id}", "200"): 1000.0,
        ("GET", "unmatched", "404"): 1000.0,
    }
    assert "/users/1" not in text
    assert "/missing" not in text


def test_methods_outside_the_standard_ones_are_labelled_other() -> None:
    with TestClient(make_app()) as client:
        for n in range(20):
            client.request(f"BREW{n}", "/users/1")
        text = client.get("/metrics").text
    assert counts(text) == {("other", "unmatched", "405"): 20.0}


def test_the_scrape_is_the_prometheus_text_format_or_openmetrics_on_request() -> None:
    with TestClient(make_app()) as client:
        plain = client.get("/metrics")
        open_metrics = client.get(
            "/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"}
        )
        head = client.head("/metrics")
    assert plain.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE microapi_requests_total counter" in plain.text
    assert "# TYPE microapi_request_duration_seconds histogram" in plain.text
    assert open_metrics.headers["content-type"].startswith("application/openmetrics-text")
    assert open_metrics.text.endswith("# EOF\n")
    assert plain.headers["vary"] == "Accept"
    assert plain.headers["cache-control"] == "no-store"
    assert (head.status_code, head.content) == (200, b"")


def test_two_apps_never_share_metrics_and_nothing_is_global() -> None:
    first, second = make_app(), make_app()
    with TestClient(first) as one, TestClient(second) as two:
        one.get("/users/1")
        one.get("/users/2")
        two.get("/slow")
        first_text = one.get("/metrics").text
        second_text = two.get("/metrics").text
    assert counts(first_text) == {("GET", "/users/{user_id}", "200"): 2.0}
    assert counts(second_text) == {("GET", "/slow", "200"): 1.0}
    global_text = prometheus_client.generate_latest(prometheus_client.REGISTRY).decode()
    assert "microapi_requests" not in global_text


def test_a_registry_of_your_own_with_metrics_of_your_own() -> None:
    registry = prometheus_client.CollectorRegistry()
    app = MicroAPI()
    metrics = enable_metrics(app, "/ops/metrics", registry=registry)
    assert isinstance(metrics, RequestMetrics)
    assert metrics.registry is registry
    jobs = prometheus_client.Counter("jobs_done", "Jobs done.", registry=registry)

    @app.post("/jobs")
    async def run_job() -> str:
        jobs.inc()
        return "done"

    with TestClient(app) as client:
        client.post("/jobs")
        text = client.get("/ops/metrics").text
        assert client.get("/metrics").status_code == 404
    assert "jobs_done_total 1.0" in text
    assert counts(text) == {("POST", "/jobs", "200"): 1.0}
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        enable_metrics(MicroAPI(), registry=registry)  # one registry, one set of these metrics


def test_an_answer_from_a_middleware_inside_it_is_counted() -> None:
    app = MicroAPI()
    enable_metrics(app)

    async def guard(request: Request, call_next: CallNext) -> Response:
        if request.path == "/private":
            raise HTTPException(401)
        if request.path == "/broken":
            raise RuntimeError("inner middleware failed")
        return await call_next(request)

    app.add_middleware(guard)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/private").status_code == 401
        assert client.get("/broken").status_code == 500
        text = client.get("/metrics").text
    # Answered before routing: no route matched, so both are "unmatched".
    assert counts(text) == {("GET", "unmatched", "401"): 1.0, ("GET", "unmatched", "500"): 1.0}


def test_enabled_before_start_up_only() -> None:
    app = make_app()
    with TestClient(app) as client:
        client.get("/users/1")
        with pytest.raises(AppFrozenError):
            enable_metrics(app, "/more-metrics")
    assert [m.name for m in collect(app).middleware] == ["microapi_contrib._metrics:RequestMetrics"]


def test_without_prometheus_client_the_package_imports_and_enable_metrics_names_the_extra() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["prometheus_client"] = None  # as if it were not installed
        import microapi_contrib
        from microapi import MicroAPI
        app = MicroAPI()
        microapi_contrib.enable_health(app)
        try:
            microapi_contrib.enable_metrics(app)
        except ImportError as exc:
            assert isinstance(exc, microapi_contrib.MetricsExtraMissingError), exc
            print(exc)
        else:
            raise SystemExit("enable_metrics did not fail")
        assert "prometheus_client" not in sys.modules or sys.modules["prometheus_client"] is None
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "microapi-contrib[metrics]" in result.stdout
    assert "prometheus-client" in result.stdout
