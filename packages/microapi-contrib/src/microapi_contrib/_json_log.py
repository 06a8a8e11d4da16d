"""`JSONFormatter`: stdlib log records as one JSON object per line, for log collectors."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

ACCESS_FIELDS = (
    "method",
    "path",
    "query",
    "status",
    "duration_ms",
    "client",
    "request_id",
    "error",
    "complete",
)
"""The `extra` attributes `AccessLogMiddleware` puts on its records."""


class JSONFormatter(logging.Formatter):
    """Format each record as one line of JSON.

    Every object has `time` (ISO 8601 in UTC, to the millisecond), `level`, `logger` and
    `message` (the formatted message). Then, for each name in `fields` the record has as an
    attribute, that attribute: by default the access log's fields (`ACCESS_FIELDS`: `method`,
    `path`, `query`, `status`, `duration_ms`, `client`, `request_id`, `error`, `complete`); pass
    `fields=(*JSONFormatter.ACCESS_FIELDS, "user_id")` to add `extra` fields of your own.
    `exception` is the traceback as one string when the record carries one (`exc_info`), and
    `stack` the stack when logged with `stack_info=True`.

    Newlines and control characters are escaped, so a record is always exactly one line; the
    output is ASCII (other characters as `\\uXXXX` escapes). A value JSON cannot represent is
    written as its `str()`, and so is a field holding NaN, an infinity or a cycle.
    """

    ACCESS_FIELDS = ACCESS_FIELDS

    def __init__(self, *, fields: Iterable[str] = ACCESS_FIELDS) -> None:
        super().__init__()
        self.fields = tuple(fields)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.fields:
            if name in record.__dict__ and name not in entry:
                entry[name] = record.__dict__[name]
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)  # cached, as stdlib does
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        try:
            return json.dumps(entry, default=str, allow_nan=False)
        except ValueError:  # NaN, an infinity or a cycle in an extra field: JSON has none
            fields = set(self.fields)
            safe = {key: str(value) if key in fields else value for key, value in entry.items()}
            return json.dumps(safe)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """`2025-01-31T12:00:00.123+00:00`, or `datefmt` applied to the UTC time if given."""
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        if datefmt is not None:
            return moment.strftime(datefmt)
        return moment.isoformat(timespec="milliseconds")
