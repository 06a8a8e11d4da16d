"""The example app served by `make run`: a small notes API backed by SQLite.

- `Database` is an app-scoped service: opened (and the schema created) at start-up, closed at
  shutdown.
- `transaction` is a request-scoped dependency: it commits when the handler succeeds and rolls
  back when it raises. The handlers that use it are plain functions, so a request's set-up, its
  handler and its commit run in one trip to one worker thread, never on the event loop (and on
  the thread that opened the connection, as sqlite3 requires).
- SQLite runs in WAL mode (readers never wait for the writer) with a busy timeout, so
  concurrent writers queue for the lock instead of failing with "database is locked".
- Every write adds an audit line in a background task, after the response is sent.
- Route groups: the notes API under `/notes`, and an `/admin` group whose every route first
  runs the `require_admin` guard (an `x-admin-token` header matching `NOTES_ADMIN_TOKEN`).
- A scheduled job prunes audit lines older than 30 days, every hour while the app is started
  (in each server process: under several workers each runs it, which is harmless here).
- Contrib: an access log line per request, CORS for a front end on localhost:5173, the
  introspection page at `/_debug` (only with `NOTES_DEBUG=1`), the OpenAPI document at
  `/openapi.json` with a docs page at `/docs`, and health checks at `/health/live` and
  `/health/ready`.
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
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import msgspec
from microapi import Depends, HTTPException, MicroAPI, Request, Response, RouteGroup
from microapi.background import BackgroundTasks
from microapi.params import Body, Query
from microapi_contrib import (
    AccessLogMiddleware,
    CORSMiddleware,
    enable_health,
    enable_introspection,
)
from microapi_contrib.openapi import enable_openapi

logger = logging.getLogger("examples.notes")
BUSY_TIMEOUT_S = 5.0  # how long a writer waits for the lock before "database is locked"
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
        self._admin.execute("PRAGMA journal_mode=WAL")  # persistent: set once for the file
        self._admin.executescript(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        """A connection for the calling thread (sqlite3 refuses it on any other)."""
        # `timeout` is SQLite's busy timeout: wait that long for a lock before failing.
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
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
    # Deferred: readers never lock; the write routes write first, so they wait for the lock
    # (the busy timeout) rather than fail to upgrade a read snapshot.
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
    connection = db.connect()
    try:
        connection.execute("INSERT INTO audit (at, line) VALUES (?, ?)", (time.time(), line))
    finally:
        connection.close()


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


@dataclass
class NewNote:
    """The body of `POST /notes`: decoded and validated before the handler runs."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]


@dataclass
class Note:
    """A stored note, as the API returns it."""

    id: int
    text: str


NoteId = Annotated[int, msgspec.Meta(ge=1)]
Limit = Annotated[int, Query(), msgspec.Meta(ge=1, le=100)]
Offset = Annotated[int, Query(), msgspec.Meta(ge=0)]


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
    def list_notes(tx: Tx, limit: Limit = 50, offset: Offset = 0) -> list[Note]:
        """List notes, oldest first, a page at a time (`?limit=&offset=`)."""
        rows = tx.execute(
            "SELECT id, text FROM notes ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
        ).fetchall()
        return [Note(row["id"], row["text"]) for row in rows]

    @notes.post("", status_code=201)
    def create_note(
        note: Annotated[NewNote, Body()], tx: Tx, db: Database, tasks: BackgroundTasks
    ) -> Note:
        """Add a note; an audit line is written after the response is sent."""
        cursor = tx.execute("INSERT INTO notes (text) VALUES (?)", (note.text,))
        note_id = cursor.lastrowid
        assert note_id is not None
        tasks.add(audit, db, f"created note {note_id}")
        return Note(note_id, note.text)

    @notes.get("/{note_id}")
    def get_note(tx: Tx, note_id: NoteId) -> Note:
        """One note by id."""
        row = tx.execute("SELECT id, text FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise HTTPException(404, f"no note {note_id}")
        return Note(row["id"], row["text"])

    @notes.delete("/{note_id}", status_code=204)
    def delete_note(tx: Tx, db: Database, tasks: BackgroundTasks, note_id: NoteId) -> None:
        """Delete a note; 404 when there is none."""
        if tx.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount == 0:
            raise HTTPException(404, f"no note {note_id}")
        tasks.add(audit, db, f"deleted note {note_id}")

    return notes


def admin_routes() -> RouteGroup:
    """Operator routes: each one runs `require_admin` before anything else."""
    admin = RouteGroup("/admin", dependencies=[Depends(require_admin)], tags=["admin"])

    @admin.get("/stats")
    def stats(tx: Tx) -> dict[str, int]:
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
    def audit_log(tx: Tx) -> list[str]:
        return [row["line"] for row in tx.execute("SELECT line FROM audit ORDER BY id")]

    app.include(notes_routes())
    app.include(admin_routes())
    app.static("/ui", STATIC_DIR)
    if os.environ.get("NOTES_DEBUG") == "1":  # it shows the app's insides: opt in
        enable_introspection(app, path="/_debug")
    enable_openapi(app, title="MicroAPI notes", version="1.0")  # /openapi.json and /docs
    enable_health(app)  # /health/live and /health/ready
    return app


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
