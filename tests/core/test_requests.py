"""The Request object: lazy views of the scope, cookies, body reading, strict JSON, limits and
disconnects.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from microapi import MicroAPI, Request
from microapi.testing import TestClient
from microapi.types import Message

from tests.asgi import http_scope
from tests.core.cookie_app import cookie_app


def echo_app(max_body_size: int = 1 << 20) -> MicroAPI:
    app = MicroAPI(max_body_size=max_body_size)

    @app.route("/echo/{name}", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        client = request.client
        return {
            "method": request.method,
            "path": request.path,
            "path_params": request.path_params,
            "tags": request.query_params.getlist("tag"),
            "q": request.query_params.get("q"),
            "accept": request.headers.get("ACCEPT"),
            "x_multi": request.headers.getlist("x-multi"),
            "cookies": request.cookies,
            "client": list(client) if client else None,
        }

    @app.post("/body")
    async def body(request: Request) -> dict[str, Any]:
        return {"size": len(await request.body())}

    @app.post("/json")
    async def read_json(request: Request) -> Any:
        return await request.json()

    return app


def test_request_exposes_the_scope_lazily() -> None:
    with TestClient(echo_app()) as client:
        response = client.get(
            "/echo/bob?tag=a&tag=b&q=1&q=2",
            headers=[
                ("Accept", "text/x"),
                ("X-Multi", "1"),
                ("x-multi", "2"),
                ("Cookie", "session=abc"),
            ],
        )
    assert response.json() == {
        "method": "GET",
        "path": "/echo/bob",
        "path_params": {"name": "bob"},
        "tags": ["a", "b"],
        "q": "2",
        "accept": "text/x",
        "x_multi": ["1", "2"],
        "cookies": {"session": "abc"},
        "client": ["testclient", 50000],
    }


def test_body_and_json() -> None:
    with TestClient(echo_app()) as client:
        assert client.post("/body", content=b"x" * 1000).json() == {"size": 1000}
        assert client.post("/json", json={"a": [1, 2]}).json() == {"a": [1, 2]}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b""])
def test_invalid_json_is_400(body: bytes) -> None:
    with TestClient(echo_app()) as client:
        response = client.post("/json", content=body)
        assert response.status_code == 400
        assert response.json()["detail"].startswith("Invalid JSON body")
        assert client.post("/json", json=[1]).json() == [1]


def test_body_over_limit_from_content_length_is_413() -> None:
    with TestClient(echo_app(max_body_size=100)) as client:
        response = client.post("/body", content=b"x" * 101)
        assert response.status_code == 413
        assert client.post("/body", content=b"x" * 100).json() == {"size": 100}


async def drive(
    app: MicroAPI, exchanges: list[tuple[dict[str, Any], list[Message]]]
) -> list[list[Message]]:
    """Call the started app directly as a server would, once per (scope, inbox) exchange.

    Each inbox is consumed in place, so a test can see which messages were never read.
    """
    results: list[list[Message]] = []
    await app.startup()
    try:
        for scope, inbox in exchanges:
            sent: list[Message] = []

            async def receive(inbox: list[Message] = inbox) -> Message:
                if inbox:
                    return inbox.pop(0)
                await asyncio.sleep(3600)
                raise AssertionError("unreachable")

            async def send(message: Message, sent: list[Message] = sent) -> None:
                sent.append(message)

            await app(scope, receive, send)
            results.append(sent)
    finally:
        await app.shutdown()
    return results


def test_streamed_body_over_limit_is_413_without_reading_the_rest() -> None:
    chunks: list[Message] = [
        {"type": "http.request", "body": b"x" * 60, "more_body": True} for _ in range(10)
    ]
    (sent,) = asyncio.run(
        drive(echo_app(max_body_size=100), [(http_scope("POST", b"/body"), chunks)])
    )
    assert sent[0]["status"] == 413
    assert len(chunks) == 8  # two chunks read, eight never touched


def test_client_disconnect_mid_body_sends_nothing_and_the_app_goes_on() -> None:
    cut: list[Message] = [
        {"type": "http.request", "body": b"partial", "more_body": True},
        {"type": "http.disconnect"},
    ]
    whole: list[Message] = [{"type": "http.request", "body": b"ok", "more_body": False}]
    scope = http_scope("POST", b"/body")
    dropped, answered = asyncio.run(drive(echo_app(), [(scope, cut), (dict(scope), whole)]))
    assert dropped == []
    assert answered[0]["status"] == 200
    assert answered[1]["body"] == b'{"size":2}'


def test_cookies_from_elsewhere_are_percent_decoded_leniently() -> None:
    with TestClient(cookie_app()) as client:
        got = client.get("/cookies", headers={"cookie": 'a=1; b="quoted"; c=50%off; d=x%2Cy'})
    assert got.json() == {"a": "1", "b": "quoted", "c": "50%off", "d": "x,y"}


def json_app() -> tuple[MicroAPI, list[Any]]:
    app = MicroAPI()
    parsed: list[Any] = []

    @app.post("/json")
    async def handler(request: Request) -> dict[str, Any]:
        value = await request.json()
        parsed.append(value)
        return {"value": value}

    return app, parsed


REFUSED_BODIES = [
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b'{"a": NaN}',
    b"[1, Infinity]",
    b'{"a": {"b": [-Infinity]}}',
    b'"\\ud800"',
    b'"\\uDFFF"',
    b'"\\uDbFf"',
    b'"\\ud83d"',  # a high surrogate with no low one after it
    b'"x\\ude00\\ud83d"',  # a pair in the wrong order is two lone surrogates
    b'{"\\ud800": 1}',
    b'{"a": ["x", {"b": "\\udc00"}]}',
    b'[[[{"k": {"\\udabc": []}}]]]',
    b'"\xed\xa0\x80"',  # a surrogate encoded in UTF-8 is not UTF-8
    '"\ud800"'.encode("utf-16-le", "surrogatepass"),
    pytest.param(b"[" * 500 + b'"\\ud800"' + b"]" * 500, id="nested-500-deep"),
]


@pytest.mark.parametrize("body", REFUSED_BODIES)
def test_request_json_refuses_what_json_does_not_allow(body: bytes) -> None:
    app, parsed = json_app()
    with TestClient(app) as client:
        got = client.post("/json", content=body, headers={"content-type": "application/json"})
        assert got.status_code == 400
        detail = got.json()["detail"]
        assert isinstance(detail, str)
        assert detail.startswith("Invalid JSON body")
        assert parsed == []
        after = client.post("/json", content=b'{"ok": true}')
        assert (after.status_code, after.json()) == (200, {"value": {"ok": True}})
    assert parsed == [{"ok": True}]


@pytest.mark.parametrize(
    ("body", "value"),
    [
        (b'"\\ud83d\\ude00"', "\U0001f600"),
        (b'{"\\uD83D\\uDE00": ["\\uDBFF\\uDFFF"]}', {"\U0001f600": ["\U0010ffff"]}),
        (b'"\\\\ud800"', "\\ud800"),  # an escaped backslash, then plain text
        (b'"\\ud7ff\\ue000"', "\ud7ff\ue000"),
        (b'{"n": 1.5e300, "s": "\xc3\xbc"}', {"n": 1.5e300, "s": "ü"}),
        ('{"a": "\U0001f600"}'.encode("utf-16"), {"a": "\U0001f600"}),
        pytest.param(
            b"[" * 500 + b'"\\ud83d\\ude00"' + b"]" * 500,
            json.loads("[" * 500 + '"\U0001f600"' + "]" * 500),
            id="nested-500-deep",
        ),
    ],
)
def test_request_json_accepts_valid_json(body: bytes, value: Any) -> None:
    app, parsed = json_app()
    with TestClient(app) as client:
        got = client.post("/json", content=body)
    assert (got.status_code, got.json()) == (200, {"value": value})
    assert parsed == [value]


@pytest.mark.parametrize(
    "query",
    ["a=1&b=2", "a&b=", "&&a=1&", "a=1=2", "=x", "a=1;b=2", "a=%20b+c&d=e", "", "x=1&x=2"],
)
def test_query_parameters_split_as_parse_qsl_does(query: str) -> None:
    from urllib.parse import parse_qsl

    from microapi.datastructures import QueryParams

    assert QueryParams(query).multi_items() == parse_qsl(query, keep_blank_values=True)


@pytest.mark.parametrize("key", ["accept", "Accept", "X-TWICE", "missing"])
def test_header_get_is_the_mapping_get(key: str) -> None:
    from collections.abc import Mapping

    from microapi.datastructures import Headers

    headers = Headers([(b"Accept", b"*/*"), (b"x-twice", b"1"), (b"X-Twice", b"2")])
    assert headers.get(key) == Mapping.get(headers, key)
    assert headers.get(key, "fallback") == Mapping.get(headers, key, "fallback")


@pytest.mark.parametrize("query", ["a=1&b=2", "a&b=", "x=1&x=2", "", "a=%20b+c"])
@pytest.mark.parametrize("key", ["a", "b", "x", "missing"])
def test_query_get_is_the_mapping_get(query: str, key: str) -> None:
    from collections.abc import Mapping

    from microapi.datastructures import QueryParams

    params = QueryParams(query)
    assert params.get(key) == Mapping.get(params, key)
    assert params.get(key, "fallback") == Mapping.get(params, key, "fallback")


def test_request_json_refuses_a_number_too_large_for_a_float() -> None:
    from microapi import MicroAPI
    from microapi.testing import TestClient

    app = MicroAPI()

    @app.post("/")
    async def echo(request: Request) -> Any:
        return await request.json()

    with TestClient(app) as client:
        response = client.post("/", content=b'{"v": 1e999}')
        assert response.status_code == 400
        assert "out of range" in response.json()["detail"]
        assert client.post("/", content=b'{"v": 1e300}').json() == {"v": 1e300}
