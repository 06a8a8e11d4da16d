"""Routing a request to its handler: matches, 404, 405, automatic OPTIONS, HEAD, path encoding;
what the handler is given, inside a request scope of its own.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from microapi import Depends, HTTPException, MicroAPI, PlainTextResponse, Request
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


def test_request_by_name_or_by_annotation() -> None:
    app = MicroAPI()

    @app.get("/by-name")
    async def by_name(request) -> str:  # type: ignore[no-untyped-def]
        return str(request.path)

    @app.get("/by-type")
    async def by_type(req: Request) -> str:
        return req.path

    with TestClient(app) as client:
        assert client.get("/by-name").json() == "/by-name"
        assert client.get("/by-type").json() == "/by-type"


def test_dependency_chain_with_teardown_around_the_handler() -> None:
    events: list[str] = []
    app = MicroAPI()

    async def get_db() -> AsyncIterator[str]:
        events.append("db open")
        try:
            yield "db"
        except HTTPException:
            events.append("db rollback")
            raise
        else:
            events.append("db commit")
        finally:
            events.append("db close")

    def get_user(request: Request, db: Annotated[str, Depends(get_db)]) -> str:
        return f"user of {db} at {request.path}"

    def get_repo(db: str = Depends(get_db), user: str = Depends(get_user)) -> str:
        events.append("repo")
        return f"repo({db}, {user})"

    @app.get("/ok")
    async def ok(repo: str = Depends(get_repo)) -> str:
        events.append("handler")
        return repo

    @app.get("/fail")
    async def fail(repo: str = Depends(get_repo)) -> str:
        raise HTTPException(409, "conflict")

    with TestClient(app) as client:
        assert client.get("/ok").json() == "repo(db, user of db at /ok)"
        assert events == ["db open", "repo", "handler", "db commit", "db close"]
        events.clear()
        assert client.get("/fail").status_code == 409
        assert events == ["db open", "repo", "db rollback", "db close"]


def test_concurrent_requests_never_see_each_others_request_scoped_values() -> None:
    app = MicroAPI()

    class Token:
        def __init__(self, request: Request) -> None:
            self.value = request.query_params["n"]

    app.registry.register(Token, Token, scope="request")

    @app.get("/")
    async def handler(token: Token, request: Request) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"token": token.value, "query": request.query_params["n"]}

    from microapi.testing import AsyncTestClient

    async def run() -> list[dict[str, Any]]:
        async with AsyncTestClient(app) as client:
            responses = await asyncio.gather(*(client.get(f"/?n={i}") for i in range(500)))
        return [r.json() for r in responses]

    results = asyncio.run(run())
    assert results == [{"token": str(i), "query": str(i)} for i in range(500)]


def test_request_route_is_the_matched_route_or_none() -> None:
    from microapi import Response

    app = MicroAPI()
    seen: list[str | None] = []

    @app.add_middleware
    async def record(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        seen.append(None if request.route is None else request.route.template)
        return response

    @app.get("/users/{user_id}")
    async def user(request: Request) -> str:
        assert request.route is not None
        return request.route.template

    with TestClient(app) as client:
        assert client.get("/users/1").json() == "/users/{user_id}"
        client.get("/missing")
        client.post("/users/1")
    assert seen == ["/users/{user_id}", None, None]  # a 404 and a 405 matched no route
