"""An app with one scheduled job, for real servers: `tests.reliability.scheduled:app`.

Every 0.05 s the job appends the PID of the process running it to the file named by
`MICROAPI_JOB_PIDS`, so a test can see which server processes ran it.
"""

from __future__ import annotations

import os
from pathlib import Path

from microapi import MicroAPI

PIDS_ENV = "MICROAPI_JOB_PIDS"

app = MicroAPI(shutdown_timeout=2)


@app.every(0.05)
def record_pid() -> None:
    """A plain function (a worker thread); one short append is atomic with O_APPEND."""
    with Path(os.environ[PIDS_ENV]).open("a") as pids:
        pids.write(f"{os.getpid()}\n")


@app.get("/")
async def index() -> str:
    return "ok"
