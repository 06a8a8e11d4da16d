"""Cost of a microapi_middleware chain against hand-nested closures (the floor).

1, 5 and 20 pass-through layers around an endpoint that echoes its request. Each call's coroutine
is driven with `send(None)` and no event loop, so only composition cost is measured. Variants run
side by side in interleaved rounds; the table shows medians and ratios to the floor.

Run: uv run --frozen --no-sync python benchmarks/middleware.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any

from microapi_middleware import CallNext, Pipeline

App = Callable[[int], Coroutine[Any, Any, int]]
LAYERS = (1, 5, 20)
ROUNDS = 51
BATCH_SECONDS = 0.005


async def endpoint(request: int) -> int:
    return request


async def passthrough(request: int, call_next: CallNext[int, int]) -> int:
    return await call_next(request)


def nested_closures(layers: int) -> App:
    """The floor: what one writes by hand, each layer an async closure built once."""
    app: App = endpoint
    for _ in range(layers):
        app = _closure(app)
    return app


def _closure(inner: App) -> App:
    async def layer(request: int) -> int:
        return await passthrough(request, inner)

    return layer


def unchecked_forwarding(layers: int) -> App:
    """A lower bound: sync closures handing back the coroutine, so no frame of their own."""
    call: Callable[[int], Any] = endpoint
    for _ in range(layers):
        call = _forward(call)
    return call


def _forward(inner: Callable[[int], Any]) -> Callable[[int], Any]:
    def layer(request: int) -> Any:
        return passthrough(request, inner)

    return layer


def fresh_call_next(layers: int) -> App:
    """The floor plus one fresh, unchecked `call_next` closure per layer per call.

    A lower bound for any composition that gives each pass its own `call_next`.
    """
    app: App = endpoint
    for _ in range(layers):
        app = _fresh(app)
    return app


def _fresh(inner: App) -> App:
    async def layer(request: int) -> int:
        def call_next(request: int) -> Coroutine[Any, Any, int]:
            return inner(request)

        return await passthrough(request, call_next)

    return layer


def pipeline(layers: int) -> App:
    chain: Pipeline[int, int] = Pipeline()
    for _ in range(layers):
        chain.add(passthrough)
    return chain.build(endpoint)


def checked_pipeline(layers: int) -> App:
    chain: Pipeline[int, int] = Pipeline(is_response=lambda value: isinstance(value, int))
    for _ in range(layers):
        chain.add(passthrough)
    return chain.build(endpoint)


VARIANTS: dict[str, Callable[[int], App]] = {
    "hand-nested closures (floor)": nested_closures,
    "fresh call_next, unchecked": fresh_call_next,
    "Pipeline()": pipeline,
    "Pipeline(is_response=...)": checked_pipeline,
    "unchecked sync forwarding": unchecked_forwarding,
}


def call(app: App, request: int) -> int:
    coroutine = app(request)
    try:
        coroutine.send(None)
    except StopIteration as stop:
        result: int = stop.value
        return result
    raise AssertionError("a pass-through chain never suspends")


def batch_size(app: App) -> int:
    """Calls per timed batch, so that one batch takes about BATCH_SECONDS."""
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < BATCH_SECONDS:
        call(app, 1)
        count += 1
    return max(count, 10)


def time_batch(app: App, count: int) -> float:
    """Nanoseconds per call over `count` calls."""
    started = time.perf_counter_ns()
    for _ in range(count):
        call(app, 1)
    return (time.perf_counter_ns() - started) / count


def measure(layers: int) -> dict[str, float]:
    apps = {name: build(layers) for name, build in VARIANTS.items()}
    for app in apps.values():
        assert call(app, 7) == 7
    sizes = {name: batch_size(app) for name, app in apps.items()}
    samples: dict[str, list[float]] = {name: [] for name in apps}
    names = list(apps)
    for round_index in range(ROUNDS):
        # Rotate the order every round so no variant always runs first.
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(time_batch(apps[name], sizes[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    print(f"microapi_middleware: pass-through layers, median of {ROUNDS} interleaved rounds")
    print()
    print("| layers | variant | per call | vs floor |")
    print("|---:|---|---:|---:|")
    for layers in LAYERS:
        medians = measure(layers)
        floor = medians["hand-nested closures (floor)"]
        for name, value in medians.items():
            print(f"| {layers} | {name} | {value / 1000:.2f} µs | {value / floor:.2f}x |")


if __name__ == "__main__":
    main()
