"""`JSONFormatter`: one JSON object per line, with the access line's fields and tracebacks."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from microapi.testing import TestClient
from microapi_contrib import JSONFormatter

from tests.contrib.access_log_app import make_app


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """`microapi.access` and `microapi.errors` written through a JSONFormatter to a buffer."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(JSONFormatter())
    loggers = [logging.getLogger(name) for name in ("microapi.access", "microapi.errors")]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        yield output
    finally:
        for logger, (level, propagate) in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


def entries(output: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def record(msg: str = "hello %s", *args: object, **attributes: Any) -> logging.LogRecord:
    made = logging.LogRecord("app.worker", logging.WARNING, __file__, 1, msg, args, None)
    made.__dict__.update(attributes)
    return made


def test_an_access_line_as_one_object_with_its_fields(stream: io.StringIO) -> None:
    with TestClient(make_app()) as client:
        response = client.get("/items/7?full=true", headers={"x-request-id": "req-1"})
    [entry] = entries(stream)
    assert response.headers["x-request-id"] == "req-1"
    duration = entry.pop("duration_ms")
    moment = datetime.fromisoformat(entry.pop("time"))
    message = entry.pop("message")
    assert entry == {
        "level": "INFO",
        "logger": "microapi.access",
        "method": "GET",
        "path": "/items/7",
        "query": "full=true",
        "status": 200,
        "client": "testclient:50000",
        "request_id": "req-1",
        "error": None,
        "complete": True,
    }
    assert message.startswith('testclient:50000 "GET /items/7?full=true" 200 ')
    assert isinstance(duration, float)
    assert moment.tzinfo is not None
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60


def test_a_failed_request_the_traceback_once_as_a_string(stream: io.StringIO) -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        client.get("/boom")
    error, access = entries(stream)  # core reports while answering; the line comes after
    assert (error["logger"], error["level"]) == ("microapi.errors", "ERROR")
    assert error["message"] == "unhandled ValueError in GET /boom"
    assert error["exception"].startswith("Traceback (most recent call last):\n")
    assert error["exception"].rstrip().endswith("ValueError: handler failed")
    assert (access["logger"], access["status"], access["error"]) == (
        "microapi.access",
        500,
        "ValueError",
    )
    assert "exception" not in access
    assert stream.getvalue().count("Traceback") == 1


def test_every_record_is_exactly_one_line() -> None:
    text = JSONFormatter().format(record("two\nlines and a \x1b escape, é, \u2028"))
    assert "\n" not in text
    assert text.isascii()
    assert json.loads(text)["message"] == "two\nlines and a \x1b escape, é, \u2028"


def test_without_the_access_fields_only_the_basics() -> None:
    made = record("hello %s", "world", something_else=1)
    made.created = datetime(2025, 1, 31, 12, 0, 0, 123456, tzinfo=UTC).timestamp()
    assert json.loads(JSONFormatter().format(made)) == {
        "time": "2025-01-31T12:00:00.123+00:00",
        "level": "WARNING",
        "logger": "app.worker",
        "message": "hello world",
    }


def test_fields_of_your_own_and_values_json_cannot_hold() -> None:
    formatter = JSONFormatter(fields=(*JSONFormatter.ACCESS_FIELDS, "user", "when", "ratio"))
    made = record(user={"id": 3}, when=datetime(2025, 1, 31, tzinfo=UTC), status=201)
    assert json.loads(formatter.format(made)) | {"time": "-"} == {
        "time": "-",
        "level": "WARNING",
        "logger": "app.worker",
        "message": "hello %s",
        "status": 201,
        "user": {"id": 3},
        "when": "2025-01-31 00:00:00+00:00",
    }
    odd = json.loads(formatter.format(record(ratio=float("nan"), user={"x": float("inf")})))
    assert (odd["ratio"], odd["user"]) == ("nan", "{'x': inf}")
    # The basic keys cannot be overwritten by an attribute of the same name.
    clash = JSONFormatter(fields=("level", "logger"))
    assert json.loads(clash.format(record(level="fake")))["level"] == "WARNING"


def test_exception_and_stack_from_any_logger() -> None:
    formatter = JSONFormatter()
    try:
        raise KeyError("missing")
    except KeyError:
        made = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    made.stack_info = "Stack (most recent call last):\n  here"
    entry = json.loads(formatter.format(made))
    assert entry["exception"].endswith("KeyError: 'missing'")
    assert "raise KeyError" in entry["exception"]
    assert entry["stack"] == "Stack (most recent call last):\n  here"
    assert made.exc_text == entry["exception"]  # cached for other handlers, as stdlib does


def test_configured_with_dict_config(tmp_path: Path) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "microapi_contrib.JSONFormatter"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(tmp_path / "app.log"),
                    "formatter": "json",
                }
            },
            "loggers": {"test.dictconfig": {"handlers": ["file"], "level": "INFO"}},
        }
    )
    logger = logging.getLogger("test.dictconfig")
    try:
        logger.info("configured")
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    [line] = (tmp_path / "app.log").read_text().splitlines()
    assert json.loads(line)["message"] == "configured"
