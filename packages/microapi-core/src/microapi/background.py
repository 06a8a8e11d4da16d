"""Work to do after the response has been sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from microapi_di import CallKind, call_kind

from ._naming import qualified_name

logger = logging.getLogger("microapi.background")


class BackgroundTasks:
    """Functions to run, in the order added, once the response is on the wire.

    Coroutine functions run on the event loop; plain functions run in a worker
    thread of the app's background pool (`MicroAPI(background_threads=...)`), never one that
    request handling needs. A task that raises is logged with its traceback and the tasks
    after it still run. With `MicroAPI(background_timeout=...)`, a task running longer is
    cancelled and logged (a plain function cannot be stopped: its thread is abandoned to it),
    and the next one runs. Shutdown waits for running tasks at most
    `MicroAPI(shutdown_timeout=...)`, then cancels them (see the README's threading model).
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

    async def run(
        self,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
        timeout: float | None = None,  # noqa: ASYNC109 (one timeout per task, not for the run)
        counter: RunningCount | None = None,
    ) -> None:
        """Run every task in order; failures and timeouts are logged, never raised.

        Plain functions go through `offload`; each task gets at most `timeout` seconds;
        `counter` counts the tasks running. A cancellation (shutdown) is logged and raised.
        """
        for fn, args, kwargs in self._tasks:
            sync = call_kind(fn) is not CallKind.CORO
            if counter is not None:
                counter.running += 1
            try:
                async with asyncio.timeout(timeout) as deadline:
                    if sync:
                        await offload(fn, *args, **kwargs)
                    else:
                        await fn(*args, **kwargs)
            except TimeoutError:
                if not deadline.expired():
                    logger.exception("background task %s failed", qualified_name(fn))
                else:
                    logger.error(
                        "background task %s timed out after %s s: %s",
                        qualified_name(fn),
                        timeout,
                        _ABANDONED if sync else "cancelled",
                    )
            except Exception:
                logger.exception("background task %s failed", qualified_name(fn))
            except asyncio.CancelledError:
                logger.warning(
                    "background task %s still running at shutdown: %s",
                    qualified_name(fn),
                    _ABANDONED if sync else "cancelled",
                )
                raise
            finally:
                if counter is not None:
                    counter.running -= 1


_ABANDONED = "abandoned (a plain function cannot be cancelled; its thread runs until it returns)"


class RunningCount:
    """How many background tasks are running now (`MicroAPI.background_running`)."""

    __slots__ = ("running",)

    def __init__(self) -> None:
        self.running = 0
