"""What one MicroAPI request costs in function calls and memory, per row of `app_bench.py`.

- calls: every function call (Python and C) cProfile sees over N requests, divided by N.
- blocks / KiB held at send: memory blocks (and their size) allocated by the request and still
  alive when its last body message is sent, by `tracemalloc` (a snapshot just before the
  request against one taken inside that `send`): the request, its match, values, scope and
  response objects, the coroutines' frames. Temporaries freed before that point are not in it;
  `tracemalloc` counts live blocks, not allocations made and freed.
- peak KiB: the most memory the request had allocated at once (`tracemalloc` peak).
- retained: blocks still alive after 2,000 more requests (a leak would show here).

Run: uv run --frozen --no-sync python benchmarks/per_request.py [--rows static,body]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import app_bench as bench

SAMPLES = 50


IGNORED = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]


def _held(after: tracemalloc.Snapshot, before: tracemalloc.Snapshot) -> tuple[int, int]:
    """Blocks (and bytes) alive in `after` that were not in `before`, by allocation site."""
    diff = after.filter_traces(IGNORED).compare_to(before.filter_traces(IGNORED), "traceback")
    grown = [d for d in diff if d.count_diff > 0]
    return sum(d.count_diff for d in grown), sum(d.size_diff for d in grown)


async def measure(row: bench.Row, calls: int) -> dict[str, float]:
    app = bench.build(bench.load("microapi"), row.app, 1_000)
    lifespan = bench.Lifespan(app)
    await lifespan.start()
    try:
        contender = bench.Contender("microapi", app, row)
        await bench.timed(app, contender.scopes(2_000), contender.receive)  # warm every cache
        profiler = cProfile.Profile()
        profiler.enable()
        await bench.timed(app, contender.scopes(calls), contender.receive)
        profiler.disable()
        per_call = pstats.Stats(profiler).total_calls / calls  # type: ignore[attr-defined]

        held: list[tuple[int, int]] = []
        peaks: list[int] = []
        snapshots: list[tracemalloc.Snapshot] = []

        async def send(message: Any) -> None:
            if message["type"] == "http.response.body":
                snapshots.append(tracemalloc.take_snapshot())  # the request is still alive

        tracemalloc.start(1)
        try:
            for scope in contender.scopes(SAMPLES):
                snapshots.clear()
                fresh = {**scope, "state": {}}
                before = tracemalloc.take_snapshot()
                tracemalloc.reset_peak()
                start = tracemalloc.get_traced_memory()[0]
                await app(fresh, contender.receive, send)
                peaks.append(tracemalloc.get_traced_memory()[1] - start)
                held.append(_held(snapshots[0], before))
            snapshots.clear()
            before = tracemalloc.take_snapshot()
            await bench.timed(app, contender.scopes(2_000), contender.receive)
            retained = _held(tracemalloc.take_snapshot(), before)[0]
        finally:
            tracemalloc.stop()
    finally:
        await lifespan.stop()
    return {
        "calls": per_call,
        "blocks": statistics.median(h[0] for h in held),
        "kib": statistics.median(h[1] for h in held) / 1024,
        "peak": statistics.median(peaks) / 1024,
        "retained": retained,
    }


async def run(args: argparse.Namespace) -> None:
    print("| row | calls/request | blocks held at send | KiB held at send | peak KiB | retained |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in bench.rows(1_000):
        if row.key in args.rows:
            m = await measure(row, args.calls)
            print(
                f"| {row.title} | {m['calls']:.0f} | {m['blocks']:.0f} | {m['kib']:.1f} "
                f"| {m['peak']:.1f} | {m['retained']:.0f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: s.split(","), default=["static", "body"])
    parser.add_argument("--calls", type=int, default=20_000)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
