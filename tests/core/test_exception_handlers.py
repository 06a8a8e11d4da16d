"""HTTPException, custom exception handlers, and the generic 500."""

from __future__ import annotations

import logging

import pytest
from microapi import HTTPException, JSONResponse, MicroAPI, PlainTextResponse, Request
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
