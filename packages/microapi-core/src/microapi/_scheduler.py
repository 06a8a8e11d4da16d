"""The scheduler: the jobs declared with `app.every` / `app.schedule`, run while the app is started.

It owns the jobs (one `Job` per scheduled function, with its interval, its plan and its state),
their timing, their runs and stopping them. Timing: the scheduler starts at the end of the
app's start-up, at time `origin` on a monotonic clock; a job's n-th due time is
`origin + n * interval` (n = 1, 2, ...), computed from the origin and never from when the
previous run happened, so late wake-ups do not add up (no drift). Runs of one job never
overlap: when a run (or a late wake-up) passes one or more due times, the job runs once, at
once, for the latest of them; the earlier ones are dropped and counted as skipped (missed runs
are not queued), and the next run is due on the grid again.

It must never: run a job before start-up has completed or start one after stop began; run two
runs of one job at once; let an `Exception` from a run escape (it is logged on
`microapi.scheduler` once, with its traceback, and the schedule goes on); swallow a
`BaseException` that is not an `Exception` (it is logged CRITICAL, ends that job's schedule and
propagates out of the job's task: asyncio re-raises `KeyboardInterrupt` and `SystemExit` out
of the event loop, and `stop` returns any other one so shutdown re-raises it); block the event
loop (plain functions, and plain dependencies of a job, run through the offload: the app's
background threads); know about requests, routing or the app object
(a job is called at app scope only).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from microapi_di import (
    AppScope,
    Container,
    Parameter,
    Prepared,
    ResolutionError,
    ScopeViolationError,
    call_kind,
)

from ._naming import qualified_name
from .params import Param
from .scheduling import JobInfo, Outcome

logger = logging.getLogger("microapi.scheduler")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


def interval_seconds(interval: object, name: str) -> float:
    """`interval` (seconds or a `timedelta`) as positive, finite seconds, or a clear error."""
    if isinstance(interval, timedelta):
        seconds = interval.total_seconds()
    elif isinstance(interval, int | float) and not isinstance(interval, bool):
        try:
            seconds = float(interval)
        except OverflowError:
            seconds = math.inf
    else:
        raise TypeError(
            f"scheduled job {name}: the interval must be seconds (an int or a float) or a "
            f"timedelta, got {interval!r}"
        )
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(
            f"scheduled job {name}: the interval must be a finite number of seconds above 0, "
            f"got {interval!r}"
        )
    return seconds


def timeout_seconds(timeout: object) -> float:
    """`MicroAPI(shutdown_timeout=...)` as seconds >= 0, or a clear error."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"shutdown_timeout must be seconds (an int or a float), got {timeout!r}")
    if not timeout >= 0:  # also refuses NaN
        raise ValueError(f"shutdown_timeout must be 0 or more seconds, got {timeout!r}")
    return float(timeout)


class Job:
    """One scheduled function: its interval, its plan at app scope, and how its runs went."""

    def __init__(self, fn: Callable[..., Any], interval: object) -> None:
        if not callable(fn):
            raise TypeError(f"a scheduled job must be callable, got {fn!r}")
        self.name = qualified_name(fn)
        kind = call_kind(fn)
        if kind.has_teardown:
            raise TypeError(
                f"scheduled job {self.name} is {kind.article}; a job must be a plain function "
                "or a coroutine function"
            )
        self.fn = fn
        self.interval = interval_seconds(interval, self.name)
        self.call = fn  # a plain function (and its plain Depends) runs through the offload
        self.prepared: Prepared[Any] | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the runs of a previous start."""
        self.runs = 0
        self.failures = 0
        self.skipped = 0
        self.last_start: float | None = None
        self.last_outcome: Outcome | None = None
        self.last_error: str | None = None
        self.next_due: float | None = None  # on the scheduler's clock
        self.running = False

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        self.last_outcome = "failed"
        self.last_error = repr(exc)

    def info(self, now: float, wall_now: float) -> JobInfo:
        """A snapshot; `now` on the scheduler's clock, `wall_now` the wall clock."""
        due = None if self.next_due is None else wall_now + (self.next_due - now)
        return JobInfo(
            function=self.name,
            interval=self.interval,
            runs=self.runs,
            failures=self.failures,
            skipped=self.skipped,
            last_start=self.last_start,
            last_outcome=self.last_outcome,
            last_error=self.last_error,
            next_due=due,
            fn=self.fn,
        )


