"""The app the access log and request id tests serve, and the access log records they read."""

from __future__ import annotations

import asyncio
import logging

import pytest
from microapi import HTTPException, MicroAPI, Request
from microapi_contrib import AccessLogMiddleware


def make_app(**options: object) -> MicroAPI:
    app = MicroAPI()
    app.add_middleware(AccessLogMiddleware(**options))  # type: ignore[arg-type]

    @app.get("/items/{item_id}")
    async def item(request: Request) -> dict[str, str]:
        return {"id": request.path_params["item_id"], "rid": request.state.request_id}

    @app.get("/slow")
    async def slow() -> str:
        await asyncio.sleep(0.05)
        return "done"

    @app.get("/boom")
    async def boom() -> None:
        raise ValueError("handler failed")

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418)

    @app.post("/upload")
    async def upload(request: Request) -> int:
        return len(await request.body())

    return app


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "microapi.access"]
