"""A short soak under a real uvicorn: no errors, no crossed values, no lost tasks, flat memory."""

from __future__ import annotations

import asyncio

import pytest

from tests.server import uvicorn_server

from .load import run_soak

REQUESTS = 3000
CONCURRENCY = 8
CHECKPOINT = 1000


@pytest.mark.timeout(90)
def test_a_short_soak_under_uvicorn_meets_every_target() -> None:
    with uvicorn_server("tests.reliability.served:app", "--no-access-log") as (base, process):
        report = asyncio.run(
            run_soak(
                base,
                process.pid,
                requests=REQUESTS,
                concurrency=CONCURRENCY,
                checkpoint=CHECKPOINT,
                max_seconds=45,
            )
        )
    print("\n".join(report.lines()))
    assert report.problems() == []
    assert report.tasks_queued == REQUESTS // 2  # a quarter of the requests, two tasks each
