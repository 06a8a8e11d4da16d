"""Responses: media types, content-length, JSON conversion, cookies, header safety."""

from __future__ import annotations

import math
from typing import Any

import pytest
from microapi import (
    HTMLResponse,
    InvalidHeaderError,
    JSONResponse,
    MicroAPI,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from microapi.testing import TestClient


def serve(result: Any) -> Any:
    app = MicroAPI()

    @app.get("/")
    async def handler() -> Any:
        return result

    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        return client.get("/")


@pytest.mark.parametrize("value", [{"a": 1}, [1, "two"], "text", 3, None, {"ünï": "cödé"}])
def test_plain_values_become_200_json(value: Any) -> None:
    response = serve(value)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == value
    assert int(response.headers["content-length"]) == len(response.content)


@pytest.mark.parametrize(
    ("response", "content_type"),
    [
        (PlainTextResponse("héllo"), "text/plain; charset=utf-8"),
        (HTMLResponse("<p>hi</p>"), "text/html; charset=utf-8"),
        (JSONResponse({"x": 1}, status_code=201), "application/json"),
        (Response(b"\x00\x01", media_type="application/octet-stream"), "application/octet-stream"),
    ],
)
def test_response_classes_are_sent_as_they_are(response: Response, content_type: str) -> None:
    got = serve(response)
    assert got.status_code == response.status_code
    assert got.headers["content-type"] == content_type
    assert got.content == response.body
    assert got.headers["content-length"] == str(len(response.body))


def test_no_content_has_no_content_length() -> None:
    got = serve(Response(status_code=204))
    assert got.status_code == 204
    assert "content-length" not in got.headers


def test_redirect() -> None:
    got = serve(RedirectResponse("/elsewhere?x=1"))
    assert got.status_code == 307
    assert got.headers["location"] == "/elsewhere?x=1"


def test_cookies_helpers() -> None:
    response = PlainTextResponse("ok")
    response.set_cookie("session", "a b;c", max_age=60, httponly=True)
    response.delete_cookie("old")
    got = serve(response)
    cookies = got.headers.get_list("set-cookie")
    assert cookies[0] == "session=a%20b%3Bc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax"
    assert cookies[1].startswith("old=; Max-Age=0; Expires=")


@pytest.mark.parametrize("value", ["a\r\nx-injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_header_values_with_cr_or_lf_are_refused_at_construction(value: str) -> None:
    with pytest.raises(InvalidHeaderError, match="x-custom"):
        Response(b"", headers={"x-custom": value})
    response = Response(b"")
    with pytest.raises(InvalidHeaderError):
        response.headers["x-custom"] = value
    assert "x-custom" not in response.headers


def test_invalid_header_name_is_refused() -> None:
    with pytest.raises(InvalidHeaderError, match="bad name"):
        Response(b"", headers={"bad name": "v"})


def test_header_injection_from_a_handler_becomes_a_500_not_a_split_response() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler() -> Response:
        return Response(b"", headers={"x": "1\r\nset-cookie: stolen"})

    with TestClient(app, raise_server_exceptions=False) as client:
        got = client.get("/")
    assert got.status_code == 500
    assert "set-cookie" not in got.headers


@pytest.mark.parametrize(
    "value", [object(), math.nan, {"deep": [1.0, math.inf]}, -math.inf, {1: math.nan}]
)
def test_unencodable_return_value_is_a_500(value: Any) -> None:
    got = serve(value)
    assert got.status_code == 500
    assert got.json() == {"detail": "Internal Server Error"}


def test_mutable_headers_view() -> None:
    response = Response(b"x")
    response.headers["X-A"] = "1"
    response.headers.append("x-a", "2")
    assert response.headers.getlist("x-a") == ["1", "2"]
    response.headers["x-a"] = "3"
    assert response.headers.getlist("X-A") == ["3"]
    del response.headers["x-a"]
    assert "x-a" not in response.headers
    with pytest.raises(KeyError):
        del response.headers["x-a"]
