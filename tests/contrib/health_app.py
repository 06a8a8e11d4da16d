"""An app with health endpoints and start-up work, served by uvicorn in the health tests."""

from __future__ import annotations

from microapi import MicroAPI
from microapi_contrib import enable_health

app = MicroAPI()
enable_health(app)


@app.on_startup
async def warm_up() -> None:
    """Start-up work, so the app needs lifespan (readiness then waits for it)."""


@app.get("/")
async def index() -> dict[str, str]:
    return {"hello": "world"}
