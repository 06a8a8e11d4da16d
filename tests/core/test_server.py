"""Real servers: the example app and the lifecycle under uvicorn on 127.0.0.1."""

import time
from pathlib import Path

import httpx
import pytest

from tests.server import stop, uvicorn_server


@pytest.mark.timeout(40)
def test_example_app_under_uvicorn(tmp_path: Path) -> None:
    with uvicorn_server("examples.app:app", env={"NOTES_DATA_DIR": str(tmp_path)}) as (base, _):
        index = httpx.get(base + "/")
        assert index.status_code == 200
        assert "x-process-time-ms" in index.headers
        created = httpx.post(base + "/notes", json={"text": "from a real socket"})
        assert created.status_code == 201
        note = httpx.get(f"{base}/notes/{created.json()['id']}")
        assert note.json()["text"] == "from a real socket"
        assert httpx.get(base + "/notes/%zz").status_code == 400
        assert httpx.delete(base + "/notes").headers["allow"] == "GET, HEAD, OPTIONS, POST"
        head = httpx.head(base + "/")
        assert head.content == b""
        assert head.headers["content-length"] == index.headers["content-length"]


@pytest.mark.timeout(40)
def test_lifecycle_is_observed_from_outside_the_server(tmp_path: Path) -> None:
    events = tmp_path / "events.txt"
    target = "tests.core.lifecycle_app:app"
    with uvicorn_server(target, env={"EVENTS_FILE": str(events)}) as (base, process):
        assert httpx.get(base + "/").json() == "Resource"
        deadline = time.monotonic() + 5
        while "background task" not in events.read_text() and time.monotonic() < deadline:
            time.sleep(0.02)
        stop(process)
    assert events.read_text().splitlines() == [
        "service created",
        "startup hook",
        "background task",
        "shutdown hook",
        "service torn down",
    ]
