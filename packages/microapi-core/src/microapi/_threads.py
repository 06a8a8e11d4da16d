"""Bounded pools of worker threads, and the per-request lane that keeps a request on one thread.

Two pools per app (`MicroAPI(request_threads=..., background_threads=...)`): request work
(sync handlers, sync dependencies, a sync generator's set-up and teardown) and background work
(sync background tasks, plain-function jobs). They share nothing, so hung background work
cannot take a thread request handling needs.

A pool holds at most `size` workers, each one daemon thread with its own queue, started on
first need. Work leases a whole worker: a request's `Lane` leases one on its first synchronous
step and keeps it until its dependencies are torn down, so a sync generator's set-up and
teardown run on the same thread (sqlite3 connections refuse to be used from another). When every
worker is leased, the next lease waits (first come, first served): the pool is the bound.

A worker whose call is abandoned (the awaiting task was cancelled: a timeout, shutdown) goes back
to the pool only when that call returns; one that never returns stays out, and its daemon thread
does not keep the process from exiting. Everything but the thread's own loop runs on the event
loop, so the bookkeeping needs no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

_STOP = None


class Worker:
    """One daemon thread running the calls given to it, one at a time, in order."""

    __slots__ = ("_jobs", "busy", "pool", "return_when_idle", "thread")

    def __init__(self, pool: ThreadPool, number: int) -> None:
        self.pool = pool
        self.busy = 0  # calls submitted and not yet answered on the loop
        self.return_when_idle = False
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.thread = threading.Thread(
            target=self._serve, name=f"{pool.name}-{number}", daemon=True
        )
        self.thread.start()

    def submit(self, fn: Callable[..., Any], args: Any, kwargs: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.busy += 1
        self.pool.trips += 1
        self._jobs.put((loop, future, contextvars.copy_context(), fn, args, kwargs))
        return future

    def stop(self) -> None:
        self._jobs.put(_STOP)

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            loop, future, context, fn, args, kwargs = job
            try:
                result, error = context.run(fn, *args, **kwargs), None
            except BaseException as exc:
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(self._answer, future, result, error)
            del job, future, result, error

    def _answer(
        self, future: asyncio.Future[Any], result: Any, error: BaseException | None
    ) -> None:
        self.busy -= 1
        if not future.done():
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
        if self.return_when_idle and not self.busy:
            self.return_when_idle = False
            self.pool.release(self)


class ThreadPool:
    """At most `size` workers, leased whole; `run` leases one for a single call."""

    def __init__(self, size: int, name: str) -> None:
        self.size = size
        self.name = name
        self.trips = 0  # calls sent to a thread so far (what a request's thread hops add up to)
        self._idle: list[Worker] = []
        self._all: list[Worker] = []
        self._waiters: deque[asyncio.Future[Worker]] = deque()

    @property
    def leased(self) -> int:
        """Workers leased now (including ones kept by a call that never returned)."""
        return len(self._all) - len(self._idle)

    async def lease(self) -> Worker:
        if self._idle:
            return self._idle.pop()
        if len(self._all) < self.size:
            worker = Worker(self, len(self._all) + 1)
            self._all.append(worker)
            return worker
        waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over just as we were cancelled
                self.release(waiter.result())
            raise

    def release(self, worker: Worker) -> None:
        """Give `worker` back: to the first waiter, else idle; later if a call still runs."""
        if worker.busy:
            worker.return_when_idle = True
            return
        if worker not in self._all:  # the pool was closed meanwhile
            worker.stop()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """`fn(*args, **kwargs)` on a leased worker; cancelling abandons the call (see above)."""
        worker = await self.lease()
        try:
            return await worker.submit(fn, args, kwargs)
        finally:
            self.release(worker)

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when given back. A new lease starts afresh."""
        for worker in self._idle:
            worker.stop()
        self._idle.clear()
        self._all.clear()
        for waiter in self._waiters:
            waiter.cancel()
        self._waiters.clear()


class Lane:
    """One request's offload: its synchronous steps, all on one leased worker.

    The worker is leased on the first step (a request with no synchronous step leases
    nothing) and given back by `release`, once the request's dependencies are torn down.
    """

    __slots__ = ("_pool", "worker")

    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool
        self.worker: Worker | None = None  # the leased worker, if any

    async def __call__(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        worker = self.worker
        if worker is None:
            worker = self.worker = await self._pool.lease()
        return await worker.submit(fn, args, kwargs)

    def release(self) -> None:
        worker = self.worker
        if worker is not None:
            self.worker = None
            self._pool.release(worker)


def pool_size(value: object, name: str) -> int:
    """A `MicroAPI(...)` thread count: an int of at least 1, or a clear error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a number of threads (an int), got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")
    return value
