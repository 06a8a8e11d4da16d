"""Exceptions as responses: HTTPException, custom exception handlers, the generic 500, and
what is answered when teardowns fail.
"""

import logging
from collections.abc import Iterator
from typing import Annotated

import pytest
from microapi import (
    Depends,
    HTTPException,
    JSONResponse,
    MicroAPI,
    PlainTextResponse,
    Request,
    Response,
)
from microapi.testing import TestClient


class Boom(Exception):
    pass


class SmallBoom(Boom):
    pass


def failing_app(debug: bool = False) -> MicroAPI:
    app = MicroAPI(debug=debug)

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418, {"why": "short and stout"}, headers={"x-pot": "yes"})

    @app.get("/plain")
    async def plain() -> None:
        raise HTTPException(403)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret internals")

    @app.get("/ok")
    async def ok() -> str:
        return "ok"

    return app


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "microapi.errors"]


def test_http_exception_becomes_detail_json() -> None:
    with TestClient(failing_app()) as client:
        response = client.get("/teapot")
        assert response.status_code == 418
        assert response.json() == {"detail": {"why": "short and stout"}}
        assert response.headers["x-pot"] == "yes"
        assert client.get("/plain").json() == {"detail": "Forbidden"}


def test_unhandled_exception_is_a_generic_500_logged_with_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="microapi"),
        TestClient(failing_app(), raise_server_exceptions=False) as client,
    ):
        response = client.get("/crash")
        assert client.get("/ok").json() == "ok"
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert "secret" not in response.text
    (record,) = [r for r in caplog.records if r.name == "microapi.errors"]
    assert record.exc_info is not None
    assert "GET /crash" in record.getMessage()
    assert "secret internals" in caplog.text


def test_debug_mode_shows_the_traceback() -> None:
    with TestClient(failing_app(debug=True), raise_server_exceptions=False) as client:
        response = client.get("/crash")
    assert response.status_code == 500
    assert "Traceback" in response.text
    assert "RuntimeError: secret internals" in response.text


def test_custom_handler_matches_subclasses_most_specific_first() -> None:
    app = MicroAPI()

    @app.exception_handler(Boom)
    async def on_boom(request: Request, exc: Boom) -> JSONResponse:
        return JSONResponse({"boom": str(exc)}, status_code=409)

    def on_small(request: Request, exc: SmallBoom) -> PlainTextResponse:
        return PlainTextResponse(f"small {exc}", status_code=422)

    app.add_exception_handler(SmallBoom, on_small)

    @app.get("/big")
    async def big() -> None:
        raise Boom("big")

    @app.get("/small")
    async def small() -> None:
        raise SmallBoom("tiny")

    with TestClient(app) as client:
        assert client.get("/big").json() == {"boom": "big"}
        got = client.get("/small")
        assert (got.status_code, got.text) == (422, "small tiny")


def test_handler_for_http_exception_customises_404() -> None:
    app = MicroAPI()

    @app.exception_handler(HTTPException)
    def custom(request: Request, exc: HTTPException) -> PlainTextResponse:
        return PlainTextResponse(f"{exc.status_code} at {request.path}", exc.status_code)

    with TestClient(app) as client:
        got = client.get("/missing")
    assert (got.status_code, got.text) == (404, "404 at /missing")


def test_failing_exception_handler_ends_in_500() -> None:
    app = MicroAPI()

    @app.exception_handler(Boom)
    async def broken(request: Request, exc: Boom) -> JSONResponse:
        raise ValueError("handler bug")

    @app.get("/")
    async def handler() -> None:
        raise Boom()

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 500


def test_exception_handler_key_must_be_an_exception_class() -> None:
    app = MicroAPI()
    with pytest.raises(TypeError, match="exception class"):
        app.add_exception_handler(404, lambda r, e: None)  # type: ignore[arg-type,return-value]


def test_a_handler_for_exception_does_not_swallow_the_framework_answers() -> None:
    app = MicroAPI()

    @app.exception_handler(Exception)
    async def everything(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"caught": type(exc).__name__}, status_code=500)

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418)

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError("x")

    with TestClient(app) as client:
        assert client.get("/nope").status_code == 404
        assert client.post("/teapot").headers["allow"] == "GET, HEAD, OPTIONS"
        assert client.get("/teapot").status_code == 418
        assert client.get("/boom").json() == {"caught": "KeyError"}


