"""Each server process runs its own jobs: under `uvicorn --workers 2` a job runs twice over."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.server import uvicorn_server

from .scheduled import PIDS_ENV
from .servers import descendants, reap

TARGET = "tests.reliability.scheduled:app"


def pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def wait_for_pids(path: Path, count: int, timeout: float = 30.0) -> set[int]:
    """The distinct PIDs in `path`, once `count` of them ran the job (or the time is up)."""
    deadline = time.monotonic() + timeout
    while len(found := set(pids(path))) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers", [1, 2])
def test_every_worker_process_runs_the_job(workers: int, tmp_path: Path) -> None:
    path = tmp_path / "pids"
    args = ("--workers", str(workers)) if workers > 1 else ()
    with uvicorn_server(TARGET, *args, env={PIDS_ENV: str(path)}, timeout=30) as (_, process):
        ran = wait_for_pids(path, workers)
        children = descendants(process.pid)
        assert len(ran) == workers
        if workers > 1:  # the workers run it, the supervising parent does not
            assert ran <= children
            assert process.pid not in ran
        else:
            assert ran == {process.pid}
    reap(children)
    # After shutdown no process runs the job any more.
    settled = len(pids(path))
    time.sleep(0.3)
    assert len(pids(path)) == settled
