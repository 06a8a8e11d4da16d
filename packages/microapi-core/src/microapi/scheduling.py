"""Scheduled jobs as the app reports them: `app.jobs` is a list of `JobInfo` snapshots.

Jobs are declared with `@app.every(interval)` or `app.schedule(fn, every=interval)`; the
scheduler that runs them lives in `microapi._scheduler`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

Interval = int | float | timedelta
"""Seconds (an int or a float, > 0) or a positive `timedelta`."""

Outcome = Literal["ok", "failed", "running", "cancelled"]
"""How the last run went: finished, raised, still going, or cancelled at shutdown."""


@dataclass(frozen=True, slots=True)
class JobInfo:
    """One scheduled job at the moment `app.jobs` was read.

    - `function`: the job's `module:qualname`; `fn` is the callable itself.
    - `interval`: seconds between due times.
    - `runs`, `failures`, `skipped`: runs started, runs that raised, and due times dropped
      because a run (or a late wake-up) went past them (missed runs are not queued).
    - `last_start`: when the last run started, `last_outcome` how it ended (`None` before the
      first run), `last_error` the `repr` of the latest failed run's exception, kept (also
      while the next run is going) until a run succeeds.
    - `next_due`: when the next run is due (`None` unless the app is started).

    Times are wall-clock seconds since the epoch (`time.time()`), ready to display; the
    scheduler itself measures intervals on the monotonic clock.
    """

    function: str
    interval: float
    runs: int
    failures: int
    skipped: int
    last_start: float | None
    last_outcome: Outcome | None
    last_error: str | None
    next_due: float | None
    fn: Callable[..., Any] = field(repr=False, compare=False)


__all__ = ["Interval", "JobInfo", "Outcome"]
