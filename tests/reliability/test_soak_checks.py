"""The soak's own checks can fail: each wrong answer is counted as what it is."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from .load import KINDS, SoakReport, Tally, one_request


def answer(status: int, body: object) -> httpx.MockTransport:
    return httpx.MockTransport(lambda _: httpx.Response(status, content=json.dumps(body)))


def tally_of(transport: httpx.MockTransport, index: int) -> Tally:
    async def send() -> Tally:
        tally = Tally()
        async with httpx.AsyncClient(transport=transport, base_url="http://soak") as client:
            await one_request(client, index, tally)
        return tally

    return asyncio.run(send())


DEPENDENCY = KINDS.index("dependency")
TASK = KINDS.index("task")


def test_an_echo_of_another_request_id_counts_as_crossed() -> None:
    tally = tally_of(answer(200, {"seen": "req-1", "service": "req-1"}), DEPENDENCY)
    assert (tally.crossed, tally.errors) == (1, 0)


def test_the_right_echo_counts_as_nothing() -> None:
    body = {"seen": f"req-{DEPENDENCY}", "service": f"req-{DEPENDENCY}"}
    tally = tally_of(answer(200, body), DEPENDENCY)
    assert (tally.crossed, tally.errors) == (0, 0)


@pytest.mark.parametrize(
    ("status", "body"), [(500, {"detail": "Internal Server Error"}), (200, {"queued": 1})]
)
def test_a_wrong_status_or_body_is_an_error_and_queues_nothing(status: int, body: object) -> None:
    tally = tally_of(answer(status, body), TASK)
    assert (tally.errors, tally.tasks_queued) == (1, 0)
    assert tally.samples[0].startswith(f"task #{TASK}: {status}")


def test_a_transport_failure_is_an_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    tally = tally_of(httpx.MockTransport(refuse), 0)
    assert tally.errors == 1


def test_a_queued_task_counts_two() -> None:
    assert tally_of(answer(200, {"queued": 2}), TASK).tasks_queued == 2


def test_the_report_names_every_missed_target() -> None:
    report = SoakReport(
        requested=10,
        requests=8,
        concurrency=1,
        seconds=1.0,
        errors=1,
        crossed=2,
        tasks_queued=4,
        tasks_done=3,
        rss_checkpoint_kib=1000,
        rss_end_kib=1000 + 6 * 1024,
        samples=("x",),
    )
    assert len(report.problems()) == 5
