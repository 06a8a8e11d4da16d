"""Static files and streaming: MicroAPI beside Starlette, in-process, in interleaved rounds.

Rows, each app called directly on one event loop as a server would call it (no sockets):

- 1 KiB file:   `GET /static/one.txt`, a 1 KiB file from `app.static` / Starlette's
                `StaticFiles` mount -> 200 with the bytes (target: at least as fast)
- 304:          the same with `If-None-Match: <its etag>` -> 304 (target: ahead)
- 10,000 chunks: `GET /stream`, a `StreamingResponse` over an async generator of 10,000
                16-byte chunks; reported per chunk (target: no more than Starlette's)

Each round runs every contender once per row, in an order rotated each round; a row's figure is
the median over rounds. `receive` gives an empty body and then waits (a client that stays), so
a disconnect watcher, if any, waits as under a real server.

Run: uv run --frozen --no-sync python benchmarks/files.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from importlib.metadata import version
from pathlib import Path
from typing import Any

CHUNKS = 10_000
CHUNK = b"x" * 16

ASGIApp = Callable[[dict[str, Any], Any, Any], Coroutine[Any, Any, None]]


def microapi_app(root: Path) -> ASGIApp:
    from microapi import MicroAPI
    from microapi.responses import StreamingResponse

    app = MicroAPI()
    app.static("/static", root)

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(CHUNKS):
                yield CHUNK

        return StreamingResponse(chunks(), media_type="text/plain")

    return app


def starlette_app(root: Path) -> ASGIApp:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import StreamingResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    async def stream(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(CHUNKS):
                yield CHUNK

        return StreamingResponse(chunks(), media_type="text/plain")

    return Starlette(
        routes=[Route("/stream", stream), Mount("/static", StaticFiles(directory=root))]
    )


def scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


class Recorder:
    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[bytes, bytes] = {}
        self.size = 0

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = dict(message["headers"])
        else:
            self.size += len(message.get("body", b""))


async def once(app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]]) -> Recorder:
    recorder = Recorder()
    sent = False
    stay = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await stay.wait()
        return {"type": "http.disconnect"}

    await app(scope(path, headers), receive, recorder.send)
    return recorder


async def lifespan(app: ASGIApp, event: str) -> None:
    messages = [{"type": f"lifespan.{event}"}]
    if event == "startup":
        task: dict[str, Any] = {}

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await task["stop"].wait()
            return {"type": "lifespan.shutdown"}

        task["stop"] = asyncio.Event()
        started = asyncio.Event()

        async def send(message: dict[str, Any]) -> None:
            if message["type"].startswith("lifespan.startup"):
                started.set()

        task["run"] = asyncio.ensure_future(
            app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
        )
        await started.wait()
        lifespans[id(app)] = task
    else:
        task = lifespans.pop(id(app))
        task["stop"].set()
        await task["run"]


lifespans: dict[int, dict[str, Any]] = {}


async def timed(app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await once(app, path, headers)
    return (time.perf_counter() - start) / n


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "one.txt").write_bytes(b"a" * 1024)
        apps = {"MicroAPI": microapi_app(root), "Starlette": starlette_app(root)}
        for app in apps.values():
            await lifespan(app, "startup")
        etags: dict[str, bytes] = {}
        for name, app in apps.items():  # check every answer once before timing
            first = await once(app, "/static/one.txt", [])
            assert (first.status, first.size) == (200, 1024), (name, first.status)
            etags[name] = first.headers[b"etag"]
            again = await once(app, "/static/one.txt", [(b"if-none-match", etags[name])])
            assert again.status == 304, (name, again.status)
            streamed = await once(app, "/stream", [])
            assert (streamed.status, streamed.size) == (200, CHUNKS * len(CHUNK)), name
        rows: dict[str, tuple[str, Callable[[str], list[tuple[bytes, bytes]]], int, int]] = {
            "1 KiB file": ("/static/one.txt", lambda name: [], 300, 1),
            "304": ("/static/one.txt", lambda name: [(b"if-none-match", etags[name])], 300, 1),
            "10,000 chunks": ("/stream", lambda name: [], 3, CHUNKS),
        }
        results: dict[tuple[str, str], list[float]] = {}
        names = list(apps)
        for round_ in range(rounds):
            order = names[round_ % 2 :] + names[: round_ % 2]
            for row, (path, headers, n, per) in rows.items():
                for name in order:
                    seconds = await timed(apps[name], path, headers(name), n)
                    results.setdefault((row, name), []).append(seconds / per)
        for app in apps.values():
            await lifespan(app, "shutdown")
    print(f"MicroAPI {version('microapi-core')}, Starlette {version('starlette')}; {rounds} rounds")
    print()
    print("| row | MicroAPI | Starlette | MicroAPI / Starlette |")
    print("|---|---:|---:|---:|")
    for row in rows:
        ours = statistics.median(results[(row, "MicroAPI")])
        theirs = statistics.median(results[(row, "Starlette")])
        unit = "per chunk" if row == "10,000 chunks" else "per request"
        print(
            f"| {row} ({unit}) | {ours * 1e6:,.2f} µs | {theirs * 1e6:,.2f} µs | "
            f"{ours / theirs:.2f}x |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="interleaved rounds (11)")
    asyncio.run(main(parser.parse_args().rounds))
