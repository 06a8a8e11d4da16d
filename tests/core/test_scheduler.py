"""Scheduled jobs: timing on a fake clock, and the app's lifecycle around them in real time.

Timing (drift, overlap, catch-up) runs the `Scheduler` itself on a fake monotonic clock whose
`sleep` moves time forward at once, so nothing depends on how fast this machine is. The tests
that use real time keep intervals short, wait with generous bounded deadlines and only assert
orderings and lower bounds that a slow machine cannot break.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import math
import random
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any

import pytest
from microapi import AppFrozenError, Depends, MicroAPI, Request
from microapi._scheduler import Scheduler
from microapi.params import Header, Query
from microapi.scheduling import JobInfo
from microapi.testing import TestClient
from microapi_di import Container, MissingDependencyError, ScopeViolationError

DEADLINE = 20.0  # seconds any real-time wait may take before the test fails


def wait_until(condition: Callable[[], bool], timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def job(app: MicroAPI, name: str) -> JobInfo:
    [found] = [info for info in app.jobs if info.function.split(".")[-1].split(":")[-1] == name]
    return found


# --- a fake clock --------------------------------------------------------------------------


class FakeClock:
    """Monotonic time that `sleep` moves forward at once (plus an optional oversleep)."""

    def __init__(self, oversleep: Callable[[], float] = lambda: 0.0) -> None:
        self.now = 1000.0
        self.oversleep = oversleep
        self.limit = math.inf  # a sleep that would pass this never ends (until cancelled)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if self.now + delay > self.limit:
            await asyncio.Event().wait()
        self.now += delay + self.oversleep()
        await asyncio.sleep(0)

    def scheduler(self) -> Scheduler:
        return Scheduler(clock=self, sleep=self.sleep, wall=self)


async def run_until(scheduler: Scheduler, done: asyncio.Event) -> BaseException | None:
    """Start `scheduler` in a fresh app scope, wait for `done`, stop it."""
    container = Container()
    scheduler.prepare(container)
    async with container.app_scope() as scope:
        scheduler.start(scope)
        await asyncio.wait_for(done.wait(), DEADLINE)
        return await scheduler.stop(1.0)


def recorder(clock: FakeClock, runs: int) -> tuple[list[float], asyncio.Event, Any]:
    """A coroutine job that records when each run starts; `done` is set after `runs` runs."""
    starts: list[float] = []
    done = asyncio.Event()

    async def record() -> None:
        starts.append(clock.now)
        if len(starts) == runs:
            done.set()

    return starts, done, record


@pytest.mark.timeout(30)
def test_a_thousand_runs_stay_on_the_grid_however_late_each_wake_up() -> None:
    rng = random.Random(17)
    clock = FakeClock(oversleep=lambda: rng.uniform(0.0, 0.04))  # each wake-up up to 40% late
    interval = 0.1  # not exact in binary: due times must not be sums of intervals either

    async def main() -> None:
        starts, done, record = recorder(clock, 1000)
        scheduler = clock.scheduler()
        scheduler.add(record, interval)
        origin = clock.now
        await run_until(scheduler, done)
        for n, start in enumerate(starts[:1000], start=1):
            late = start - (origin + n * interval)
            assert -1e-9 <= late < 0.04 + 1e-9, (n, late)
        [info] = scheduler.snapshot()
        assert info.skipped == 0
        # Scheduling `now + interval` would have drifted by the sum of the oversleeps (~20 s).
        assert starts[999] - (origin + 1000 * interval) < 0.05

    asyncio.run(main())


def test_without_delays_runs_are_exactly_on_the_grid() -> None:
    clock = FakeClock()

    async def main() -> None:
        starts, done, record = recorder(clock, 1000)
        scheduler = clock.scheduler()
        scheduler.add(record, timedelta(milliseconds=100))
        origin = clock.now
        await run_until(scheduler, done)
        assert starts[:1000] == pytest.approx(
            [origin + n * 0.1 for n in range(1, 1001)], abs=1e-9, rel=0
        )

    asyncio.run(main())


def test_runs_never_overlap_and_missed_due_times_are_not_queued() -> None:
    clock = FakeClock()
    starts: list[float] = []
    active = [0, 0]  # now, most at once
    done = asyncio.Event()

    async def slow() -> None:  # each run takes 2.5 intervals of (fake) time
        active[0] += 1
        active[1] = max(active)
        starts.append(clock.now)
        await asyncio.sleep(0)
        clock.now += 2.5
        active[0] -= 1
        if len(starts) == 5:
            done.set()

    async def main() -> None:
        scheduler = clock.scheduler()
        scheduler.add(slow, 1)
        origin = clock.now
        await run_until(scheduler, done)
        # Each run starts when the previous ends (the due time it passed waited for it), for
        # the latest due time passed; the ones before it are dropped.
        assert [start - origin for start in starts[:5]] == [1.0, 3.5, 6.0, 8.5, 11.0]
        assert active[1] == 1
        [info] = scheduler.snapshot()
        assert info.skipped >= 6  # due 2; 4, 5; 7; 9, 10

    asyncio.run(main())


def test_after_one_overlong_run_the_job_catches_up_once_then_keeps_the_grid() -> None:
    clock = FakeClock()
    starts: list[float] = []
    done = asyncio.Event()

    async def sometimes_slow() -> None:
        starts.append(clock.now)
        if len(starts) == 1:
            clock.now += 3.2  # runs from due 1 to 4.2: due 2, 3 and 4 pass meanwhile
        if len(starts) == 5:
            done.set()

    async def main() -> None:
        scheduler = clock.scheduler()
        scheduler.add(sometimes_slow, 1.0)
        origin = clock.now
        await run_until(scheduler, done)
        assert [round(start - origin, 6) for start in starts[:5]] == [1.0, 4.2, 5.0, 6.0, 7.0]
        [info] = scheduler.snapshot()
        assert info.skipped == 2  # due 2 and 3; the run at 4.2 is due 4's, delayed
        assert info.runs >= 5

    asyncio.run(main())


def test_a_late_wake_up_skips_the_due_times_it_slept_through() -> None:
    lateness = iter([0.0, 2.5])
    clock = FakeClock(oversleep=lambda: next(lateness, 0.0))

    async def main() -> None:
        starts, done, record = recorder(clock, 4)
        scheduler = clock.scheduler()
        scheduler.add(record, 1)
        origin = clock.now
        await run_until(scheduler, done)
        assert [start - origin for start in starts[:4]] == [1.0, 4.5, 5.0, 6.0]

    asyncio.run(main())


def test_the_snapshot_reports_times_on_the_wall_clock() -> None:
    clock = FakeClock()

    async def main() -> None:
        _starts, done, record = recorder(clock, 3)
        scheduler = clock.scheduler()
        scheduler.add(record, 2)
        [before] = scheduler.snapshot()
        assert (before.runs, before.last_start, before.last_outcome, before.next_due) == (
            0,
            None,
            None,
            None,
        )
        container = Container()
        scheduler.prepare(container)
        async with container.app_scope() as scope:
            origin = clock.now
            clock.limit = origin + 7
            scheduler.start(scope)
            [started] = scheduler.snapshot()
            assert started.next_due == origin + 2
            await asyncio.wait_for(done.wait(), DEADLINE)
            [info] = scheduler.snapshot()
            assert info.runs == 3
            assert info.last_start == origin + 6
            assert info.last_outcome == "ok"
            assert info.next_due == origin + 8
            await scheduler.stop(1.0)
        [after] = scheduler.snapshot()
        assert after.next_due is None
        assert after.runs == 3

    asyncio.run(main())


# --- a BaseException is not swallowed -------------------------------------------------------


@pytest.mark.parametrize("kind", ["coroutine", "thread"])
@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_keyboard_interrupt_and_system_exit_propagate_out_of_the_event_loop(
    kind: str, error: type[BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def interrupt() -> None:
        calls.append("ran")
        raise error()

    async def interrupt_async() -> None:
        interrupt()

    async def other() -> None:
        calls.append("other")

    scheduler = Scheduler()
    scheduler.add(interrupt_async if kind == "coroutine" else interrupt, 0.05)
    scheduler.add(other, 3600)
    container = Container()
    scheduler.prepare(container)
    scope = container.app_scope()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(scope.__aenter__())

        async def start_and_wait() -> None:
            scheduler.start(scope)
            await asyncio.sleep(DEADLINE)

        with pytest.raises(error):
            loop.run_until_complete(start_and_wait())
        assert calls == ["ran"]
        interrupted, waiting = scheduler.snapshot()
        assert (interrupted.runs, interrupted.failures, interrupted.last_outcome) == (
            1,
            1,
            "failed",
        )
        assert interrupted.next_due is None  # its schedule ended
        assert waiting.next_due is not None  # the other job's did not
        # asyncio raised it already: stopping does not raise it a second time.
        assert loop.run_until_complete(scheduler.stop(1.0)) is None
        loop.run_until_complete(scope.__aexit__(None, None, None))
    finally:
        loop.close()
    [record] = [r for r in caplog.records if r.name == "microapi.scheduler"]
    assert record.levelno == logging.CRITICAL
    assert record.exc_info is not None
    assert record.exc_info[0] is error
    assert "its schedule ends" in record.getMessage()


class Abort(BaseException):
    """Neither an Exception nor one asyncio re-raises out of the loop."""


def test_another_base_exception_ends_the_schedule_and_shutdown_re_raises_it() -> None:
    events: list[str] = []
    app = MicroAPI()

    @app.every(0.05)
    async def abort() -> None:
        events.append("abort")
        raise Abort

    @app.every(0.05)
    async def steady() -> None:
        if "steady" not in events:
            events.append("steady")

    @app.on_shutdown
    def hook() -> None:
        events.append("shutdown hook")

    async def main() -> None:
        await app.startup()
        for _ in range(int(DEADLINE / 0.01)):
            if "steady" in events and "abort" in events:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the aborted job has ended: it does not run again
        assert job(app, "abort").runs == 1
        assert job(app, "steady").runs > 1
        with pytest.raises(Abort):
            await app.shutdown()
        assert app.state == "stopped"  # the rest of shutdown ran before it was raised

    asyncio.run(main())
    assert events.count("abort") == 1
    assert events[-1] == "shutdown hook"


# --- the app: declaring jobs ----------------------------------------------------------------


def test_jobs_are_listed_before_start_up_with_their_interval() -> None:
    app = MicroAPI()

    @app.every(timedelta(hours=1))
    def hourly() -> None: ...

    async def quick() -> None: ...

    app.schedule(quick, every=0.5)
    hourly_info, quick_info = app.jobs
    assert (
        hourly_info.function
        == f"{__name__}:test_jobs_are_listed_before_start_up_with_their_interval.<locals>.hourly"
    )
    assert hourly_info.fn is hourly
    assert (hourly_info.interval, quick_info.interval) == (3600.0, 0.5)
    assert (quick_info.runs, quick_info.failures, quick_info.skipped) == (0, 0, 0)
    assert (quick_info.last_start, quick_info.last_outcome, quick_info.next_due) == (
        None,
        None,
        None,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick_info.runs = 3  # type: ignore[misc]
    assert app.needs_startup  # jobs need the lifespan, like hooks


@pytest.mark.parametrize(
    ("interval", "error", "words"),
    [
        (0, ValueError, "above 0"),
        (-1, ValueError, "above 0"),
        (0.0, ValueError, "above 0"),
        (math.nan, ValueError, "above 0"),
        (math.inf, ValueError, "finite"),
        (10**400, ValueError, "finite"),
        (timedelta(0), ValueError, "above 0"),
        (timedelta(seconds=-5), ValueError, "above 0"),
        ("5", TypeError, "int or a float"),
        (True, TypeError, "int or a float"),
        (None, TypeError, "int or a float"),
    ],
)
def test_a_bad_interval_is_refused_naming_the_function(
    interval: Any, error: type[Exception], words: str
) -> None:
    app = MicroAPI()

    def cleanup() -> None: ...

    with pytest.raises(error, match=words) as raised:
        app.schedule(cleanup, every=interval)
    assert "cleanup" in str(raised.value)
    with pytest.raises(error, match="cleanup"):

        @app.every(interval)
        def cleanup_too() -> None: ...

    assert app.jobs == []


def test_every_without_an_interval_and_non_callables_are_refused() -> None:
    app = MicroAPI()
    with pytest.raises(TypeError, match=r"@app.every\(60\) above '.*forgot'"):

        @app.every  # type: ignore[arg-type]
        def forgot() -> None: ...

    with pytest.raises(TypeError, match="must be callable"):
        app.schedule(42, every=1)  # type: ignore[arg-type]


def test_generator_functions_are_refused_as_jobs() -> None:
    app = MicroAPI()

    def gen() -> Iterator[None]:
        yield

    async def agen() -> AsyncIterator[None]:
        yield

    with pytest.raises(TypeError, match="gen is a generator"):
        app.schedule(gen, every=1)
    with pytest.raises(TypeError, match="agen is an async generator"):
        app.schedule(agen, every=1)


def test_scheduling_after_start_up_raises_app_frozen_error() -> None:
    app = MicroAPI()
    with TestClient(app):
        with pytest.raises(AppFrozenError, match="schedule"):
            app.schedule(lambda: None, every=1)
        with pytest.raises(AppFrozenError):

            @app.every(1)
            def late() -> None: ...

    assert app.jobs == []


@pytest.mark.parametrize("timeout", [-1, math.nan, "5", True, None])
def test_a_bad_shutdown_timeout_is_refused(timeout: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="shutdown_timeout"):
        MicroAPI(shutdown_timeout=timeout)


def test_shutdown_timeout_defaults_to_ten_seconds() -> None:
    assert MicroAPI().shutdown_timeout == 10.0
    assert MicroAPI(shutdown_timeout=0).shutdown_timeout == 0.0


# --- resolution at app scope ----------------------------------------------------------------


class Clock:
    """An app-scoped service."""


class Session:
    """A request-scoped service."""


def needs_request(request: Request) -> str:
    return request.path


def request_job(request: Request) -> None: ...


def request_by_name_job(request: Any) -> None: ...


def session_job(session: Session) -> None: ...


def depends_job(path: str = Depends(needs_request)) -> None: ...


def query_job(limit: Annotated[int, Query()] = 10) -> None: ...


def header_job(token: Annotated[str, Header()] = "") -> None: ...


@pytest.mark.parametrize(
    ("fn", "what"),
    [
        (request_job, "Request"),
        (request_by_name_job, "'request'"),
        (session_job, "Session"),
        (depends_job, "needs_request"),
        (query_job, "'limit' is a query parameter"),  # even with a default
        (header_job, "'token' is a header parameter"),
    ],
)
def test_a_job_needing_a_request_scoped_value_is_a_start_up_error_naming_it(
    fn: Callable[..., Any], what: str
) -> None:
    ran: list[str] = []
    app = MicroAPI()
    app.registry.register(Session, Session, scope="request")
    app.schedule(fn, every=0.01)
    app.on_startup(lambda: ran.append("hook"))
    with pytest.raises(ScopeViolationError) as raised, TestClient(app):
        pass
    message = str(raised.value)
    assert f"scheduled job {__name__}:{fn.__qualname__}" in message
    assert "jobs run at app scope" in message
    assert what in message
    assert raised.value.chain  # the DI chain is kept
    assert ran == []  # start-up stopped before the hooks
    assert app.state == "failed"


def test_a_job_with_an_unresolvable_parameter_is_a_start_up_error_naming_it() -> None:
    app = MicroAPI()

    @app.every(1)
    def orphan(mystery: int) -> None: ...

    expected = r"scheduled job .*orphan.*'mystery'"
    with pytest.raises(MissingDependencyError, match=expected), TestClient(app):
        pass


def test_jobs_get_app_services_and_app_scoped_depends_torn_down_after_each_run() -> None:
    events: list[str] = []
    app = MicroAPI()
    app.registry.register(Clock, Clock, scope="app")

    def unit(clock: Clock) -> Iterator[Clock]:
        events.append("unit open")
        yield clock
        events.append("unit closed")

    @app.every(0.05)
    async def tick(clock: Clock, same: Clock = Depends(unit)) -> None:
        assert same is clock
        events.append("tick")

    with TestClient(app):
        wait_until(lambda: events.count("unit closed") >= 2)
    assert events[:6] == ["unit open", "tick", "unit closed"] * 2


# --- the app: running jobs in real time ---------------------------------------------------------


def test_jobs_run_inside_the_test_client_first_one_interval_after_start_up() -> None:
    runs: list[float] = []
    app = MicroAPI()
    started: list[float] = []

    @app.on_startup
    def mark() -> None:
        started.append(time.monotonic())

    @app.every(0.2)
    async def tick() -> None:
        runs.append(time.monotonic())

    with TestClient(app):
        wait_until(lambda: len(runs) >= 3)
        info = job(app, "tick")
        assert info.last_outcome in ("ok", "running")
        assert info.next_due is not None
        assert info.last_start is not None
        assert abs(info.last_start - time.time()) < DEADLINE
    count = len(runs)
    assert runs[0] - started[0] >= 0.2 - 0.01  # never before one interval
    # Due times are origin + n * interval: however late one run, the n-th is never early.
    for n, at in enumerate(runs, start=1):
        assert at - started[0] >= n * 0.2 - 0.01
    time.sleep(0.3)
    assert len(runs) == count  # nothing runs once the app has stopped
    assert job(app, "tick").next_due is None


def test_coroutine_jobs_run_on_the_loop_and_plain_functions_in_a_worker_thread() -> None:
    threads: dict[str, int] = {}
    app = MicroAPI()

    @app.on_startup
    async def loop_thread() -> None:
        threads["loop"] = threading.get_ident()

    @app.every(0.05)
    async def on_loop() -> None:
        threads["coroutine"] = threading.get_ident()

    @app.every(0.05)
    def blocking() -> None:
        threads["plain"] = threading.get_ident()

    class Ticker:
        async def __call__(self) -> None:
            threads["async object"] = threading.get_ident()

    async def with_arg(key: str) -> None:
        threads[key] = threading.get_ident()

    def sync_with_arg(key: str) -> None:
        threads[key] = threading.get_ident()

    app.schedule(Ticker(), every=0.05)
    app.schedule(functools.partial(with_arg, "async partial"), every=0.05)
    app.schedule(functools.partial(sync_with_arg, "sync partial"), every=0.05)
    with TestClient(app):
        wait_until(lambda: len(threads) == 6)
    loop = threads["loop"]
    assert threads["coroutine"] == threads["async object"] == threads["async partial"] == loop
    assert threads["plain"] != loop
    assert threads["sync partial"] != loop
    assert [info.function for info in app.jobs][-3:] == [
        f"{__name__}:test_coroutine_jobs_run_on_the_loop_and_plain_functions_in_a_worker_thread"
        f".<locals>.{name}"
        for name in ("Ticker", "with_arg", "sync_with_arg")
    ]


def test_a_failing_run_is_logged_once_with_its_traceback_and_the_schedule_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()
    runs: list[int] = []

    @app.every(0.05)
    def flaky() -> None:
        runs.append(1)
        if len(runs) % 2:
            raise RuntimeError(f"run {len(runs)} broke")

    with caplog.at_level(logging.INFO), TestClient(app):
        wait_until(lambda: len(runs) >= 4)
    info = job(app, "flaky")  # after shutdown: the counts are final
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert all(r.name == "microapi.scheduler" for r in failures)
    assert len(failures) == info.failures >= 2
    assert info.runs - info.failures >= 1
    for record in failures:
        assert record.getMessage() == f"scheduled job {info.function} failed"
        assert record.exc_info is not None
        assert record.exc_info[0] is RuntimeError
    assert info.last_error is None or "broke" in info.last_error


def test_the_outcome_goes_running_failed_running_ok_and_the_error_stays_until_a_success() -> None:
    app = MicroAPI()
    gates = [threading.Event(), threading.Event()]
    runs: list[int] = []

    @app.every(0.05)
    def stepping() -> None:
        runs.append(1)
        if len(runs) <= 2:
            gates[len(runs) - 1].wait(DEADLINE)
        if len(runs) == 1:
            raise ValueError("first")

    with TestClient(app):
        wait_until(lambda: len(runs) == 1)
        info = job(app, "stepping")
        assert (info.last_outcome, info.runs, info.failures, info.last_error) == (
            "running",
            1,
            0,
            None,
        )
        gates[0].set()
        wait_until(lambda: len(runs) == 2)  # the second run waits on its gate
        info = job(app, "stepping")
        assert (info.last_outcome, info.runs, info.failures) == ("running", 2, 1)
        assert info.last_error == "ValueError('first')"
        gates[1].set()
        wait_until(lambda: job(app, "stepping").last_error is None)
        assert job(app, "stepping").last_outcome in ("ok", "running")
        assert job(app, "stepping").failures == 1


# --- the app: start-up and shutdown -----------------------------------------------------------


def test_shutdown_waits_for_a_running_job_before_the_lifespan_hooks_and_teardown() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: MicroAPI) -> AsyncIterator[None]:
        yield
        events.append("lifespan exit")

    app = MicroAPI(lifespan=lifespan, shutdown_timeout=DEADLINE)

    def resource() -> Iterator[Clock]:
        yield Clock()
        events.append("service teardown")

    app.registry.register(Clock, resource, scope="app")

    @app.on_shutdown
    def hook() -> None:
        events.append("shutdown hook")

    @app.every(0.05)
    async def work(clock: Clock) -> None:
        if "job start" in events:
            return
        events.append("job start")
        await asyncio.sleep(0.3)
        events.append("job end")

    with TestClient(app):
        wait_until(lambda: "job start" in events)
    assert events == ["job start", "job end", "lifespan exit", "shutdown hook", "service teardown"]
    assert job(app, "work").last_outcome == "ok"


def test_a_job_still_running_at_the_timeout_is_cancelled_and_its_finally_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []
    app = MicroAPI(shutdown_timeout=0.2)

    @app.on_shutdown
    def hook() -> None:
        events.append("shutdown hook")

    @app.every(0.05)
    async def hang() -> None:
        events.append("hang")
        try:
            await asyncio.sleep(3600)
        finally:
            events.append("finally")

    with TestClient(app):
        wait_until(lambda: "hang" in events)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10  # the 0.2 s timeout, not the hour
    assert events == ["hang", "finally", "shutdown hook"]
    info = job(app, "hang")
    assert (info.last_outcome, info.failures) == ("cancelled", 0)
    [warning] = [r for r in caplog.records if r.name == "microapi.scheduler"]
    assert warning.levelno == logging.WARNING
    assert info.function in warning.getMessage()


def test_a_sleeping_job_does_not_delay_shutdown() -> None:
    app = MicroAPI(shutdown_timeout=30)

    @app.every(3600)
    async def hourly() -> None: ...

    with TestClient(app):
        assert job(app, "hourly").next_due is not None
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10
    assert job(app, "hourly").runs == 0


def test_a_failed_start_up_starts_no_job() -> None:
    runs: list[str] = []
    app = MicroAPI()

    @app.every(0.01)
    async def eager() -> None:
        runs.append("run")

    @app.on_startup
    def broken() -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError, match="no"), TestClient(app):
        pass
    time.sleep(0.2)
    assert runs == []
    assert job(app, "eager").next_due is None


def test_a_restarted_app_runs_its_jobs_again_with_fresh_counts() -> None:
    runs: list[int] = []
    app = MicroAPI()

    @app.every(0.05)
    async def tick() -> None:
        runs.append(1)

    with TestClient(app):
        wait_until(lambda: len(runs) >= 2)
    first = len(runs)
    with TestClient(app):
        wait_until(lambda: len(runs) >= first + 1)
        assert 1 <= job(app, "tick").runs <= len(runs) - first + 1
