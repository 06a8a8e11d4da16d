"""In-process cost per request of MicroAPI and its peers, as a multiple of a raw ASGI app.

Every app is called directly on one event loop, as a server would call it: a fresh copy of a
prebuilt HTTP scope per call (with a fresh `state` dict, as uvicorn gives), a `receive` that
returns the request body in one message (empty, but for the body row's JSON order) and a `send`
that drops the messages. No sockets, no HTTP parsing:
what is left is the framework's own work. Every app runs its lifespan start-up first and its
shutdown at the end, and every response is checked once (status and JSON body) before timing.

Rows (the apps are in `benchmarks/e2e/*_app.py`, shared with the end-to-end benchmark):

- static:       `GET /hello` -> 200 `{"hello": "world"}`
- dynamic:      `GET /users/42` on `/users/{user_id}` -> 200 `{"id": "42"}`
- 404:          `GET /nope`, no such route
- 405:          `POST /hello`, a GET-only route (`Allow` in the answer)
- dependencies: `GET /deps`, a 3-level dependency chain whose levels all share one async
                generator dependency (set up once per request, torn down after the handler);
                MicroAPI `Depends`, FastAPI `Depends`, Litestar `Provide`; raw, Starlette and
                Falcon have no dependency injection, so they call the same chain by hand
- middleware:   `GET /hello` behind 5 pass-through middlewares: MicroAPI `add_middleware` with
                `async def mw(request, call_next)`, Starlette and FastAPI `BaseHTTPMiddleware`
                (what `@app.middleware("http")` makes), Litestar `ASGIMiddleware`, Falcon
                `process_request` / `process_response`, raw 5 nested ASGI wrappers
- 1,000 routes: an app of 1,000 routes `/res{i}/{item_id}`, hit on all of them in a shuffled
                order (a different route on consecutive calls) -> `{"id": ...}`
- typed:        `GET /items/42?limit=10&q=abc`: `item_id: int` (path), `limit: int = 20` and
                `q: str | None` (query) -> `{"item_id": 42, "limit": 10, "q": "abc"}`; MicroAPI
                by name and `Query()`, FastAPI and Litestar by annotation, raw, Starlette and
                Falcon with `int()` by hand
- body:         `POST /orders` with a 328-byte JSON order (10 fields: 3 nested items, a
                datetime, a nullable note, a list of tags; `content-type: application/json`,
                `content-length`) decoded and validated into a typed object -> 201
                `{"id": 1001, "total": 32.0, "items": 3}`; MicroAPI `Annotated[Order, Body()]`
                and Litestar `data: Order` with a `msgspec.Struct`, FastAPI a pydantic model,
                Starlette and Falcon `json.loads` (Falcon's `get_media`) and checks by hand,
                raw a prebuilt `msgspec.json.Decoder(Order)`

Timing: each contender's batch size is calibrated to last about `--batch-ms`; then, for
`--rounds` rounds, every row runs every contender once, in an order rotated each round. A
contender's ratio is the median over rounds of its time divided by raw's time in that round.

Run: uv run --frozen --no-sync python benchmarks/app_bench.py [--rounds N] [--batch-ms MS]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Coroutine, Iterator, MutableMapping
from dataclasses import dataclass
from importlib.metadata import version
from itertools import cycle, islice
from pathlib import Path
from types import ModuleType
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Coroutine[Any, Any, None]]

E2E = Path(__file__).resolve().parent / "e2e"
if str(E2E) not in sys.path:
    sys.path.insert(0, str(E2E))
COMMON = importlib.import_module("common")  # what the apps share: the order, the answers
FRAMEWORKS = ("raw", "microapi", "starlette", "fastapi", "litestar", "falcon")
PEERS = ("starlette", "fastapi", "litestar", "falcon")
DISTRIBUTIONS = {
    "microapi": "microapi-core",
    "starlette": "starlette",
    "fastapi": "fastapi",
    "litestar": "litestar",
    "falcon": "falcon",
}
TITLES = {
    "raw": "raw ASGI",
    "microapi": "MicroAPI",
    "starlette": "Starlette",
    "fastapi": "FastAPI",
    "litestar": "Litestar",
    "falcon": "Falcon",
    "harness": "harness alone",
}
HARNESS = "harness"


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    app: str  # which factory: "main", "middleware" or "many"
    method: str
    paths: tuple[str, ...]
    status: int
    target: float | None  # MicroAPI's target, as a multiple of raw (None: see `many`)
    query: bytes = b""
    body: bytes = b""  # sent as JSON, with content-type and content-length
    answer: Any = None  # the expected JSON answer (None: `expected_body(path)`)


def many_paths(count: int) -> tuple[str, ...]:
    paths = [f"/res{i}/{i}" for i in range(count)]
    random.Random(1234).shuffle(paths)
    return tuple(paths)


def rows(routes: int) -> list[Row]:
    return [
        Row("static", "static route", "main", "GET", ("/hello",), 200, 4.0),
        Row("dynamic", "dynamic route", "main", "GET", ("/users/42",), 200, 2.0),
        Row("404", "404 Not Found", "main", "GET", ("/nope",), 404, 2.5),
        Row("405", "405 Method Not Allowed", "main", "POST", ("/hello",), 405, 2.5),
        Row("deps", "dependency chain", "main", "GET", ("/deps",), 200, 2.0),
        Row("middleware", "5 function middlewares", "middleware", "GET", ("/hello",), 200, 3.0),
        Row("many", f"{routes:,} routes", "many", "GET", many_paths(routes), 200, None),
        Row(
            "typed",
            "typed parameters",
            "main",
            "GET",
            (COMMON.ITEM_PATH,),
            200,
            2.5,
            query=COMMON.ITEM_QUERY.encode(),
            answer=COMMON.ITEM_ANSWER,
        ),
        Row(
            "body",
            "JSON body",
            "main",
            "POST",
            ("/orders",),
            201,
            1.5,
            body=COMMON.ORDER_BODY,
            answer=COMMON.ORDER_ANSWER,
        ),
    ]


# MicroAPI's 1,000-route time may exceed its dynamic-route time by at most this factor.
MANY_VS_DYNAMIC = 1.10


def expected_body(path: str) -> Any:
    if path in ("/hello", "/deps"):
        return {"hello": "world"}
    return {"id": path.rsplit("/", 1)[1]}


def make_scope(method: str, path: str, query: bytes = b"", body: bytes = b"") -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"user-agent", b"app-bench"),
        (b"accept", b"*/*"),
    ]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers,
    }


def row_scope(row: Row, path: str) -> dict[str, Any]:
    return make_scope(row.method, path, row.query, row.body)


Receive = Callable[[], Coroutine[Any, Any, Message]]


def receiver(body: bytes) -> Receive:
    """A `receive` that returns `body` in one `http.request` message, on every call."""
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> Message:
        return message

    return receive


receive = receiver(b"")


async def send(message: Message) -> None:
    pass


async def harness(scope: Scope, receive: Any, send: Any) -> None:
    """An app that does nothing: what the timing loop itself costs."""


async def timed(app: ASGIApp, scopes: list[dict[str, Any]], receive: Receive = receive) -> int:
    """ns to call `app` once per scope, each call with a fresh copy of its scope."""
    start = time.perf_counter_ns()
    for base in scopes:
        await app({**base, "state": {}}, receive, send)
    return time.perf_counter_ns() - start


# -- apps and their lifespans ---------------------------------------------------------------


def load(framework: str) -> ModuleType:
    if str(E2E) not in sys.path:
        sys.path.insert(0, str(E2E))
    return importlib.import_module(f"{framework}_app")


def build(module: ModuleType, kind: str, routes: int) -> ASGIApp:
    app: ASGIApp
    if kind == "main":
        app = module.create_app()
    elif kind == "middleware":
        app = module.create_middleware_app()
    else:
        app = module.create_many_routes_app(routes)
    return app


class Lifespan:
    """Drives the ASGI lifespan protocol of one app, as a server does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.outbox: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def _expect(self, wanted: str) -> None:
        message = await asyncio.wait_for(self.outbox.get(), timeout=30)
        if message["type"] != wanted:
            raise RuntimeError(f"lifespan: expected {wanted}, got {message}")

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.4"}}
        scope["state"] = {}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup.complete")

    async def stop(self) -> None:
        if self.task is None:
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown.complete")
        await asyncio.wait_for(self.task, timeout=30)


