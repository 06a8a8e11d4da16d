"""An app that writes its lifecycle events to the file named by `EVENTS_FILE`.

Served by a real uvicorn in `test_server.py`, so start-up, shutdown and service teardown are
observed from outside the server process.
"""

import os
from collections.abc import Iterator
from pathlib import Path

from microapi import BackgroundTasks, MicroAPI


def record(event: str) -> None:
    with Path(os.environ["EVENTS_FILE"]).open("a") as events:
        events.write(event + "\n")


class Resource:
    pass


def make_resource() -> Iterator[Resource]:
    record("service created")
    yield Resource()
    record("service torn down")


app = MicroAPI()
app.registry.register(Resource, make_resource, scope="app")
app.on_startup(lambda: record("startup hook"))
app.on_shutdown(lambda: record("shutdown hook"))


@app.get("/")
async def index(resource: Resource, tasks: BackgroundTasks) -> str:
    tasks.add(record, "background task")
    return type(resource).__name__
