"""The fuzzing budget and the started app every fuzz example is sent to."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, settings
from microapi import MicroAPI

from .apps import Ledger, fuzz_app

# Deterministic (derandomized, no example database) and bounded, so CI is fast and repeatable.
BUDGET = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
SMALL_BUDGET = settings(BUDGET, max_examples=100)
# Generous: one example takes milliseconds; this only turns a hang into a failure.
EXAMPLE_TIMEOUT = 10.0


@contextmanager
def started_fuzz_app() -> Iterator[tuple[MicroAPI, Ledger]]:
    """The fuzz app, started for the block and shut down after it."""
    ledger = Ledger()
    app = fuzz_app(ledger)
    asyncio.run(app.startup())
    try:
        yield app, ledger
    finally:
        asyncio.run(app.shutdown())
