"""The example app served by `make run`, exercised through the test client."""

import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from microapi.testing import TestClient

from examples.app import Database, create_app, prune_audit


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("NOTES_DATA_DIR", str(tmp_path))
    with TestClient(create_app()) as client:
        yield client


def test_create_read_delete_with_audit(client: TestClient, tmp_path: Path) -> None:
    assert (tmp_path / "notes.sqlite3").exists()
    created = client.post("/notes", json={"text": "buy milk"})
    assert created.status_code == 201
    note = created.json()
    assert client.get(f"/notes/{note['id']}").json() == note
    assert client.get("/notes").json() == [note]
    assert client.delete(f"/notes/{note['id']}").status_code == 204
    assert client.get(f"/notes/{note['id']}").status_code == 404
    assert client.get("/audit").json() == [
        f"created note {note['id']}",
        f"deleted note {note['id']}",
    ]


def test_failed_request_rolls_back(client: TestClient) -> None:
    assert client.post("/notes", json={"nope": 1}).status_code == 422
    json_type = {"content-type": "application/json"}
    assert client.post("/notes", content=b"{broken", headers=json_type).status_code == 400
    assert client.post("/notes", content=b'{"text": "x"}').status_code == 415
    assert client.post("/notes", json={"text": ""}).status_code == 422
    assert client.get("/notes").json() == []
    assert client.get("/audit").json() == []
    assert client.get("/notes/abc").status_code == 422
    assert client.get("/notes/0").status_code == 422
    assert client.get("/notes/99").status_code == 404


def test_contrib_is_wired_in(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/_debug").status_code == 404  # only with NOTES_DEBUG=1
    monkeypatch.setenv("NOTES_DEBUG", "1")
    with TestClient(create_app()) as debug:
        page = debug.get("/_debug?format=json").json()
    assert "/notes/{note_id}" in str(page)
    origin = {"origin": "http://localhost:5173"}
    listed = client.get("/notes", headers=origin)
    assert listed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-request-id" in listed.headers
    assert "access-control-allow-origin" not in client.get("/notes").headers


def test_the_admin_group_guards_every_route(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_ADMIN_TOKEN", "s3cret")
    client.post("/notes", json={"text": "one"})
    refused = client.get("/admin/stats")
    assert (refused.status_code, refused.json()) == (401, {"detail": "admin token required"})
    assert client.get("/admin/stats", headers={"x-admin-token": "wrong"}).status_code == 401
    allowed = client.get("/admin/stats", headers={"x-admin-token": "s3cret"})
    assert allowed.json() == {"notes": 1, "audit_lines": 1}


def test_old_audit_lines_are_pruned_every_hour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NOTES_DEBUG", "1")  # for the introspection page
    app = create_app()
    with TestClient(app) as client:
        [job] = app.jobs
        assert job.function == "examples.app:prune_audit"
        assert job.interval == 3600.0
        assert job.next_due is not None  # scheduled: start-up resolved its Database
        listed = client.get("/_debug?format=json").json()["jobs"]
        assert [row["function"] for row in listed] == ["examples.app:prune_audit"]
        check_pruning(client, tmp_path)


def check_pruning(client: TestClient, tmp_path: Path) -> None:
    """What the job does, called directly (an hour is too long to wait for)."""
    database = Database(tmp_path / "notes.sqlite3")
    now = time.time()
    day = 86400
    with closing(database.connect()) as connection:
        for age, line in [(31 * day, "old"), (30 * day + 60, "just too old"), (29 * day, "kept")]:
            connection.execute("INSERT INTO audit (at, line) VALUES (?, ?)", (now - age, line))
    assert client.post("/notes", json={"text": "fresh"}).status_code == 201
    assert prune_audit(database) == 2
    assert client.get("/audit").json() == ["kept", "created note 1"]
    assert prune_audit(database) == 0
    database.close()


def test_notes_are_listed_a_page_at_a_time(client: TestClient) -> None:
    ids = [client.post("/notes", json={"text": f"note {i}"}).json()["id"] for i in range(5)]
    page = client.get("/notes?limit=2&offset=1").json()
    assert [note["id"] for note in page] == ids[1:3]
    assert client.get("/notes?limit=0").status_code == 422
    assert client.get("/notes?limit=101").status_code == 422
    assert client.get("/notes?offset=-1").status_code == 422
    assert len(client.get("/notes").json()) == 5


def test_the_api_describes_itself_and_reports_health(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"] == {"title": "MicroAPI notes", "version": "1.0"}
    assert set(document["paths"]["/notes"]) == {"get", "post"}
    assert document["paths"]["/notes"]["get"]["tags"] == ["notes"]
    assert "<html" in client.get("/docs").text.lower()
    assert client.get("/health/ready").json()["status"] == "ok"
