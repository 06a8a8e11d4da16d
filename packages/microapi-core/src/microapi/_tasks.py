"""The background work of requests, once their responses are sent: run, counted, bounded.

The edge hands each request's `BackgroundTasks` here after the response is sent and returns,
so a server never waits on them to finish the request (uvicorn's graceful shutdown would wait
for them before the app's shutdown even began). One asyncio task per request runs its tasks in
the order added; the tasks of different requests run concurrently. Shutdown (`stop`) waits for
them at most the shutdown timeout, then cancels: a coroutine task's `finally` runs, a plain
function is abandoned to its thread, with a warning naming it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .background import BackgroundTasks, RunningCount

logger = logging.getLogger("microapi.background")


class BackgroundWork:
    """The running background work of one app."""

    def __init__(
        self, offload: Callable[..., Awaitable[Any]], timeout: float | None = None
    ) -> None:
        self.offload = offload
        self.timeout = timeout
        self.count = RunningCount()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> int:
        """Background tasks running now (queued ones behind them in their request excluded)."""
        return self.count.running

    def spawn(self, tasks: BackgroundTasks) -> asyncio.Task[None]:
        """Start running `tasks` (in order) on their own asyncio task, tracked until done."""
        task = asyncio.get_running_loop().create_task(
            tasks.run(self.offload, self.timeout, self.count), name="microapi background tasks"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_idle(self) -> None:
        """Return once no background work is running (what a test waits for)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def stop(self, timeout: float) -> None:  # noqa: ASYNC109 (two waits, as the scheduler's)
        """Wait up to `timeout` s for the running work, then cancel it and wait a little more."""
        pending = set(self._tasks)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=timeout)
        if pending:
            logger.warning(
                "cancelling the background tasks of %d request(s) still running %s s after "
                "shutdown began",
                len(pending),
                timeout,
            )
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=max(timeout, 1.0))
            if pending:
                logger.error("%d background task(s) ignored their cancellation", len(pending))
