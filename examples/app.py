"""The example app served by `make run`: a small notes API backed by SQLite.

- `Database` is an app-scoped service: opened (and the schema created) at start-up, closed at
  shutdown.
- `transaction` is a request-scoped dependency: it commits when the handler succeeds and rolls
  back when it raises.
- Every write adds an audit line in a background task, after the response is sent.
- Route groups: the notes API under `/notes`, and an `/admin` group whose every route first
  runs the `require_admin` guard (an `x-admin-token` header matching `NOTES_ADMIN_TOKEN`).
- A scheduled job prunes audit lines older than 30 days, every hour while the app is started
  (in each server process: under several workers each runs it, which is harmless here).
- Contrib: an access log line per request, CORS for a front end on localhost:5173, and the
  introspection page at `/_debug`.
- A small front end (`examples/static/`: list the notes, add one) served with `app.static` at
  `/ui/index.html`.

The database file lives in `examples/data/` (or the folder named by `NOTES_DATA_DIR`).
"""

from __future__ import annotations

import hmac
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from microapi import Depends, HTTPException, MicroAPI, Request, Response, RouteGroup
from microapi.background import BackgroundTasks
from microapi_contrib import AccessLogMiddleware, CORSMiddleware, enable_introspection

logger = logging.getLogger("examples.notes")
STATIC_DIR = Path(__file__).resolve().parent / "static"
AUDIT_RETENTION = timedelta(days=30)

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at REAL NOT NULL, line TEXT NOT NULL);
"""


class Database:
    """The notes database: where it lives, and a way to open connections to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._admin = self.connect()
        self._admin.executescript(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.row_factory = sqlite3.Row
        return connection

    def close(self) -> None:
        self._admin.close()


def open_database() -> Iterator[Database]:
    """App-scoped: created at start-up, closed at shutdown."""
    folder = Path(os.environ.get("NOTES_DATA_DIR", Path(__file__).parent / "data"))
    folder.mkdir(parents=True, exist_ok=True)
    database = Database(folder / "notes.sqlite3")
    logger.info("opened %s", database.path)
    yield database
    database.close()
    logger.info("closed %s", database.path)


def transaction(db: Database) -> Iterator[sqlite3.Connection]:
    """Request-scoped: one connection and transaction per request; commit or roll back."""
    connection = db.connect()
    connection.execute("BEGIN")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")
    finally:
        connection.close()


Tx = Annotated[sqlite3.Connection, Depends(transaction)]


def audit(db: Database, line: str) -> None:
    """Background task: record a write after its response has been sent."""
    with db.connect() as connection:
        connection.execute("INSERT INTO audit (at, line) VALUES (?, ?)", (time.time(), line))


def prune_audit(db: Database) -> int:
    """Scheduled every hour: delete audit lines older than `AUDIT_RETENTION`; how many."""
    cutoff = time.time() - AUDIT_RETENTION.total_seconds()
    connection = db.connect()
    try:
        deleted: int = connection.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount
    finally:
        connection.close()
    if deleted:
        logger.info("pruned %d audit line(s) older than %s", deleted, AUDIT_RETENTION)
    return deleted


def note_id(request: Request) -> int:
    """The `{note_id}` path parameter as an int; anything else names no note."""
    raw = request.path_params["note_id"]
    if not raw.isdigit():
        raise HTTPException(404, f"no note {raw!r}")
    return int(raw)


def require_admin(request: Request) -> None:
    """Group dependency of `/admin`: the `x-admin-token` header must match the configured one."""
    expected = os.environ.get("NOTES_ADMIN_TOKEN", "change-me")
    given = request.headers.get("x-admin-token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "admin token required", headers={"www-authenticate": "Token"})


def notes_routes() -> RouteGroup:
    """The notes API: every route under `/notes`."""
    notes = RouteGroup("/notes", tags=["notes"])

    @notes.get("")
    async def list_notes(tx: Tx) -> list[dict[str, Any]]:
        rows = tx.execute("SELECT id, text FROM notes ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    @notes.post("", status_code=201)
    async def create_note(
        request: Request, tx: Tx, db: Database, tasks: BackgroundTasks
    ) -> dict[str, Any]:
        payload = await request.json()
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise HTTPException(422, 'expected a JSON object {"text": "..."}')
        cursor = tx.execute("INSERT INTO notes (text) VALUES (?)", (payload["text"],))
        tasks.add(audit, db, f"created note {cursor.lastrowid}")
        return {"id": cursor.lastrowid, "text": payload["text"]}

    @notes.get("/{note_id}")
    async def get_note(tx: Tx, id: int = Depends(note_id)) -> dict[str, Any]:
        row = tx.execute("SELECT id, text FROM notes WHERE id = ?", (id,)).fetchone()
        if row is None:
            raise HTTPException(404, f"no note {id}")
        return dict(row)

    @notes.delete("/{note_id}", status_code=204)
    async def delete_note(
        tx: Tx, db: Database, tasks: BackgroundTasks, id: int = Depends(note_id)
    ) -> None:
        if tx.execute("DELETE FROM notes WHERE id = ?", (id,)).rowcount == 0:
            raise HTTPException(404, f"no note {id}")
        tasks.add(audit, db, f"deleted note {id}")

    return notes


def admin_routes() -> RouteGroup:
    """Operator routes: each one runs `require_admin` before anything else."""
    admin = RouteGroup("/admin", dependencies=[Depends(require_admin)], tags=["admin"])

    @admin.get("/stats")
    async def stats(tx: Tx) -> dict[str, int]:
        (notes,) = tx.execute("SELECT count(*) FROM notes").fetchone()
        (lines,) = tx.execute("SELECT count(*) FROM audit").fetchone()
        return {"notes": notes, "audit_lines": lines}

    return admin


def create_app() -> MicroAPI:
    """Build the notes app; each call gives an independent app."""
    app = MicroAPI()
    app.registry.register(Database, open_database, scope="app")
    app.schedule(prune_audit, every=timedelta(hours=1))
    app.add_middleware(AccessLogMiddleware())
    app.add_middleware(
        CORSMiddleware(
            allow_origins=["http://localhost:5173", "http://127.0.0.1:5173"],
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["content-type"],
            expose_headers=["x-request-id", "x-process-time-ms"],
        )
    )

    @app.on_startup
    def announce(db: Database) -> None:
        logger.info("notes app ready on %s", db.path)

    @app.add_middleware
    async def timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Add how long the request took, in milliseconds, as a response header."""
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-process-time-ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        return response

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {
            "name": "MicroAPI notes",
            "try": ["/notes", "/notes/{note_id}", "/audit", "/admin/stats"],
        }

    @app.get("/audit")
    async def audit_log(tx: Tx) -> list[str]:
        return [row["line"] for row in tx.execute("SELECT line FROM audit ORDER BY id")]

    app.include(notes_routes())
    app.include(admin_routes())
    app.static("/ui", STATIC_DIR)
    enable_introspection(app, path="/_debug")
    return app


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
