"""Running an app for the length of a block, and checking that it left nothing behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from microapi import MicroAPI

from tests.asgi import other_tasks


@asynccontextmanager
async def serving(app: MicroAPI) -> AsyncIterator[MicroAPI]:
    """Start `app`, yield it, shut it down; then no task may be left on the loop."""
    await app.startup()
    try:
        yield app
    finally:
        await app.shutdown()
    assert not other_tasks(), f"tasks left pending: {other_tasks()}"


def error_records(messages: list[tuple[str, int, str]], logger: str) -> list[str]:
    """Messages logged at ERROR or above by `logger` (from `caplog.record_tuples`)."""
    return [message for name, level, message in messages if name == logger and level >= 40]