async def check(name: str, app: ASGIApp, row: Row, common: ModuleType) -> None:
    """One request per path (all of them for the 1,000 routes): status, body, side effects."""
    paths = row.paths
    for path in paths:
        sent: list[Message] = []

        async def record(message: Message, sent: list[Message] = sent) -> None:
            sent.append(message)

        opened = common.Session.opened
        closed = common.Session.closed
        await app({**row_scope(row, path), "state": {}}, receiver(row.body), record)
        where = f"{name}, {row.title}, {row.method} {path}"
        start = sent[0]
        if start["status"] != row.status:
            raise AssertionError(f"{where}: status {start['status']}, expected {row.status}")
        body = b"".join(m.get("body", b"") for m in sent[1:])
        headers = {k.lower(): v for k, v in start["headers"]}
        expected = expected_body(path) if row.answer is None else row.answer
        if row.status in (200, 201) and json.loads(body) != expected:
            raise AssertionError(f"{where}: body {body!r}")
        if row.status == 405 and b"allow" not in headers:
            raise AssertionError(f"{where}: 405 without Allow")
        if row.key == "deps" and (
            common.Session.opened - opened != 1 or common.Session.closed - closed != 1
        ):
            raise AssertionError(f"{where}: the session was not shared or not torn down")


async def check_middleware(name: str, module: ModuleType) -> None:
    """The middleware factory wires `count` layers that each run once per request."""
    calls: list[int] = []
    app = module.create_middleware_app(probe=lambda: calls.append(1))
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        await app({**make_scope("GET", "/hello"), "state": {}}, receive, send)
    finally:
        await lifespan.stop()
    if len(calls) != 5:
        raise AssertionError(f"{name}: {len(calls)} middleware calls for one request, not 5")


