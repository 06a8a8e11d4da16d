"""The access log: one line per request, its fields, failures, and escaping."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

import httpx
import pytest
from microapi import Request, Response
from microapi.testing import TestClient

from tests.asgi import call_raw
from tests.contrib.access_log_app import access_records, make_app

CallNext = Callable[[Request], Awaitable[Response]]
LINE = re.compile(
    r'^testclient:50000 "(?P<method>[A-Z]+) (?P<target>\S+)" (?P<status>\d{3}|-) '
    r"(?P<ms>\d+\.\d\d)ms id=(?P<id>\S+)$"
)


def test_one_line_per_request_with_every_field(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    with TestClient(make_app()) as client:
        response = client.get("/items/7?full=true&x=1")
    [record] = access_records(caplog)
    assert record.levelno == logging.INFO
    line = LINE.match(record.getMessage())
    assert line is not None, record.getMessage()
    assert line["method"] == "GET"
    assert line["target"] == "/items/7?full=true&x=1"
    assert line["status"] == "200"
    assert line["id"] == response.headers["x-request-id"] == response.json()["rid"]
    fields = {key: getattr(record, key) for key in ("method", "path", "query", "status", "client")}
    assert fields == {
        "method": "GET",
        "path": "/items/7",
        "query": "full=true&x=1",
        "status": 200,
        "client": "testclient:50000",
    }
    assert record.request_id == line["id"]  # type: ignore[attr-defined]
    assert isinstance(record.duration_ms, float)  # type: ignore[attr-defined]
    assert record.exc_info is None


def test_duration_is_measured_in_milliseconds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    with TestClient(make_app()) as client:
        client.get("/slow")
    [record] = access_records(caplog)
    assert 50 <= record.duration_ms < 5000  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("DELETE", "/slow", 405), ("GET", "/teapot", 418)],
)
def test_requests_that_never_reach_a_handler_are_logged_too(
    caplog: pytest.LogCaptureFixture, method: str, path: str, status: int
) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    with TestClient(make_app()) as client:
        assert client.request(method, path).status_code == status
    [record] = access_records(caplog)
    assert record.status == status  # type: ignore[attr-defined]
    assert record.levelno == logging.INFO
    assert f'"{method} {path}" {status} ' in record.getMessage()


def test_a_failing_handler_logs_a_500_line_and_its_traceback_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
    [line] = access_records(caplog)
    assert line.levelno == logging.ERROR
    assert '"GET /boom" 500 ' in line.getMessage()
    assert line.error == "ValueError"  # type: ignore[attr-defined]
    assert line.exc_info is None  # the traceback is core's record, below
    [report] = [r for r in caplog.records if r.name == "microapi.errors"]
    assert report.exc_info is not None
    exc = report.exc_info[1]
    assert isinstance(exc, ValueError)
    assert exc.__traceback__ is not None
    assert caplog.text.count("raise ValueError") == 1
    assert caplog.text.count("Traceback (most recent call last)") == 1


def test_tracebacks_true_attaches_it_to_the_access_line_too(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    with TestClient(make_app(tracebacks=True), raise_server_exceptions=False) as client:
        client.get("/boom")
    [line] = access_records(caplog)
    assert line.levelno == logging.ERROR
    assert line.exc_info is not None
    [report] = [r for r in caplog.records if r.name == "microapi.errors"]
    assert report.exc_info is not None
    assert line.exc_info[1] is report.exc_info[1]  # the same exception, logged twice


def test_successful_lines_name_no_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    with TestClient(make_app()) as client:
        client.get("/items/1")
        client.get("/teapot")
    assert [r.error for r in access_records(caplog)] == [None, None]  # type: ignore[attr-defined]


def test_an_inner_middleware_error_reaches_the_access_log_as_its_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = make_app()

    @app.add_middleware
    async def broken(request: Request, call_next: CallNext) -> Response:
        raise KeyError("middleware bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/items/1")
    assert response.status_code == 500  # core's answer, made at the inner middleware
    assert "x-request-id" in response.headers  # so the access log still tags the response
    [line] = access_records(caplog)
    assert line.status == 500  # type: ignore[attr-defined]
    assert line.levelno == logging.ERROR
    assert line.exc_info is None
    assert line.error == "KeyError"  # type: ignore[attr-defined]
    [report] = [r for r in caplog.records if r.name == "microapi.errors"]
    assert report.exc_info is not None
    assert isinstance(report.exc_info[1], KeyError)  # logged once, by core
    assert caplog.text.count("Traceback (most recent call last)") == 1


def test_a_client_that_disconnects_is_logged_without_a_status(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    sent = asyncio.run(call_raw(make_app(), b"/upload", method="POST", disconnect=True))
    assert sent == []  # nobody to answer
    [line] = access_records(caplog)
    assert line.status is None  # type: ignore[attr-defined]
    assert '"POST /upload" - ' in line.getMessage()
    assert line.exc_info is None
    assert line.levelno == logging.INFO


def test_what_could_forge_a_log_line_is_escaped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    query = b'q=" 200 0.1ms id=x\n\x1b[31mfake'
    asyncio.run(call_raw(make_app(), b"/items/a%0Ab", query=query))
    [line] = access_records(caplog)
    message = line.getMessage()
    assert "\n" not in message
    assert "\x1b" not in message
    target = "/items/a%0Ab?q=\\x22 200 0.1ms id=x\\x0a\\x1b[31mfake"
    assert message.startswith(f'127.0.0.1:40000 "GET {target}" 200 ')
    assert line.path == "/items/a%0Ab"  # type: ignore[attr-defined]


def test_a_logger_of_your_own(caplog: pytest.LogCaptureFixture) -> None:
    mine = logging.getLogger("tests.contrib.my_access")
    caplog.set_level(logging.INFO, logger="tests.contrib.my_access")
    with TestClient(make_app(logger=mine)) as client:
        client.get("/items/1")
    with TestClient(make_app(logger="tests.contrib.by_name")) as client:
        caplog.set_level(logging.INFO, logger="tests.contrib.by_name")
        client.get("/items/2")
    assert [r.name for r in caplog.records if r.name.startswith("tests.contrib")] == [
        "tests.contrib.my_access",
        "tests.contrib.by_name",
    ]
    assert access_records(caplog) == []


def test_a_streamed_response_is_logged_once_its_body_is_final(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from collections.abc import AsyncIterator

    from microapi import MicroAPI
    from microapi.responses import StreamingResponse
    from microapi_contrib import AccessLogMiddleware

    caplog.set_level(logging.INFO, logger="microapi.access")
    app = MicroAPI()
    app.add_middleware(AccessLogMiddleware())
    logged_while_streaming: list[int] = []

    @app.get("/s")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"a"
            logged_while_streaming.append(len(access_records(caplog)))
            yield b"b"

        return StreamingResponse(chunks(), status_code=206)

    @app.get("/cut")
    async def cut() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"a"
            raise ValueError("cut")

        return StreamingResponse(chunks())

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/s")
        assert response.headers["x-request-id"]
        with pytest.raises(httpx.RemoteProtocolError):  # as a real client sees a cut stream
            client.get("/cut")
    assert logged_while_streaming == [0]  # not logged when call_next returned
    first, second = access_records(caplog)
    assert (first.status, first.complete) == (206, True)  # type: ignore[attr-defined]
    assert (second.status, second.complete) == (200, False)  # type: ignore[attr-defined]


def test_the_line_is_written_once_the_response_has_been_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from microapi.types import Message

    from tests.asgi import http_scope

    caplog.set_level(logging.INFO, logger="microapi.access")
    app = make_app()
    events: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            events.append(f"logged {record.status}")  # type: ignore[attr-defined]

    recorder = Recorder()
    logging.getLogger("microapi.access").addHandler(recorder)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        events.append(str(message["type"]))

    async def gone(message: Message) -> None:
        raise OSError("connection reset by peer")

    async def main() -> None:
        await app.startup()
        try:
            await app(http_scope("GET", b"/items/1"), receive, send)
            events.append("--")
            with pytest.raises(OSError, match="reset"):
                await app(http_scope("GET", b"/items/2"), receive, gone)
        finally:
            await app.shutdown()

    try:
        asyncio.run(main())
    finally:
        logging.getLogger("microapi.access").removeHandler(recorder)
    assert events == ["http.response.start", "http.response.body", "logged 200", "--", "logged 200"]
    sent, lost = access_records(caplog)
    assert sent.complete is True  # type: ignore[attr-defined]
    assert lost.complete is False  # type: ignore[attr-defined]


def test_a_line_no_handler_would_read_is_not_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the access logger above INFO, a 200 builds no line (nothing formatted or logged);
    a 500 at ERROR is still written."""
    from microapi_contrib import _access_log

    built: list[str] = []
    printable = _access_log._printable

    def counting(text: str) -> str:
        built.append(text)
        return printable(text)

    monkeypatch.setattr(_access_log, "_printable", counting)
    logger = logging.getLogger("tests.quiet_access")
    logger.setLevel(logging.ERROR)
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    logger.addHandler(handler)
    try:
        with TestClient(make_app(logger=logger), raise_server_exceptions=False) as client:
            assert client.get("/items/1").status_code == 200
            assert built == []
            assert client.get("/boom").status_code == 500
    finally:
        logger.removeHandler(handler)
    assert [record.status for record in records] == [500]  # type: ignore[attr-defined]
    assert built != []
