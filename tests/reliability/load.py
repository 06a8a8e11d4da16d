"""A bounded load against a served `tests.reliability.served:app`, and what it found.

Requests go round-robin over four kinds: static, dynamic, dependency (a request-scoped service
reads the request's unique `x-request-id`; the response echoes what it saw) and background task.
The load stops by itself after `requests` requests; a drain then waits for the background tasks.
Shared by `benchmarks/soak.py` (the full soak) and `test_soak.py` (a short one).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .served import REQUEST_ID
from .servers import rss_kib

KINDS = ("static", "dynamic", "dependency", "task")
MAX_GROWTH_KIB = 5 * 1024
MAX_SAMPLES = 5


@dataclass
class Tally:
    """Counts kept while the load runs."""

    sent: int = 0
    errors: int = 0
    crossed: int = 0
    tasks_queued: int = 0
    samples: list[str] = field(default_factory=list)
    rss_checkpoint_kib: int | None = None

    def error(self, description: str) -> None:
        self.errors += 1
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(description)


@dataclass(frozen=True)
class SoakReport:
    """The soak's figures; `problems()` lists every target missed."""

    requested: int
    requests: int
    concurrency: int
    seconds: float
    errors: int
    crossed: int
    tasks_queued: int
    tasks_done: int
    rss_checkpoint_kib: int | None
    rss_end_kib: int
    samples: tuple[str, ...]

    @property
    def lost(self) -> int:
        return self.tasks_queued - self.tasks_done

    @property
    def growth_kib(self) -> int | None:
        if self.rss_checkpoint_kib is None:
            return None
        return self.rss_end_kib - self.rss_checkpoint_kib

    def problems(self) -> list[str]:
        found = [f"{self.errors} errors, e.g. {list(self.samples)}"] if self.errors else []
        if self.requests < self.requested:
            found.append(f"time limit reached after {self.requests} of {self.requested} requests")
        if self.crossed:
            found.append(f"{self.crossed} request-scoped values crossed requests")
        if self.lost:
            found.append(f"{self.lost} background tasks lost")
        if self.growth_kib is None:
            found.append("fewer requests than the memory checkpoint")
        elif self.growth_kib >= MAX_GROWTH_KIB:
            found.append(f"server memory grew by {self.growth_kib} KiB")
        return found

    def lines(self) -> list[str]:
        rate = self.requests / self.seconds if self.seconds else 0.0
        return [
            f"requests            {self.requests} ({self.concurrency} concurrent clients)",
            f"duration            {self.seconds:.1f} s ({rate:.0f} requests/s)",
            f"errors              {self.errors}",
            f"crossed values      {self.crossed}",
            f"background tasks    {self.tasks_done} of {self.tasks_queued} ran ({self.lost} lost)",
            f"server RSS          {self.rss_checkpoint_kib} KiB at the checkpoint, "
            f"{self.rss_end_kib} KiB at the end ({self.growth_kib} KiB growth)",
        ]


async def run_soak(
    base: str,
    server_pid: int,
    *,
    requests: int,
    concurrency: int,
    checkpoint: int = 10_000,
    max_seconds: float = 600.0,
    drain_seconds: float = 10.0,
) -> SoakReport:
    """Send `requests` requests from `concurrency` clients, drain, and report.

    No new request starts after `max_seconds`; the report then shows fewer requests.
    """
    tally = Tally()
    started = time.perf_counter()
    stop_at = started + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:

        def at_checkpoint() -> None:
            tally.rss_checkpoint_kib = rss_kib(server_pid)

        async def worker() -> None:
            while tally.sent < requests and time.perf_counter() < stop_at:
                index = tally.sent
                tally.sent += 1
                await one_request(client, index, tally)
                if index + 1 == checkpoint:
                    at_checkpoint()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        done = await drain(client, tally.tasks_queued, drain_seconds)
    return SoakReport(
        requested=requests,
        requests=tally.sent,
        concurrency=concurrency,
        seconds=seconds,
        errors=tally.errors,
        crossed=tally.crossed,
        tasks_queued=tally.tasks_queued,
        tasks_done=done,
        rss_checkpoint_kib=tally.rss_checkpoint_kib,
        rss_end_kib=rss_kib(server_pid),
        samples=tuple(tally.samples),
    )


async def one_request(client: httpx.AsyncClient, index: int, tally: Tally) -> None:
    """Send request number `index` and check its answer."""
    kind = KINDS[index % len(KINDS)]
    request_id = f"req-{index}"
    method, path, expected = PLANS[kind](request_id)
    try:
        response = await client.request(method, path, headers={REQUEST_ID: request_id})
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        tally.error(f"{kind} #{index}: {type(exc).__name__}: {exc}")
        return
    if body == expected:
        tally.tasks_queued += 2 if kind == "task" else 0
    elif kind == "dependency" and isinstance(body, dict) and set(body) == set(expected):
        tally.crossed += 1
    else:
        tally.error(f"{kind} #{index}: {response.status_code} {response.text[:200]}")


Plan = Callable[[str], tuple[str, str, dict[str, object]]]
PLANS: dict[str, Plan] = {
    "static": lambda _: ("GET", "/", {"service": "reliability"}),
    "dynamic": lambda rid: ("GET", f"/items/{rid}", {"item": rid}),
    "dependency": lambda rid: ("GET", "/whoami", {"seen": rid, "service": rid}),
    "task": lambda _: ("POST", "/tasks", {"queued": 2}),
}


async def drain(client: httpx.AsyncClient, expected: int, seconds: float) -> int:
    """Wait up to `seconds` for the server to have run `expected` tasks; returns how many ran."""
    deadline = time.monotonic() + seconds
    while True:
        done = int((await client.get("/tasks")).json()["done"])
        if done >= expected or time.monotonic() > deadline:
            return done
        await asyncio.sleep(0.05)
