"""Routing through the app: matches, 404, 405, automatic OPTIONS, HEAD, path encoding."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from microapi import MicroAPI, PlainTextResponse, Request
from microapi.testing import TestClient

from tests.asgi import http_scope


def make_app() -> MicroAPI:
    app = MicroAPI()

    @app.get("/items")
    async def list_items() -> list[int]:
        return [1, 2]

    @app.post("/items")
    async def create_item() -> dict[str, str]:
        return {"created": "yes"}

    @app.get("/items/{item_id}")
    async def get_item(request: Request) -> dict[str, str]:
        return {"id": request.path_params["item_id"]}

    @app.get("/items/special")
    async def special() -> str:
        return "special"

    @app.get("/text")
    async def text() -> PlainTextResponse:
        return PlainTextResponse("hello", headers={"x-extra": "1"})

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as client:
        yield client


def assert_still_serving(client: TestClient) -> None:
    response = client.get("/items/7")
    assert response.status_code == 200
    assert response.json() == {"id": "7"}


def test_static_and_dynamic_routes(client: TestClient) -> None:
    assert client.get("/items").json() == [1, 2]
    assert client.get("/items/special").json() == "special"
    assert client.get("/items/42").json() == {"id": "42"}
    assert client.post("/items").json() == {"created": "yes"}


def test_unknown_path_is_404_json(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert_still_serving(client)


def test_trailing_slash_is_significant(client: TestClient) -> None:
    assert client.get("/items/").status_code == 404
    assert client.get("/items").status_code == 200


def test_wrong_method_is_405_with_sorted_complete_allow(client: TestClient) -> None:
    response = client.delete("/items")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.json() == {"detail": "Method Not Allowed"}
    assert_still_serving(client)


def test_options_is_answered_automatically(client: TestClient) -> None:
    response = client.options("/items/3")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


def test_explicit_options_handler_wins() -> None:
    app = MicroAPI()

    @app.options("/thing")
    async def options() -> PlainTextResponse:
        return PlainTextResponse("custom", headers={"allow": "OPTIONS"})

    with TestClient(app) as client:
        response = client.options("/thing")
    assert response.text == "custom"


def test_head_sends_get_headers_without_body(client: TestClient) -> None:
    get = client.get("/text")
    head = client.head("/text")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"] == "5"
    assert head.headers["x-extra"] == "1"
    assert head.headers["content-type"] == "text/plain; charset=utf-8"


def test_encoded_slash_stays_inside_the_parameter(client: TestClient) -> None:
    response = client.get("/items/a%2Fb")
    assert response.json() == {"id": "a/b"}


def test_percent_encoded_utf8_is_decoded(client: TestClient) -> None:
    assert client.get("/items/caf%C3%A9").json() == {"id": "café"}


@pytest.mark.parametrize("path", ["/items/%ZZ", "/items/%C3", "/items/%FF%FE", "/items/%"])
def test_bad_path_encoding_is_400(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert_still_serving(client)


def test_route_conflict_is_an_error_at_registration() -> None:
    app = MicroAPI()

    @app.get("/users/{id}")
    async def first() -> None: ...

    with pytest.raises(Exception, match=r"/users/\{name\}"):

        @app.get("/users/{name}")
        async def second() -> None: ...


def test_raw_utf8_bytes_in_the_path_match_and_invalid_bytes_are_400() -> None:
    import asyncio

    from microapi.types import Message

    app = make_app()

    async def get(raw_path: bytes) -> int:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = http_scope("GET", raw_path)
        await app(scope, receive, send)
        return int(sent[0]["status"])

    assert asyncio.run(get("/items/café".encode())) == 200
    assert asyncio.run(get(b"/items/\xff")) == 400
