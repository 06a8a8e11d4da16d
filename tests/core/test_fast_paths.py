"""The request path's shortcuts give what the general code they stand for gives.

Each shortcut is checked against the general code it stands for on the hot path.
"""

from __future__ import annotations

from microapi import BackgroundTasks, Depends, MicroAPI
from microapi.testing import TestClient


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