def test_a_handler_for_exception_does_not_switch_off_the_traceback_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> Response:
        return Response(b"sorry", status_code=500)

    @app.exception_handler(LookupError)
    async def lookups(request: Request, exc: Exception) -> Response:
        return Response(b"not here", status_code=404)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    @app.get("/lookup")
    async def lookup() -> None:
        raise KeyError("k")

    with caplog.at_level(logging.ERROR, logger="microapi"), TestClient(app) as client:
        assert client.get("/crash").text == "sorry"
        assert client.get("/lookup").status_code == 404
    [record] = error_records(caplog)  # the 5xx, not the 404
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_failed_teardown_turns_into_500() -> None:
    app = MicroAPI()

    def commit() -> Iterator[None]:
        yield
        raise RuntimeError("commit failed")

    @app.post("/write")
    async def write(_: None = Depends(commit)) -> str:
        return "written"

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/write").status_code == 500


class IntegrityError(Exception):
    """A database refusing a write, as drivers raise it."""


def test_a_teardown_that_turns_the_handler_error_into_an_http_exception_is_answered() -> None:
    app = MicroAPI()
    events: list[str] = []

    def transaction() -> Iterator[None]:
        try:
            yield
        except IntegrityError as exc:
            events.append("rolled back")
            raise HTTPException(409, "that name is taken") from exc

    @app.post("/users")
    async def register(_: Annotated[None, Depends(transaction)]) -> None:
        raise IntegrityError("unique constraint failed")

    with TestClient(app) as client:
        response = client.post("/users")
    assert (response.status_code, response.json()) == (409, {"detail": "that name is taken"})
    assert events == ["rolled back"]


def test_a_failing_finally_after_an_http_exception_answers_the_handler_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()
    events: list[str] = []

    def outer() -> Iterator[None]:
        try:
            yield
        finally:
            events.append("outer closed")

    def broken_close() -> Iterator[None]:
        try:
            yield
        finally:
            raise RuntimeError("close failed")

    @app.get("/teapot")
    async def teapot(
        _: Annotated[None, Depends(outer)], __: Annotated[None, Depends(broken_close)]
    ) -> None:
        raise HTTPException(418, "short and stout")

    with caplog.at_level(logging.ERROR, logger="microapi"), TestClient(app) as client:
        response = client.get("/teapot")
        assert client.get("/missing").status_code == 404  # the app goes on
    assert (response.status_code, response.json()) == (418, {"detail": "short and stout"})
    assert events == ["outer closed"]  # every teardown ran
    [record] = error_records(caplog)  # the teardown's error is logged, once
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_a_teardown_failing_after_a_successful_handler_is_a_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = MicroAPI()

    def commit_fails() -> Iterator[None]:
        yield
        raise RuntimeError("commit failed")

    @app.get("/")
    async def handler(_: Annotated[None, Depends(commit_fails)]) -> str:
        return "done"

    with caplog.at_level(logging.ERROR, logger="microapi"):
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/").status_code == 500
        with TestClient(app) as client, pytest.raises(RuntimeError, match="commit failed"):
            client.get("/")
    assert len(error_records(caplog)) == 2  # once per request


def test_the_outermost_deliberate_answer_wins_when_several_teardowns_raise() -> None:
    app = MicroAPI()

    def outer() -> Iterator[None]:
        try:
            yield
        except ValueError as exc:  # the handler's error is thrown into every generator
            raise HTTPException(503, "outer decided") from exc

    def inner() -> Iterator[None]:
        try:
            yield
        except ValueError as exc:
            raise HTTPException(409, "inner decided") from exc

    @app.get("/")
    async def handler(
        _: Annotated[None, Depends(outer)], __: Annotated[None, Depends(inner)]
    ) -> None:
        raise ValueError("bad")

    with TestClient(app) as client:
        response = client.get("/")
    assert (response.status_code, response.json()) == (503, {"detail": "outer decided"})
