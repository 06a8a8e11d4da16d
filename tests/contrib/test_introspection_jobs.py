"""Scheduled jobs on the introspection page and in its JSON."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from microapi import MicroAPI
from microapi.testing import TestClient
from microapi_contrib import collect, enable_introspection
from microapi_contrib.introspection import AppInfo, JobEntry, render_html
from microapi_contrib.introspection._html import format_interval, format_time

DEADLINE = 20.0


class Ledger:
    def __init__(self) -> None:
        self.ticks = 0


async def tick(ledger: Ledger) -> None:
    ledger.ticks += 1


def broken() -> None:
    raise RuntimeError("<nope>")


def hourly() -> None: ...


def jobs_app() -> MicroAPI:
    app = MicroAPI(shutdown_timeout=1)
    app.registry.register(Ledger, Ledger, scope="app")
    app.schedule(tick, every=0.05)
    app.schedule(broken, every=0.05)
    app.schedule(hourly, every=timedelta(hours=1))
    enable_introspection(app, path="/_debug")
    return app


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["function"].rsplit(":", 1)[1]: row for row in rows}


def test_jobs_are_collected_before_start_up_with_source_and_interval() -> None:
    info = collect(jobs_app())
    assert [job.function for job in info.jobs] == [
        f"{__name__}:tick",
        f"{__name__}:broken",
        f"{__name__}:hourly",
    ]
    first = info.jobs[0]
    assert (
        first.source == f"tests/contrib/test_introspection_jobs.py:{tick.__code__.co_firstlineno}"
    )
    assert [job.interval for job in info.jobs] == [0.05, 0.05, 3600.0]
    assert first == JobEntry(first.function, first.source, 0.05, 0, 0, 0, None, None, None, None)


def test_the_json_shows_runs_outcomes_failures_and_next_due() -> None:
    app = jobs_app()
    with TestClient(app) as client:
        wait_until(lambda: app.jobs[0].runs >= 2 and app.jobs[1].failures >= 2)
        before = time.time()
        jobs = by_name(client.get("/_debug?format=json").json()["jobs"])
    assert set(jobs) == {"tick", "broken", "hourly"}
    assert jobs["tick"]["runs"] >= 2
    assert jobs["tick"]["failures"] == 0
    assert jobs["tick"]["last_outcome"] in ("ok", "running")
    assert jobs["broken"]["failures"] >= 2
    assert jobs["broken"]["last_outcome"] in ("failed", "running")
    assert jobs["hourly"] == {
        **jobs["hourly"],
        "interval": 3600.0,
        "runs": 0,
        "last_start": None,
        "last_outcome": None,
    }
    # Wall-clock times: the last start is in the past, the hourly job is due in about an hour.
    assert before - DEADLINE < jobs["tick"]["last_start"] <= before + 1
    assert before + 3000 < jobs["hourly"]["next_due"] < before + 3700


def test_the_page_lists_the_jobs_and_their_failures() -> None:
    app = jobs_app()
    with TestClient(app) as client:
        wait_until(lambda: app.jobs[1].failures >= 1)
        page = client.get("/_debug").text
    assert '<a href="#jobs">Jobs</a>' in page
    assert "Scheduled jobs (3)" in page
    assert f"<code>{__name__}:hourly</code>" in page
    assert "<td>1 h</td>" in page
    assert "<td>0.05 s</td>" in page
    assert "RuntimeError(&#x27;&lt;nope&gt;&#x27;)" in page  # escaped
    assert "Each server process runs its own jobs" in page


def test_an_app_without_jobs_says_so() -> None:
    app = MicroAPI()
    enable_introspection(app)
    info = collect(app)
    assert info.jobs == ()
    assert info.as_dict()["jobs"] == ()
    assert "No scheduled jobs." in render_html(info)


def test_everything_a_job_shows_is_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    info = AppInfo(
        routes=(),
        middleware=(),
        services=(),
        jobs=(JobEntry(evil, evil, 1.0, 1, 1, 0, 0.0, "failed", evil, None),),
    )
    page = render_html(info)
    assert "<script" not in page
    assert page.count("&lt;script&gt;") == 3


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.05, "0.05 s"),
        (1.0, "1 s"),
        (90.0, "90 s"),
        (120.0, "2 min"),
        (3600.0, "1 h"),
        (5400.0, "90 min"),
        (86400.0, "1 d"),
        (86401.0, "86401 s"),
    ],
)
def test_intervals_are_shown_in_the_largest_exact_unit(seconds: float, shown: str) -> None:
    assert format_interval(seconds) == shown


def test_times_are_shown_in_iso_utc() -> None:
    assert format_time(0.0, "never") == "1970-01-01T00:00:00.000Z"
    assert format_time(1.5, "never") == "1970-01-01T00:00:01.500Z"
    assert format_time(None, "never") == "never"


def test_the_page_shows_how_many_background_tasks_are_running() -> None:
    app = MicroAPI()
    enable_introspection(app, "/_debug")
    with TestClient(app) as client:
        assert client.get("/_debug?format=json").json()["background_running"] == 0
        app.background_work.count.running = 2  # as while two tasks run (tests/core counts them)
        try:
            assert collect(app).background_running == 2
            assert client.get("/_debug?format=json").json()["background_running"] == 2
            page = client.get("/_debug", headers={"accept": "text/html"}).text
            assert "Background tasks running: 2" in page
        finally:
            app.background_work.count.running = 0