class Scheduler:
    """Runs every job on its own task, from `start(app_scope)` until `await stop(timeout)`.

    `clock` (monotonic seconds) and `sleep` are what the timing uses; `wall` gives the times
    reported in `JobInfo`. Tests pass a fake clock and sleep; the app uses the real ones.
    """

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall: Clock = time.time,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
    ) -> None:
        self.jobs: list[Job] = []
        self._offload = offload  # how plain functions run: in the app's background pool
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._tasks: dict[Job, asyncio.Task[None]] = {}
        self._stopping = False

    def add(self, fn: Callable[..., Any], interval: object) -> Job:
        """Declare a job; the interval and the callable are checked here."""
        job = Job(fn, interval)
        self.jobs.append(job)
        return job

    def prepare(self, container: Container) -> None:
        """Plan every job at app scope; a job needing a request-scoped value raises here."""
        for job in self.jobs:
            try:
                job.prepared = container.prepare(job.call, scope="app", hook=_no_request_parameter)
            except ResolutionError as exc:
                raise _at_app_scope(job, exc) from exc

    def start(self, app_scope: AppScope) -> None:
        """Start every job's task on the running loop; the first run is one interval away."""
        if self._tasks:
            raise RuntimeError("the scheduler is already running")
        self._stopping = False
        origin = self._clock()
        loop = asyncio.get_running_loop()
        for job in self.jobs:
            job.reset()
            job.next_due = origin + job.interval
            self._tasks[job] = loop.create_task(
                self._loop(job, app_scope, origin), name=f"microapi job {job.name}"
            )

    async def stop(self, timeout: float) -> BaseException | None:  # noqa: ASYNC109 (two waits)
        """Stop scheduling, wait up to `timeout` s for running jobs, then cancel them.

        A cancelled job then gets up to `timeout` s again (at least 1 s) to finish its
        `finally`; one that ignores cancellation is logged and abandoned. Returns the first
        non-`Exception` error that ended a job's task and was not re-raised by asyncio already
        (that is, anything but `KeyboardInterrupt` and `SystemExit`), for shutdown to re-raise.
        """
        self._stopping = True
        tasks, self._tasks = self._tasks, {}
        for job, task in tasks.items():
            if not job.running:  # sleeping until its next due time: nothing to wait for
                task.cancel()
        pending = {task for task in tasks.values() if not task.done()}
        if pending:
            _, pending = await asyncio.wait(pending, timeout=timeout)
        if pending:
            logger.warning(
                "cancelling scheduled job(s) still running %s s after shutdown began: %s",
                timeout,
                ", ".join(job.name for job, task in tasks.items() if task in pending),
            )
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=max(timeout, 1.0))
        escaped: BaseException | None = None
        for job, task in tasks.items():
            job.next_due = None
            if task in pending:
                logger.error("scheduled job %s ignored its cancellation; abandoned", job.name)
            elif not task.cancelled():
                error = task.exception()
                if escaped is None and not isinstance(error, KeyboardInterrupt | SystemExit):
                    escaped = error
        return escaped

    def snapshot(self) -> list[JobInfo]:
        """Every job's state, in declaration order."""
        now, wall_now = self._clock(), self._wall()
        return [job.info(now, wall_now) for job in self.jobs]

    async def _loop(self, job: Job, app_scope: AppScope, origin: float) -> None:
        interval = job.interval
        index = 1  # the due time this run is for: origin + index * interval
        while True:
            job.next_due = origin + index * interval
            delay = job.next_due - self._clock()
            if delay > 0:
                await self._sleep(delay)
            # Woken late, or the previous run went past due times: run once, for the latest.
            latest = math.floor((self._clock() - origin) / interval)
            if latest > index:
                job.skipped += latest - index
                index = latest
            job.next_due = origin + (index + 1) * interval
            await self._run(job, app_scope)
            if self._stopping:
                return
            index += 1

    async def _run(self, job: Job, app_scope: AppScope) -> None:
        assert job.prepared is not None, "the app prepares every job before starting"
        job.running = True
        job.runs += 1
        job.last_start = self._wall()
        job.last_outcome = "running"
        try:
            await app_scope.call(job.prepared, offload=self._offload)
        except Exception as exc:
            job.failed(exc)
            logger.exception("scheduled job %s failed", job.name)
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # stopped by the scheduler
                job.last_outcome = "cancelled"
                raise
            job.failed(exc)  # a cancellation from inside the job is one more failure
            logger.exception("scheduled job %s failed", job.name)
        except BaseException as exc:
            job.failed(exc)
            job.next_due = None
            logger.critical(
                "scheduled job %s raised %s: its schedule ends",
                job.name,
                type(exc).__name__,
                exc_info=True,
            )
            raise
        else:
            job.last_outcome = "ok"
            job.last_error = None
        finally:
            job.running = False


def _no_request_parameter(param: Parameter) -> None:
    """Jobs run outside any request: a `Query()`, `Header()`, ... parameter is an error even
    with a default, which would otherwise silently always be used."""
    marker = next((item for item in param.metadata if isinstance(item, Param)), None)
    if marker is not None:
        raise ScopeViolationError(
            (f"{qualified_name(param.owner)}({param.name})",),
            f"parameter {param.name!r} is a {marker.source} parameter of a request, and jobs "
            "run at app scope, outside any request; give the job app services or app-scoped "
            "Depends instead",
        )


def _at_app_scope(job: Job, exc: ResolutionError) -> ResolutionError:
    """`exc` again (same type, same chain), its message naming the job and its scope."""
    problem = (
        f"scheduled job {job.name} cannot be resolved: jobs run at app scope, with app "
        f"services, app-scoped values and Depends that need only those: {exc}"
    )
    try:
        error = type(exc)((), problem)
    except TypeError:  # a subclass with another constructor
        error = ResolutionError((), problem)
    error.chain = exc.chain
    return error
