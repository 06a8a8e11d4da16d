"""The same app under uvicorn (one and two workers), hypercorn and granian.

Each server is started and stopped (SIGTERM) by the test; every one must give the answers the
in-process test client gives, and run the lifespan in each worker: start-up before serving,
shutdown after SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest
from microapi.testing import TestClient

from tests.server import uvicorn_server

from .served import MARKERS_ENV, create_app
from .servers import descendants, granian_command, hypercorn_command, reap, server

TARGET = "tests.reliability.served:app"
Served = AbstractContextManager[tuple[str, subprocess.Popen[str]]]
Probe = tuple[str, str, dict[str, str]]
PROBES: list[Probe] = [
    ("GET", "/", {}),
    ("HEAD", "/", {}),
    ("GET", "/items/a%2Fb%20c", {}),
    ("GET", "/whoami", {"x-request-id": "probe-1"}),
    ("POST", "/tasks", {}),
    ("DELETE", "/items/1", {}),
    ("OPTIONS", "/items/1", {}),
    ("GET", "/items/%zz", {}),
    ("GET", "/nowhere", {}),
    ("GET", "/items/", {}),
]
KEPT_HEADERS = ("content-type", "content-length", "allow")
SERVERS: dict[str, tuple[Callable[[dict[str, str]], Served], int]] = {
    "uvicorn": (lambda env: uvicorn_server(TARGET, env=env), 1),
    "uvicorn --workers 2": (lambda env: uvicorn_server(TARGET, "--workers", "2", env=env), 2),
    "hypercorn": (lambda env: server(hypercorn_command, TARGET, env=env), 1),
    "granian": (lambda env: server(granian_command, TARGET, env=env), 1),
}

Observation = list[tuple[int, dict[str, str], bytes]]
# A graceful exit: uvicorn re-raises the SIGTERM it handled; SIGKILL (-9) would mean it hung.
GRACEFUL = {0, -signal.SIGTERM}


def observe(client: httpx.Client) -> Observation:
    """Each probe's status, kept headers and body."""
    seen: Observation = []
    for method, path, headers in PROBES:
        response = client.request(method, path, headers=headers)
        kept = {k: v for k, v in response.headers.items() if k in KEPT_HEADERS}
        seen.append((response.status_code, kept, response.content))
    return seen


@pytest.fixture(scope="module")
def reference() -> Observation:
    with TestClient(create_app()) as client:
        return observe(client)


def markers(directory: Path, kind: str) -> set[int]:
    return {int(path.name.split("-")[1]) for path in directory.glob(f"{kind}-*")}


def wait_for_markers(directory: Path, count: int, timeout: float = 20.0) -> set[int]:
    """Worker PIDs that finished start-up, once `count` of them have."""
    deadline = time.monotonic() + timeout
    while len(found := markers(directory, "startup")) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


@pytest.mark.parametrize("name", list(SERVERS))
def test_every_server_gives_the_same_answers_and_runs_the_lifespan(
    name: str, reference: Observation, tmp_path: Path
) -> None:
    serve, workers = SERVERS[name]
    with serve({MARKERS_ENV: str(tmp_path)}) as (base, process):
        started = wait_for_markers(tmp_path, workers)
        assert len(started) == workers
        assert started <= {process.pid} | descendants(process.pid)
        children = descendants(process.pid)
        for _ in range(3):  # fresh connections, which may reach different workers
            with httpx.Client(base_url=base) as client:
                assert observe(client) == reference
        assert markers(tmp_path, "shutdown") == set()
    reap(children)
    assert process.returncode in GRACEFUL
    assert markers(tmp_path, "shutdown") == started


@pytest.mark.timeout(40)
def test_a_hung_background_task_does_not_keep_uvicorn_from_stopping(tmp_path: Path) -> None:
    env = {MARKERS_ENV: str(tmp_path)}
    # No --timeout-graceful-shutdown: the app returns once a response is sent, so uvicorn has
    # nothing to wait for; the app's own shutdown_timeout (2 s here) bounds the hung task.
    with uvicorn_server(TARGET, env=env) as (base, process):
        assert httpx.get(base + "/hang").text == '"answered; a task now hangs"'
        assert httpx.get(base + "/").status_code == 200  # the server still serves
        stopping = time.monotonic()
    # Stopped gracefully (no SIGKILL after the 10 s wait), and the lifespan shutdown ran.
    assert time.monotonic() - stopping < 8
    assert process.returncode in GRACEFUL
    assert markers(tmp_path, "shutdown") == {process.pid}
