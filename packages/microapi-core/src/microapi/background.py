"""Work to do after the response has been sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from microapi_di import CallKind, call_kind

from ._naming import qualified_name

logger = logging.getLogger("microapi.background")


class BackgroundTasks:
    """Functions to run, in the order added, once the response is on the wire.

    Coroutine functions run on the event loop; plain functions run in a worker
    thread so a slow one never blocks other requests. A task that raises is
    logged with its traceback and the tasks after it still run.
    """

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def add(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """Schedule `fn(*args, **kwargs)` to run after the response."""
        if not callable(fn):
            raise TypeError(f"background task must be callable, got {fn!r}")
        self._tasks.append((fn, args, kwargs))

    def __len__(self) -> int:
        return len(self._tasks)

    def __bool__(self) -> bool:
        return bool(self._tasks)

    async def run(self) -> None:
        """Run every task in order; failures are logged, never raised."""
        for fn, args, kwargs in self._tasks:
            try:
                if call_kind(fn) is CallKind.CORO:
                    await fn(*args, **kwargs)
                else:
                    await asyncio.to_thread(fn, *args, **kwargs)
            except Exception:
                logger.exception("background task %s failed", qualified_name(fn))
