"""SPEC 8.3, streamed responses: `StreamingResponse`, and teardown following the body."""

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from microapi import BackgroundTasks, Depends, HTTPException, MicroAPI, Request, Response
from microapi.requests import BodyOutcome
from microapi.responses import StreamingResponse
from microapi.types import Message

from tests.asgi import Exchange, call, http_scope


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 10))


async def serve(app: MicroAPI, method: str = "GET", path: bytes = b"/s", **kw: Any) -> Exchange:
    await app.startup()
    try:
        return await call(app, http_scope(method, path), **kw)
    finally:
        await app.shutdown()


def bodies(exchange: Exchange) -> list[Message]:
    return [m for m in exchange.sent if m["type"] == "http.response.body"]


class Journal:
    """A request-scoped session that records commits and rollbacks."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def session(self) -> AsyncIterator[list[str]]:
        self.events.append("open")
        try:
            yield ["a", "b", "c"]
        except BaseException as error:
            self.events.append(f"rollback {type(error).__name__}")
            raise
        self.events.append("commit")


def test_chunks_are_sent_as_they_come_with_no_content_length() -> None:
    app = MicroAPI()
    seen: list[int] = []

    @app.get("/s")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for n in range(3):
                seen.append(n)
                yield b"%d" % n

        return StreamingResponse(chunks(), media_type="text/plain")

    sent: list[Message] = []

    async def record(message: Message) -> None:
        if message["type"] == "http.response.body":
            sent.append({**message, "produced": len(seen)})

    exchange = run(serve(app, send=record))
    assert exchange.status == 200
    assert b"content-length" not in exchange.headers
    assert exchange.headers[b"content-type"] == b"text/plain; charset=utf-8"
    # each chunk went out before the next was produced: never gathered
    assert [(m["body"], m["produced"], m.get("more_body", False)) for m in sent] == [
        (b"0", 1, True),
        (b"1", 2, True),
        (b"2", 3, True),
        (b"", 3, False),
    ]
    assert len(exchange.starts) == 1


def test_a_given_content_length_is_kept_and_str_chunks_are_encoded() -> None:
    app = MicroAPI()

    @app.get("/s")
    async def stream() -> StreamingResponse:
        return StreamingResponse(iter(["é", "!"]), headers={"content-length": "3"})

    exchange = run(serve(app))
    assert exchange.headers[b"content-length"] == b"3"
    assert exchange.body == "é!".encode()


def test_a_sync_iterable_is_advanced_in_a_worker_thread() -> None:
    app = MicroAPI()
    threads: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(2):
            threads.append(threading.get_ident())
            yield b"x"

    @app.get("/s")
    async def stream() -> StreamingResponse:
        return StreamingResponse(chunks())

    loop_thread: list[int] = []

    async def main() -> Exchange:
        loop_thread.append(threading.get_ident())
        return await serve(app)

    exchange = run(main())
    assert exchange.body == b"xx"
    assert threads
    assert loop_thread[0] not in threads


def test_head_sends_the_headers_only_and_never_iterates() -> None:
    app = MicroAPI()
    iterated: list[str] = []

    async def chunks() -> AsyncIterator[bytes]:
        iterated.append("started")
        yield b"x"

    @app.get("/s")
    async def stream() -> StreamingResponse:
        return StreamingResponse(chunks(), headers={"x-kind": "stream"})

    exchange = run(serve(app, "HEAD"))
    assert exchange.status == 200
    assert exchange.headers[b"x-kind"] == b"stream"
    assert exchange.body == b""
    assert iterated == []


def test_content_must_be_an_iterable_of_chunks() -> None:
    with pytest.raises(TypeError, match="iterable"):
        StreamingResponse(b"not chunks")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="iterable"):
        StreamingResponse(42)  # type: ignore[arg-type]


def test_middleware_reads_and_sets_status_and_headers_of_a_stream() -> None:
    app = MicroAPI()

    @app.get("/s")
    async def stream() -> StreamingResponse:
        return StreamingResponse(iter([b"x"]))

    @app.add_middleware
    async def tag(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        assert response.status_code == 200
        response.status_code = 203
        response.headers["x-seen"] = "yes"
        return response

    exchange = run(serve(app))
    assert exchange.status == 203
    assert exchange.headers[b"x-seen"] == b"yes"


# --- teardown follows the body ---------------------------------------------------------


def test_a_stream_reads_from_a_request_scoped_session_torn_down_after_the_last_chunk() -> None:
    journal = Journal()
    app = MicroAPI()

    @app.get("/s")
    async def stream(rows: Annotated[list[str], Depends(journal.session)]) -> StreamingResponse:
        async def chunks() -> AsyncIterator[str]:
            for row in rows:
                journal.events.append(f"send {row}")
                yield row

        return StreamingResponse(chunks())

    sent: list[str] = []

    async def record(message: Message) -> None:
        if message["type"] == "http.response.body":
            sent.append(
                f"{message['body']!r} {message.get('more_body', False)} {journal.events[-1]}"
            )

    exchange = run(serve(app, send=record))
    assert exchange.body == b"abc"
    assert journal.events == ["open", "send a", "send b", "send c", "commit"]
    # the final message went out after the commit
    assert sent[-1] == "b'' False commit"


def test_a_complete_response_is_still_torn_down_before_sending_and_a_failed_commit_is_a_500() -> (
    None
):
    app = MicroAPI()

    async def failing() -> AsyncIterator[int]:
        yield 1
        raise RuntimeError("commit failed")

    @app.get("/s")
    async def plain(n: Annotated[int, Depends(failing)]) -> dict[str, int]:
        return {"n": n}

    with pytest.raises(RuntimeError, match="commit failed"):
        run(_raising(app))


async def _raising(app: MicroAPI) -> Exchange:
    scope = http_scope("GET", b"/s")
    scope["extensions"] = {"microapi.raise_server_exceptions": {}}
    await app.startup()
    try:
        exchange = await call(app, scope)
    finally:
        await app.shutdown()
    return exchange


def test_a_failure_after_the_first_chunk_cuts_the_stream_and_rolls_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal()
    app = MicroAPI()
    ran: list[str] = []

    @app.get("/s")
    async def stream(
        rows: Annotated[list[str], Depends(journal.session)], tasks: BackgroundTasks
    ) -> StreamingResponse:
        tasks.add(ran.append, "task")

        async def chunks() -> AsyncIterator[bytes]:
            yield b"first"
            raise ValueError("boom mid-stream")

        return StreamingResponse(chunks())

    with caplog.at_level(logging.ERROR, logger="microapi.errors"):
        exchange = run(serve(app))
    assert len(exchange.starts) == 1
    assert exchange.status == 200
    assert [m.get("more_body") for m in bodies(exchange)] == [True]  # no final message
    assert journal.events == ["open", "rollback ValueError"]
    assert ran == []
    records = [r for r in caplog.records if r.exc_info and r.exc_info[1] is not None]
    assert len(records) == 1
    assert isinstance(records[0].exc_info[1], ValueError)  # type: ignore[index]


def test_a_disconnect_mid_stream_stops_closes_and_rolls_back() -> None:
    journal = Journal()
    app = MicroAPI()
    closed: list[str] = []
    ran: list[str] = []
    outcomes: list[BodyOutcome] = []

    @app.get("/s")
    async def stream(
        request: Request,
        rows: Annotated[list[str], Depends(journal.session)],
        tasks: BackgroundTasks,
    ) -> StreamingResponse:
        tasks.add(ran.append, "task")
        request.on_outcome(outcomes.append)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                yield b"first"
                await asyncio.Event().wait()  # a slow source: only a disconnect ends it
                yield b"never"
            finally:
                closed.append("finally")

        return StreamingResponse(chunks())

    async def main() -> Exchange:
        await app.startup()
        try:
            gone = asyncio.Event()
            messages: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]
            exchange = Exchange()

            async def receive() -> Message:
                if messages:
                    return messages.pop(0)
                await gone.wait()
                return {"type": "http.disconnect"}

            async def send(message: Message) -> None:
                exchange.sent.append(message)
                if message.get("body") == b"first":
                    gone.set()

            await app(http_scope("GET", b"/s"), receive, send)
            return exchange
        finally:
            await app.shutdown()

    exchange = run(main())
    assert [m.get("body") for m in bodies(exchange)] == [b"first"]
    assert closed == ["finally"]
    assert journal.events == ["open", "rollback ClientDisconnect"]
    assert ran == []
    assert len(outcomes) == 1
    assert outcomes[0].complete is False
    assert type(outcomes[0].error).__name__ == "ClientDisconnect"


def test_a_disconnect_closes_a_sync_iterator_too() -> None:
    app = MicroAPI()
    closed: list[str] = []
    gate = threading.Event()

    def chunks() -> Iterator[bytes]:
        try:
            yield b"first"
            gate.wait(5)
            yield b"second"
        finally:
            closed.append("finally")

    @app.get("/s")
    async def stream() -> StreamingResponse:
        return StreamingResponse(chunks())

    async def main() -> list[Message]:
        await app.startup()
        sent: list[Message] = []
        gone = asyncio.Event()
        first = [True]

        async def receive() -> Message:
            if first:
                first.clear()
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)
            if message.get("body") == b"first":
                gone.set()
                asyncio.get_running_loop().call_later(0.05, gate.set)

        try:
            await app(http_scope("GET", b"/s"), receive, send)
        finally:
            await app.shutdown()
        return sent

    sent = run(main())
    assert [m.get("body") for m in sent if m["type"] == "http.response.body"] == [b"first"]
    assert closed == ["finally"]


def test_a_stream_failing_before_its_first_chunk_is_answered_like_a_failed_handler() -> None:
    journal = Journal()
    app = MicroAPI()

    @app.get("/s")
    async def stream(rows: Annotated[list[str], Depends(journal.session)]) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            raise KeyError("before")
            yield b""  # pragma: no cover

        return StreamingResponse(chunks())

    @app.get("/h")
    async def http() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            raise HTTPException(409, "taken")
            yield b""  # pragma: no cover

        return StreamingResponse(chunks())

    exchange = run(serve(app))
    assert exchange.status == 500
    assert exchange.body == b'{"detail":"Internal Server Error"}'
    assert journal.events == ["open", "rollback KeyError"]
    exchange = run(serve(app, path=b"/h"))
    assert exchange.status == 409
    assert exchange.body == b'{"detail":"taken"}'


def test_a_teardown_failing_after_the_last_chunk_cuts_the_stream() -> None:
    app = MicroAPI()

    async def failing() -> AsyncIterator[int]:
        yield 1
        raise RuntimeError("commit failed")

    @app.get("/s")
    async def stream(n: Annotated[int, Depends(failing)]) -> StreamingResponse:
        return StreamingResponse(iter([b"x"]))

    @app.get("/empty")
    async def empty(n: Annotated[int, Depends(failing)]) -> StreamingResponse:
        return StreamingResponse(iter([]))

    exchange = run(serve(app))
    assert [m.get("more_body") for m in bodies(exchange)] == [True]
    # nothing was sent yet for an empty stream: the failed commit is still a 500
    exchange = run(serve(app, path=b"/empty"))
    assert exchange.status == 500


def test_background_tasks_run_after_a_body_that_completed() -> None:
    app = MicroAPI()
    order: list[str] = []

    @app.get("/s")
    async def stream(tasks: BackgroundTasks) -> StreamingResponse:
        tasks.add(order.append, "task")

        async def chunks() -> AsyncIterator[bytes]:
            order.append("chunk")
            yield b"x"

        return StreamingResponse(chunks())

    run(serve(app))
    assert order == ["chunk", "task"]


def test_the_outcome_is_recorded_for_every_response() -> None:
    app = MicroAPI()
    outcomes: list[BodyOutcome | None] = []

    @app.get("/plain")
    async def plain(request: Request) -> dict[str, str]:
        request.on_outcome(outcomes.append)
        outcomes.append(request.outcome)
        return {}

    @app.get("/s")
    async def stream(request: Request) -> StreamingResponse:
        request.on_outcome(outcomes.append)
        return StreamingResponse(iter([b"x"]), status_code=201)

    run(serve(app, path=b"/plain"))
    run(serve(app, path=b"/s"))
    assert outcomes == [None, BodyOutcome(200, True, None), BodyOutcome(201, True, None)]


def test_a_stream_can_echo_the_request_body_as_it_arrives() -> None:
    app = MicroAPI()

    @app.post("/echo")
    async def echo(request: Request) -> StreamingResponse:
        return StreamingResponse(request.stream())

    async def main() -> Exchange:
        await app.startup()
        try:
            scope = http_scope("POST", b"/echo", headers=[(b"content-length", b"6")])
            inbox: list[Message] = [
                {"type": "http.request", "body": b"abc", "more_body": True},
                {"type": "http.request", "body": b"def", "more_body": False},
            ]
            return await call(app, scope, inbox)
        finally:
            await app.shutdown()

    exchange = run(main())
    assert exchange.status == 200
    assert [m.get("body") for m in bodies(exchange)] == [b"abc", b"def", b""]


def test_a_stream_failing_before_its_first_chunk_keeps_what_middleware_added() -> None:
    from microapi.testing import TestClient

    app = MicroAPI()

    @app.add_middleware
    async def tag(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["x-request-id"] = "abc"
        response.headers["access-control-allow-origin"] = "http://a.example"
        return response

    @app.get("/conflict")
    async def conflict() -> StreamingResponse:
        def chunks() -> Iterator[bytes]:
            raise HTTPException(409, "taken")
            yield b""  # pragma: no cover - makes this a generator

        return StreamingResponse(chunks(), media_type="text/csv")

    with TestClient(app) as client:
        response = client.get("/conflict")
    assert (response.status_code, response.json()) == (409, {"detail": "taken"})
    assert response.headers["x-request-id"] == "abc"
    assert response.headers["access-control-allow-origin"] == "http://a.example"
    assert response.headers["content-type"] == "application/json"  # the answer's own


def test_a_sync_stream_reads_the_sync_session_of_its_plain_handler_on_its_thread() -> None:
    """SPEC 8.3: a stream may use a request-scoped session. A plain handler's sync generator
    dependency (sqlite3, which refuses other threads) is opened, read by the sync stream and
    closed on one worker thread: the request's."""
    import sqlite3

    from microapi.testing import TestClient

    app = MicroAPI()
    threads: dict[str, str] = {}

    def session() -> Iterator[sqlite3.Connection]:
        threads["setup"] = threading.current_thread().name
        connection = sqlite3.connect(":memory:")  # check_same_thread left on
        try:
            yield connection
        finally:
            connection.close()
            threads["teardown"] = threading.current_thread().name

    @app.get("/rows")
    def rows(db: Annotated[sqlite3.Connection, Depends(session)]) -> StreamingResponse:
        def lines() -> Iterator[str]:
            threads["stream"] = threading.current_thread().name
            for (value,) in db.execute("SELECT value FROM (SELECT 1 AS value UNION SELECT 2)"):
                yield f"{value}\n"

        return StreamingResponse(lines(), media_type="text/plain")

    with TestClient(app) as client:
        response = client.get("/rows")
    assert (response.status_code, response.text) == (200, "1\n2\n")
    assert threads["setup"] == threads["stream"] == threads["teardown"]
    assert threads["stream"].startswith("microapi-request")


def test_an_undeclared_body_the_watcher_read_first_still_reaches_the_stream() -> None:
    """A body sent without content-length or transfer-encoding (HTTP/2 may) that the
    disconnect watcher receives first is handed to the reader, not lost in a wait."""
    app = MicroAPI()

    @app.post("/echo")
    async def echo(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            await asyncio.sleep(0.01)  # the watcher receives the body message first
            yield await request.body()

        return StreamingResponse(chunks())

    scope = http_scope("POST", b"/echo")
    inbox = [{"type": "http.request", "body": b"abc", "more_body": False}]
    exchange = run(asyncio.wait_for(call(app, scope, inbox), timeout=5))
    assert exchange.status == 200
    assert exchange.body == b"abc"
