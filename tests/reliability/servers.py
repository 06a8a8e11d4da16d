"""Hypercorn and granian on 127.0.0.1 for a test, beside `tests.server.uvicorn_server`.

Also what a test needs to see inside a server: its worker processes and their memory.

Every server is stopped by its PID (SIGTERM, then SIGKILL), and so is any worker process that
outlives it. Output goes to a file, never a pipe, so a chatty server cannot block on a full pipe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from tests.server import ROOT, free_port, stop

Command = Callable[[str, int], list[str]]


def hypercorn_command(target: str, port: int) -> list[str]:
    return [sys.executable, "-m", "hypercorn", target, "--bind", f"127.0.0.1:{port}"]


def granian_command(target: str, port: int) -> list[str]:
    command = [sys.executable, "-m", "granian", "--interface", "asgi", target]
    return [*command, "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def server(
    command: Command, target: str, *, env: dict[str, str] | None = None, timeout: float = 20.0
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Serve `module:app` with `command`; yields the base URL and the process."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            command(target, port),
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, output, timeout)
            yield base, process
        finally:
            stop_tree(process)


def wait_until_up(
    base: str, process: subprocess.Popen[str], output: IO[str], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            raise RuntimeError(f"server exited early ({process.returncode}):\n{output.read()}")
        try:
            httpx.get(base + "/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"server at {base} did not start within {timeout}s")


def stop_tree(process: subprocess.Popen[str]) -> None:
    """Stop `process` gracefully, then make sure none of its workers survived it."""
    workers = descendants(process.pid)
    stop(process)
    reap(workers)


def reap(workers: set[int]) -> None:
    """Wait for `workers` to exit; kill by PID and fail for any still running after 10 s."""
    deadline = time.monotonic() + 10
    while (alive := {pid for pid in workers if is_alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"worker processes outlived the server: {sorted(alive)}"


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    found: set[int] = set()
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = {int(child) for child in tasks.read_text().split()}
        except OSError:
            continue
        for child in children - found:
            found |= {child, *descendants(child)}
    return found


def is_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its parent does not count)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def rss_kib(pid: int) -> int:
    """The resident set size of `pid`, in KiB (VmRSS from /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")
