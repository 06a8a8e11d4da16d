"""ns per match of `microapi_router` against a hand-written trie walk and peer routers.

Run with `make bench` (or `uv run python benchmarks/router.py`). For each size N, the routes are
N templates `/r{i}/items/{id}` plus three static ones (`/`, `/health`, `/r0/items/new`); each
contender matches a GET of the first, the middle and the last dynamic route and a miss
(`/r{N}/items/42`, one past the last). Nothing is cached between calls in any timed path.

Contenders:
- floor: a minimal dict-per-segment trie walk returning (payload, params): only the unavoidable
  work (no method lookup, no percent-decoding, no result object, greedy static-first descent);
- microapi: `Router.match("GET", path)`;
- Starlette: the loop `Router.app` runs, `route.matches(scope)` over the routes in order;
- Werkzeug: `Map(...).bind(...).match(path, method="GET")` (a miss raises NotFound);
- Falcon: `CompiledRouter.find(path)` (compiled before timing).

Timing: for each path, the contenders take turns, 7 rounds of one batch each (a batch lasts at
least 10 ms); each number is the best batch. The loop overhead (~10 ns) is in every number.
Starlette (several ms per match) and Falcon (over two minutes to compile) are skipped at 10,000
routes unless `--all` is given.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from itertools import repeat
from typing import Any

from microapi_router import Match, Router

SIZES = (10, 100, 1_000, 10_000)
STATIC = ("/", "/health", "/r0/items/new")
Runner = Callable[[str, int], int]  # (path, iterations) -> elapsed ns
# Skipped from this many routes on, unless --all: Starlette takes several ms per match at 10,000
# routes, and Falcon takes over two minutes to compile 10,000 routes.
SKIP_AT = {"Starlette": 10_000, "Falcon": 10_000}


def templates(size: int) -> list[str]:
    return [f"/r{i}/items/{{id}}" for i in range(size)]


def paths(size: int) -> dict[str, str]:
    return {
        "first": "/r0/items/42",
        "middle": f"/r{size // 2}/items/42",
        "last": f"/r{size - 1}/items/42",
        "miss": f"/r{size}/items/42",
    }


# -- the floor: a hand-written dict-per-segment trie ----------------------------------------


def floor_runner(size: int) -> tuple[Runner, Callable[[str], Any]]:
    # node = [static children, parameter name, parameter child, payload]. The root's only
    # child is "" (what `path.split("/")` yields before the leading slash): on this interpreter
    # an extra loop turn is cheaper than slicing `path[1:]`, so this is the faster floor.
    top: list[Any] = [{}, None, None, None]
    root: list[Any] = [{"": top}, None, None, None]

    def insert(template: str, payload: object) -> None:
        node = top
        for segment in template[1:].split("/"):
            if segment.startswith("{"):
                if node[2] is None:
                    node[1] = segment[1:-1]
                    node[2] = [{}, None, None, None]
                node = node[2]
            else:
                node = node[0].setdefault(segment, [{}, None, None, None])
        node[3] = payload

    for i, template in enumerate(templates(size)):
        insert(template, i)
    for template in STATIC:
        insert(template, template)

    def match(path: str) -> tuple[Any, dict[str, str]] | None:
        node = root
        params = {}
        for segment in path.split("/"):
            child = node[0].get(segment)
            if child is None:
                child = node[2]
                if child is None:
                    return None
                params[node[1]] = segment
            node = child
        payload = node[3]
        if payload is None:
            return None
        return payload, params

    def run(path: str, n: int) -> int:
        start = time.perf_counter_ns()
        for _ in repeat(None, n):
            match(path)
        return time.perf_counter_ns() - start

    return run, match


# -- microapi_router ------------------------------------------------------------------------


def microapi_runner(size: int) -> tuple[Runner, Callable[[str], Any]]:
    router: Router[object] = Router()
    for i, template in enumerate(templates(size)):
        router.add("GET", template, i)
    for template in STATIC:
        router.add("GET", template, template)
    match = router.match

    def check(path: str) -> Any:
        result = match("GET", path)
        return (result.payload, result.params) if isinstance(result, Match) else None

    def run(path: str, n: int) -> int:
        start = time.perf_counter_ns()
        for _ in repeat(None, n):
            match("GET", path)
        return time.perf_counter_ns() - start

    return run, check


# -- Starlette ------------------------------------------------------------------------------


def starlette_runner(size: int) -> tuple[Runner, Callable[[str], Any]]:
    from starlette.responses import PlainTextResponse
    from starlette.routing import Match as StarletteMatch
    from starlette.routing import Route as StarletteRoute

    def endpoint(request: Any) -> PlainTextResponse:
        return PlainTextResponse("")

    routes = [
        StarletteRoute(t, endpoint, methods=["GET"], name=str(i))
        for i, t in enumerate(templates(size))
    ]
    routes += [StarletteRoute(t, endpoint, methods=["GET"], name=t) for t in STATIC]
    # The static route must precede `/r0/items/{id}` for Starlette, which matches in list order.
    routes.insert(0, routes.pop())
    full = StarletteMatch.FULL

    def match(scope: dict[str, Any]) -> Any:
        for route in routes:
            kind, child = route.matches(scope)
            if kind is full:
                return child
        return None

    def scope(path: str) -> dict[str, Any]:
        return {"type": "http", "method": "GET", "path": path, "root_path": ""}

    def check(path: str) -> Any:
        for route in routes:
            kind, child = route.matches(scope(path))
            if kind is full:
                name = route.name
                return (int(name) if name.isdigit() else name), child["path_params"]
        return None

    def run(path: str, n: int) -> int:
        s = scope(path)
        start = time.perf_counter_ns()
        for _ in repeat(None, n):
            match(s)
        return time.perf_counter_ns() - start

    return run, check


# -- Werkzeug -------------------------------------------------------------------------------


def werkzeug_runner(size: int) -> tuple[Runner, Callable[[str], Any]]:
    from werkzeug.exceptions import NotFound as WerkzeugNotFound
    from werkzeug.routing import Map, Rule

    def convert(template: str) -> str:
        return template.replace("{", "<").replace("}", ">")

    rules = [Rule(convert(t), endpoint=i, methods=["GET"]) for i, t in enumerate(templates(size))]
    rules += [Rule(t, endpoint=t, methods=["GET"]) for t in STATIC]
    adapter = Map(rules).bind("localhost")
    match = adapter.match

    def check(path: str) -> Any:
        try:
            return match(path, method="GET")
        except WerkzeugNotFound:
            return None

    def run(path: str, n: int) -> int:
        start = time.perf_counter_ns()
        for _ in repeat(None, n):
            try:  # noqa: SIM105 (contextlib.suppress is slower)
                match(path, method="GET")
            except WerkzeugNotFound:
                pass
        return time.perf_counter_ns() - start

    return run, check


# -- Falcon ---------------------------------------------------------------------------------


def falcon_runner(size: int) -> tuple[Runner, Callable[[str], Any]]:
    from falcon.routing import CompiledRouter

    class Resource:
        def __init__(self, payload: object) -> None:
            self.payload = payload

        def on_get(self, req: Any, resp: Any, **params: str) -> None:
            pass

    router = CompiledRouter()
    for i, template in enumerate(templates(size)):
        router.add_route(template, Resource(i))
    for template in STATIC:
        router.add_route(template, Resource(template))
    find = router.find
    find("/")  # compile now, not in the timed loop

    def check(path: str) -> Any:
        found: Any = find(path)
        return None if found is None else (found[0].payload, found[2])

    def run(path: str, n: int) -> int:
        start = time.perf_counter_ns()
        for _ in repeat(None, n):
            find(path)
        return time.perf_counter_ns() - start

    return run, check


# -- the harness ----------------------------------------------------------------------------

CONTENDERS: dict[str, Callable[[int], tuple[Runner, Callable[[str], Any]]]] = {
    "floor": floor_runner,
    "microapi": microapi_runner,
    "Starlette": starlette_runner,
    "Werkzeug": werkzeug_runner,
    "Falcon": falcon_runner,
}


def calibrate(run: Runner, path: str, batch_ns: int) -> int:
    """How many iterations make one batch last at least `batch_ns`."""
    n = 1
    while True:
        elapsed = run(path, n)
        if elapsed >= batch_ns:
            return n
        n = max(n * 2, int(n * batch_ns * 1.1 / max(elapsed, 1)))


Cell = tuple[int, str]  # (routes, contender)


def measure(
    runners: dict[Cell, Runner], paths_of: dict[int, str], rounds: int, batch_ns: int
) -> dict[Cell, float]:
    """ns per call of each (size, contender): the best batch over `rounds` rounds.

    Every size and contender takes its turn within each round, so a noisy neighbour or a change
    of clock speed hits them alike, and sizes compare as fairly as contenders.
    """
    counts = {cell: calibrate(run, paths_of[cell[0]], batch_ns) for cell, run in runners.items()}
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(rounds):
        for cell, run in runners.items():
            count = counts[cell]
            best[cell] = min(best[cell], run(paths_of[cell[0]], count) / count)
    return best


PACKAGES = {"Starlette": "starlette", "Werkzeug": "werkzeug", "Falcon": "falcon"}


def installed(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def expected(size: int, kind: str) -> tuple[Any, dict[str, str]] | None:
    return {
        "first": (0, {"id": "42"}),
        "middle": (size // 2, {"id": "42"}),
        "last": (size - 1, {"id": "42"}),
        "miss": None,
    }[kind]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--all", action="store_true", help="do not skip Starlette and Falcon at 10,000 routes"
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--rounds", type=int, default=7, help="batches per contender and path")
    parser.add_argument("--batch-ms", type=int, default=10, help="minimum length of a batch")
    parser.add_argument("--only", nargs="*", choices=list(CONTENDERS), help="these contenders")
    args = parser.parse_args()

    began = time.perf_counter()
    contenders = {n: make for n, make in CONTENDERS.items() if not args.only or n in args.only}
    runners: dict[Cell, Runner] = {}
    skipped: dict[Cell, str] = {}
    for size in args.sizes:
        for name, make in contenders.items():
            if size >= SKIP_AT.get(name, size + 1) and not args.all:
                skipped[size, name] = "skipped"
                continue
            try:
                run, check = make(size)
            except ImportError:
                skipped[size, name] = "not installed"
                continue
            for kind, path in paths(size).items():
                got = check(path)
                if got != expected(size, kind):
                    raise SystemExit(f"{name} at {size} routes matched {path!r} as {got!r}")
            runners[size, name] = run
    results: dict[tuple[int, str, str], float] = {}
    for kind in ("first", "middle", "last", "miss"):
        gc.collect()
        paths_of = {size: paths(size)[kind] for size in args.sizes}
        timed = measure(runners, paths_of, args.rounds, args.batch_ms * 1_000_000)
        for (size, name), value in timed.items():
            results[size, kind, name] = value

    names = list(contenders)
    versions = {
        "microapi-router": version("microapi-router"),
        **{name: installed(package) for name, package in PACKAGES.items() if name in names},
    }
    print(
        f"Python {sys.version.split()[0]} ({platform.python_implementation()}), "
        f"{platform.machine()}, {cpu_name()}, {os.cpu_count()} CPUs"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print()
    print("ns per match (lower is better); `x floor` is microapi / floor")
    print()
    with_ratio = "floor" in names and "microapi" in names
    header = ["routes", "path", *names, *(["x floor"] if with_ratio else [])]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if i > 1 else "---" for i in range(len(header))) + "|")
    for size in args.sizes:
        for kind in paths(size):
            cells = [
                skipped[size, name]
                if (size, name) in skipped
                else f"{results[size, kind, name]:,.0f}"
                for name in names
            ]
            if with_ratio:
                ratio = results[size, kind, "microapi"] / results[size, kind, "floor"]
                cells.append(f"{ratio:.2f}")
            print(f"| {size:,} | {kind} | " + " | ".join(cells) + " |")
    if len(args.sizes) > 1:
        small, large = min(args.sizes), max(args.sizes)
        print()
        print(f"flatness: ns at {large:,} routes / ns at {small:,} routes")
        for name in names:
            if (small, name) in runners and (large, name) in runners:
                ratios = [
                    f"{kind} {results[large, kind, name] / results[small, kind, name]:.2f}"
                    for kind in ("first", "middle", "last", "miss")
                ]
                print(f"  {name}: " + ", ".join(ratios))
    print()
    print(f"total {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
