"""The first example MicroAPI was described with, run as written (untyped on purpose)."""

# mypy: disable-error-code="no-untyped-def"

from microapi import Depends, MicroAPI
from microapi.background import BackgroundTasks
from microapi.testing import TestClient

events: list[str] = []
app = MicroAPI()


@app.add_middleware
async def before_after(request, call_next):
    events.append("before")
    response = await call_next(request)
    events.append("after")
    return response


def get_db():
    events.append("db open")
    yield {"users": {"1": "ada"}}
    events.append("db close")


def notify(user_id):
    events.append(f"notified {user_id}")


@app.get("/users/{id}")
async def get_user(request, background_tasks: BackgroundTasks):
    user_id = request.path_params["id"]
    background_tasks.add(notify, user_id)
    return {"id": user_id}


@app.get("/names/{id}")
def get_name(request, db=Depends(get_db)):
    return {"name": db["users"].get(request.path_params["id"])}


def test_seed_example_runs_as_written() -> None:
    with TestClient(app) as client:
        assert client.get("/users/1").json() == {"id": "1"}
        assert events == ["before", "after", "notified 1"]
        events.clear()
        assert client.get("/names/1").json() == {"name": "ada"}
        assert events == ["before", "db open", "db close", "after"]
