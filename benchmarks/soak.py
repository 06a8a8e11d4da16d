"""Soak MicroAPI under a real uvicorn: errors, crossed request values, lost tasks, memory.

Run with `make soak` (or `uv run python benchmarks/soak.py --requests 100000 --concurrency 8`).
Starts `tests.reliability.served:app` under uvicorn on 127.0.0.1 with a free port, sends the
requests round-robin over static, dynamic, dependency and background-task routes, drains the
tasks, stops the server by its PID and prints the figures. Targets: 0 errors, 0 crossed values,
0 lost tasks, server RSS growth under 5 MiB from the checkpoint to the end. Exits 1 if one is
missed. Stops by itself: after `--requests`, or after `--max-seconds` at the latest.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.reliability.load import run_soak  # noqa: E402
from tests.server import uvicorn_server  # noqa: E402

TARGET = "tests.reliability.served:app"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests to send")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--checkpoint", type=int, default=10_000, help="request count of the first RSS reading"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=900.0, help="start no request after this long"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    print(f"soak: {args.requests} requests, {args.concurrency} clients, uvicorn {TARGET}")
    with uvicorn_server(TARGET, "--no-access-log", "--log-level", "warning") as (base, process):
        report = asyncio.run(
            run_soak(
                base,
                process.pid,
                requests=args.requests,
                concurrency=args.concurrency,
                checkpoint=args.checkpoint,
                max_seconds=args.max_seconds,
            )
        )
    print("\n".join(report.lines()))
    problems = report.problems()
    for problem in problems:
        print(f"MISSED: {problem}")
    print("all targets met" if not problems else f"{len(problems)} target(s) missed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
