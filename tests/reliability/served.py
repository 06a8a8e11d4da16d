"""The app real servers run in the soak and server tests: `tests.reliability.served:app`.

Routes cover each kind of work: static, dynamic, dependency with a request-scoped service, and
background tasks (one of which hangs, on `/hang`). When `MICROAPI_RELIABILITY_MARKERS` names a
directory, start-up and shutdown each leave a file there (`startup-<pid>`, `shutdown-<pid>`) so a
test can see the lifespan ran in every worker.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from microapi import Depends, MicroAPI, Request
from microapi.background import BackgroundTasks

MARKERS_ENV = "MICROAPI_RELIABILITY_MARKERS"
REQUEST_ID = "x-request-id"


class TaskLedger:
    """Counts finished background tasks; app-scoped, so one per worker process."""

    def __init__(self) -> None:
        self.done = 0
        self._lock = threading.Lock()

    def record(self) -> None:
        """A sync task: runs in a worker thread, hence the lock."""
        with self._lock:
            self.done += 1

    async def record_later(self) -> None:
        """An async task that lets other requests run before it counts."""
        await asyncio.sleep(0)
        self.record()


class RequestContext:
    """A request-scoped service holding the id the client sent."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id


async def request_context(request: Request) -> AsyncIterator[RequestContext]:
    """The request's context, set up and torn down around its handler."""
    context = RequestContext(request.headers.get(REQUEST_ID, ""))
    await asyncio.sleep(0)  # let other requests interleave between set-up and use
    yield context
    context.request_id = "closed"


async def seen_id(context: RequestContext) -> str:
    """What the request-scoped service holds, read through a dependency."""
    await asyncio.sleep(0)
    return context.request_id


async def hang_forever() -> None:
    """A background task that never finishes on its own."""
    await asyncio.Event().wait()


def create_app(markers: Path | None = None) -> MicroAPI:
    """A fresh app; `markers` is where the lifespan hooks leave their files.

    Shutdown waits 2 s for running background tasks (the hung one on `/hang`), then cancels.
    """
    app = MicroAPI(shutdown_timeout=2.0)
    app.registry.register(TaskLedger, TaskLedger, scope="app")
    app.registry.register(RequestContext, request_context, scope="request")
    _routes(app)
    if markers is not None:
        _marker_hooks(app, markers)
    return app


def _routes(app: MicroAPI) -> None:
    @app.get("/")
    async def index() -> dict[str, str]:
        return {"service": "reliability"}

    @app.get("/items/{item_id}")
    async def item(request: Request) -> dict[str, str]:
        return {"item": request.path_params["item_id"]}

    @app.get("/whoami")
    async def whoami(
        context: RequestContext, seen: Annotated[str, Depends(seen_id)]
    ) -> dict[str, str]:
        return {"seen": seen, "service": context.request_id}

    @app.post("/tasks")
    async def schedule(tasks: BackgroundTasks, ledger: TaskLedger) -> dict[str, int]:
        tasks.add(ledger.record_later)
        tasks.add(ledger.record)
        return {"queued": 2}

    @app.get("/tasks")
    async def finished(ledger: TaskLedger) -> dict[str, int]:
        return {"done": ledger.done}

    @app.get("/hang")
    async def hang(tasks: BackgroundTasks) -> str:
        tasks.add(hang_forever)
        return "answered; a task now hangs"

    @app.get("/worker")
    async def worker() -> dict[str, int]:
        return {"pid": os.getpid()}


def _marker_hooks(app: MicroAPI, markers: Path) -> None:
    @app.on_startup
    def started() -> None:
        (markers / f"startup-{os.getpid()}").write_text("started")

    @app.on_shutdown
    def stopped() -> None:
        (markers / f"shutdown-{os.getpid()}").write_text("stopped")


def _markers_from_env() -> Path | None:
    value = os.environ.get(MARKERS_ENV)
    return Path(value) if value else None


app = create_app(_markers_from_env())
