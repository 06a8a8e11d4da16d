"""What route groups cost: a grouped route against the same route registered directly.

Two pairs, each measured side by side in interleaved rounds (medians of per-round ratios):

- nesting: `GET /a/b/c/items/42` on a route in three nested groups (`/a`, `/b`, `/c`) against
  the same full template registered on the app;
- dependencies: a route whose group runs `Depends(guard)` against the same route asking for
  `Depends(guard)` itself.

Both apps of a pair do the same work per request, so a ratio near 1.00 means groups are free.

Run: uv run --frozen --no-sync python benchmarks/groups.py [--rounds N] [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from microapi import Depends, MicroAPI, Request, RouteGroup

Call = Callable[[], Coroutine[Any, Any, None]]


def item(request: Request) -> dict[str, str]:
    return {"id": request.path_params["item_id"]}


def guard(request: Request) -> None:
    if "x-deny" in request.headers:
        raise RuntimeError("denied")


def nested_app() -> MicroAPI:
    a, b, c = RouteGroup("/a"), RouteGroup("/b"), RouteGroup("/c")
    c.get("/items/{item_id}")(_async(item))
    b.include(c)
    a.include(b)
    app = MicroAPI()
    app.include(a)
    return app


def direct_app() -> MicroAPI:
    app = MicroAPI()
    app.get("/a/b/c/items/{item_id}")(_async(item))
    return app


def group_dependency_app() -> MicroAPI:
    group = RouteGroup("/g", dependencies=[Depends(guard)])
    group.get("/items/{item_id}")(_async(item))
    app = MicroAPI()
    app.include(group)
    return app


def own_dependency_app() -> MicroAPI:
    app = MicroAPI()

    @app.get("/g/items/{item_id}")
    async def guarded(request: Request, _: Annotated[None, Depends(guard)]) -> dict[str, str]:
        return item(request)

    return app


def _async(fn: Callable[[Request], Any]) -> Callable[..., Any]:
    async def handler(request: Request) -> Any:
        return fn(request)

    return handler


def caller(app: MicroAPI, path: str) -> Call:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"bench")],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    async def call() -> None:
        await app(dict(scope), receive, send)

    return call


async def timed(call: Call, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - started) / calls


async def pair(name: str, grouped: MicroAPI, plain: MicroAPI, path: str, args: Any) -> None:
    await grouped.startup()
    await plain.startup()
    try:
        calls = {"grouped": caller(grouped, path), "plain": caller(plain, path)}
        ratios: list[float] = []
        times: dict[str, list[float]] = {"grouped": [], "plain": []}
        for round_ in range(args.rounds):
            order = ["grouped", "plain"] if round_ % 2 == 0 else ["plain", "grouped"]
            got = {key: await timed(calls[key], args.calls) for key in order}
            for key, value in got.items():
                times[key].append(value)
            ratios.append(got["grouped"] / got["plain"])
        median = statistics.median(ratios)
        plain_us = statistics.median(times["plain"]) * 1e6
        print(f"{name:<14} grouped / plain = {median:.3f}   (plain {plain_us:.2f} us/request)")
    finally:
        await grouped.shutdown()
        await plain.shutdown()


async def main(args: Any) -> None:
    print(f"route groups: {args.rounds} interleaved rounds x {args.calls} calls, medians")
    await pair("3-deep nesting", nested_app(), direct_app(), "/a/b/c/items/42", args)
    await pair("group Depends", group_dependency_app(), own_dependency_app(), "/g/items/7", args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--calls", type=int, default=3000)
    asyncio.run(main(parser.parse_args()))