# -- measuring ------------------------------------------------------------------------------


class Contender:
    """One app on one row: its scope stream, its batch size and its times per call (ns)."""

    def __init__(self, name: str, app: ASGIApp, row: Row) -> None:
        self.name = name
        self.app = app
        self.stream: Iterator[dict[str, Any]] = cycle([row_scope(row, p) for p in row.paths])
        self.receive = receiver(row.body)
        self.batch = 1
        self.times: list[float] = []

    def scopes(self, count: int) -> list[dict[str, Any]]:
        return list(islice(self.stream, count))

    async def calibrate(self, batch_ns: float) -> None:
        count = 1
        while True:
            elapsed = await timed(self.app, self.scopes(count), self.receive)
            if elapsed >= batch_ns / 4 or count >= 1 << 20:
                break
            count *= 2
        self.batch = max(1, round(count * batch_ns / max(elapsed, 1)))

    async def measure(self) -> None:
        scopes = self.scopes(self.batch)
        self.times.append(await timed(self.app, scopes, self.receive) / len(scopes))


def median_ratio(times: list[float], floor: list[float]) -> float:
    return statistics.median(t / f for t, f in zip(times, floor, strict=True))


def versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    parts += [f"{TITLES[name]} {version(dist)}" for name, dist in DISTRIBUTIONS.items()]
    return ", ".join(parts)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def target_cell(
    row: Row, ratios: dict[str, float], direct: float | None, cells: float | None
) -> str:
    """MicroAPI's verdict on `row`: its target, and whether it is ahead of every peer.

    For the 1,000 routes, `direct` is MicroAPI's time there over its time on the dynamic route
    (per round, median) and `cells` the same comparison between the two rows' multiples of raw;
    the verdict uses `direct`, the stricter reading when raw slows down too.
    """
    mine = ratios.get("microapi")
    if mine is None:
        return ""
    peers = [ratios[p] for p in PEERS if p in ratios]
    ahead = all(mine < p for p in peers)
    if row.target is not None:
        goal = f"<= {row.target:g}x"
        met = mine <= row.target
    elif direct is None or cells is None:
        return "(needs the dynamic row)"
    else:
        goal = (
            f"time <= {MANY_VS_DYNAMIC:.2f}x its dynamic route: is {direct:.2f}x "
            f"({cells:.2f}x comparing the multiples of raw)"
        )
        met = direct <= MANY_VS_DYNAMIC
    verdict = "met" if met else "**missed**"
    lead = "ahead of all peers" if ahead else "**not ahead of every peer**"
    return f"{goal}: {verdict}; {lead if peers else 'no peers run'}"


