"""The example app under concurrent load through a real uvicorn (issue 19, item 7).

100 concurrent writes and 100 concurrent reads: no error at all (no "database is locked", no
5xx), and every write the server acknowledged (a 201) is there afterwards, once.
"""

import asyncio
import sys
from pathlib import Path

import httpx
import pytest

from tests.reliability.servers import server

WRITES = READS = 100


def uvicorn_command(target: str, port: int) -> list[str]:
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1"]
    return [*command, "--port", str(port), "--no-access-log"]


async def load(base: str) -> tuple[list[httpx.Response], list[httpx.Response]]:
    limits = httpx.Limits(max_connections=WRITES + READS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        writes = [client.post("/notes", json={"text": f"note {i}"}) for i in range(WRITES)]
        reads = [client.get("/notes", params={"limit": 100}) for _ in range(READS)]
        answers = await asyncio.gather(*writes, *reads)
    return list(answers[:WRITES]), list(answers[WRITES:])


@pytest.mark.timeout(90)
def test_concurrent_writes_and_reads_all_succeed_and_every_write_is_kept(
    tmp_path: Path,
) -> None:
    with server(uvicorn_command, "examples.app:app", env={"NOTES_DATA_DIR": str(tmp_path)}) as (
        base,
        _,
    ):
        writes, reads = asyncio.run(load(base))
        errors = [r for r in (*writes, *reads) if r.status_code not in (200, 201)]
        assert errors == [], [(r.status_code, r.text[:200]) for r in errors[:5]]
        acknowledged = {r.json()["id"]: r.json()["text"] for r in writes}
        assert len(acknowledged) == WRITES
        stored: dict[int, str] = {}
        offset = 0
        while True:
            page = httpx.get(f"{base}/notes", params={"limit": 100, "offset": offset}).json()
            if not page:
                break
            stored.update((note["id"], note["text"]) for note in page)
            offset += len(page)
        assert stored == acknowledged
        assert sorted(stored.values()) == sorted(f"note {i}" for i in range(WRITES))
