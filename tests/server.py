"""Run an ASGI app under a real server on 127.0.0.1 for a test, and always stop it by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_server(
    target: str, *args: str, env: dict[str, str] | None = None, timeout: float = 15.0
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Serve `module:app` with uvicorn; yields the base URL and the process."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1"]
    command += ["--port", str(port), *args]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, timeout)
        yield base, process
    finally:
        stop(process)


def wait_until_up(base: str, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"server exited early ({process.returncode}):\n{output}")
        try:
            httpx.get(base + "/.well-known/ready", timeout=1.0)  # any answer will do
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"server at {base} did not start within {timeout}s")


def stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM (graceful shutdown), then SIGKILL if needed; returns the server's output."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    return process.stdout.read() if process.stdout else ""