async def run(args: argparse.Namespace) -> None:
    names = [n for n in FRAMEWORKS if n == "raw" or n in args.frameworks]
    table = [r for r in rows(args.routes) if r.key in args.rows]
    modules = {name: load(name) for name in names}
    common = importlib.import_module("common")

    apps: dict[tuple[str, str], ASGIApp] = {}
    lifespans: list[Lifespan] = []
    try:
        for name in names:
            for kind in sorted({row.app for row in table}):
                app = apps[name, kind] = build(modules[name], kind, args.routes)
                lifespan = Lifespan(app)
                await lifespan.start()
                lifespans.append(lifespan)
        for name in names:
            if any(row.app == "middleware" for row in table):
                await check_middleware(name, modules[name])
            for row in table:
                await check(name, apps[name, row.app], row, common)

        contenders = {
            row.key: [Contender(name, apps[name, row.app], row) for name in names]
            + ([Contender(HARNESS, harness, row)] if row.key == "static" else [])
            for row in table
        }
        gc.collect()
        gc.freeze()
        started = time.perf_counter()
        for row in table:
            for contender in contenders[row.key]:
                await contender.calibrate(args.batch_ms * 1e6)
        for round_ in range(args.rounds):
            for row in table:
                ordered = contenders[row.key]
                shift = round_ % len(ordered)
                for contender in ordered[shift:] + ordered[:shift]:
                    await contender.measure()
        elapsed = time.perf_counter() - started
    finally:
        for lifespan in reversed(lifespans):
            await lifespan.stop()

    report(table, names, contenders, args, elapsed)


def report(
    table: list[Row],
    names: list[str],
    contenders: dict[str, list[Contender]],
    args: argparse.Namespace,
    elapsed: float,
) -> None:
    print(f"{versions()}\n{machine()}")
    print(f"{args.rounds} rounds of ~{args.batch_ms:g} ms batches, {elapsed:.0f} s of timing\n")
    shown = [n for n in names if n != "raw"]
    print(
        "| row | raw ASGI (ns/request) | "
        + " | ".join(TITLES[n] for n in shown)
        + " | MicroAPI target |"
    )
    print("|---|---:|" + "---:|" * len(shown) + "---|")
    by_key = {row.key: {c.name: c for c in contenders[row.key]} for row in table}
    dynamic = by_key.get("dynamic", {}).get("microapi")
    for row in table:
        found = by_key[row.key]
        floor = found["raw"].times
        ratios = {n: median_ratio(found[n].times, floor) for n in shown}
        direct = cells_ratio = None
        if row.key == "many" and dynamic is not None and "microapi" in found:
            direct = median_ratio(found["microapi"].times, dynamic.times)
            dynamic_floor = by_key["dynamic"]["raw"].times
            cells_ratio = ratios["microapi"] / median_ratio(dynamic.times, dynamic_floor)
        cells = " | ".join(f"{ratios[n]:.2f}x" for n in shown)
        target = target_cell(row, ratios, direct, cells_ratio)
        print(f"| {row.title} | {statistics.median(floor):,.0f} | {cells} | {target} |")
    if "static" in by_key:
        found = by_key["static"]
        share = median_ratio(found[HARNESS].times, found["raw"].times)
        print(
            f"\nThe timing loop alone (an app that does nothing) costs "
            f"{statistics.median(found[HARNESS].times):,.0f} ns per call, "
            f"{share:.2f}x of raw's static route; it is included in every number above."
        )


async def profile(args: argparse.Namespace) -> None:
    """cProfile MicroAPI on one row, to find where its time goes."""
    row = next(r for r in rows(args.routes) if r.key == args.profile)
    app = build(load("microapi"), row.app, args.routes)
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        contender = Contender("microapi", app, row)
        scopes = contender.scopes(args.profile_calls)
        profiler = cProfile.Profile()
        profiler.enable()
        await timed(app, scopes, contender.receive)
        profiler.disable()
    finally:
        await lifespan.stop()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=61, help="interleaved rounds (61)")
    parser.add_argument("--batch-ms", type=float, default=15.0, help="ms per batch (15)")
    parser.add_argument("--routes", type=int, default=1_000, help="routes in the big app (1000)")
    parser.add_argument(
        "--frameworks",
        type=lambda s: s.split(","),
        default=list(FRAMEWORKS),
        help="comma-separated subset of " + ",".join(FRAMEWORKS) + " (raw is always run)",
    )
    parser.add_argument(
        "--rows",
        type=lambda s: s.split(","),
        default=[row.key for row in rows(1)],
        help="comma-separated subset of " + ",".join(row.key for row in rows(1)),
    )
    parser.add_argument("--profile", metavar="ROW", help="cProfile MicroAPI on ROW instead")
    parser.add_argument("--profile-calls", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(profile(args) if args.profile else run(args))


if __name__ == "__main__":
    main()
