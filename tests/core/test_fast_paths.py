"""The request path's shortcuts give what the general code they stand for gives.

Each shortcut is checked against the general code it stands for on the hot path.
"""

from __future__ import annotations

from typing import Any

import pytest
from microapi import BackgroundTasks, Depends, MicroAPI
from microapi.responses import JSONResponse, json_response
from microapi.testing import TestClient


@pytest.mark.parametrize(
    "content", [{"hello": "world"}, [1, 2.5, None], "text", 0, None, {"é": ["ü", True]}]
)
@pytest.mark.parametrize("status", [200, 201, 202, 400, 418, 500])
def test_json_response_is_the_constructor_without_headers(content: Any, status: int) -> None:
    fast, general = json_response(content, status), JSONResponse(content, status_code=status)
    assert type(fast) is JSONResponse
    assert (fast.status_code, fast.body, fast.raw_headers) == (
        general.status_code,
        general.body,
        general.raw_headers,
    )
    fast.headers["x-edit"] = "1"  # its own header list, editable like any response's
    assert json_response(content, status).raw_headers == general.raw_headers


def test_json_response_refuses_non_finite_floats_like_the_constructor() -> None:
    with pytest.raises(ValueError, match="NaN"):
        json_response({"x": float("nan")})


def test_background_tasks_follow_the_plan_through_overrides() -> None:
    app = MicroAPI()
    ran: list[str] = []

    def plain() -> str:
        return "plain"

    def with_tasks(tasks: BackgroundTasks) -> str:
        tasks.add(ran.append, "override")
        return "with tasks"

    @app.get("/")
    async def handler(value: str = Depends(plain)) -> str:
        return value

    @app.get("/tasks")
    async def tasks_handler(tasks: BackgroundTasks) -> str:
        tasks.add(ran.append, "handler")
        return "ok"

    with TestClient(app) as client:
        assert client.get("/").json() == "plain"
        assert client.get("/tasks").json() == "ok"
        with app.override(plain, with_tasks):
            assert client.get("/").json() == "with tasks"
        assert client.get("/").json() == "plain"
    assert ran == ["handler", "override"]
