"""Rough figures for docs/reliability.md, under a real uvicorn (not a test; run by hand).

    uv run --frozen --no-sync python -m tests.reliability.measure [--seconds 5]

1. p50/p99 of the example app's DB-free `GET /` while 64 clients write notes.
2. RSS of `tests.reliability.served:app` after `--seconds` of 64 clients on `/hang` (each
   request leaves a background task that never ends), then how long SIGTERM takes to stop it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

from tests.server import free_port


def start(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--no-access-log", "--log-level", "warning"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def hammer(base: str, method: str, path: str, seconds: float, clients: int) -> int:
    done = 0
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def one(i: int) -> None:
            nonlocal done
            while time.monotonic() < stop:
                if method == "POST":
                    await client.post(path, json={"text": f"load {i}"})
                else:
                    await client.get(path)
                done += 1

        await asyncio.gather(*(one(i) for i in range(clients)))
    return done


async def probe(base: str, seconds: float) -> list[float]:
    took = []
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < stop:
            begun = time.perf_counter()
            await client.get("/")
            took.append((time.perf_counter() - begun) * 1000)
    return took


async def write_load(base: str, seconds: float) -> tuple[list[float], int]:
    writes, took = await asyncio.gather(
        hammer(base, "POST", "/notes", seconds, 64), probe(base, seconds)
    )
    return took, writes


def stop_timed(process: subprocess.Popen[bytes], limit: float) -> str:
    begun = time.monotonic()
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return f"> {limit:.0f} s (killed)"
    return f"{time.monotonic() - begun:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    seconds = parser.parse_args().seconds
    with tempfile.TemporaryDirectory() as data:
        process, base = start("examples.app:app", {"NOTES_DATA_DIR": data})
        try:
            took, writes = asyncio.run(write_load(base, seconds))
        finally:
            stop_timed(process, 15)
    took.sort()
    p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
    print(
        f"DB-free GET / under write load: p50 {statistics.median(took):.1f} ms, "
        f"p99 {p99:.1f} ms ({len(took)} probes); writes {writes / seconds:.0f}/s"
    )
    process, base = start("tests.reliability.served:app", {})
    before = rss_mb(process.pid)
    hung = asyncio.run(hammer(base, "GET", "/hang", seconds, 64))
    after = rss_mb(process.pid)
    print(f"RSS with hung tasks: {before:.1f} MB -> {after:.1f} MB after {hung} hung tasks")
    print(f"shutdown (SIGTERM to exit): {stop_timed(process, 20)}")


if __name__ == "__main__":
    main()
