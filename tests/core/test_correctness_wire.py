"""What reaches the wire and comes back from it: cookies, header values, JSON bodies."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from microapi import MicroAPI, Request, Response
from microapi.exceptions import InvalidHeaderError
from microapi.testing import TestClient

# RFC 6265 section 4.1.1: a cookie's value is cookie-octets only.
COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")

ROUND_TRIP_VALUES = [
    "Hello, cookies!",
    "ünï",
    "100%",
    "%41",  # looks percent-encoded already: must not come back as "A"
    "%",
    'a "quoted"\\ value; Path=/x, y=1',
    "emoji \U0001f36a and tab\t",
    "plain-token_123",
    "",
]


def cookie_app() -> MicroAPI:
    app = MicroAPI()

    @app.post("/set")
    async def set_cookie(request: Request) -> Response:
        response = Response(b"")
        for key, value in (await request.json()).items():
            response.set_cookie(key, value)
        return response

    @app.get("/cookies")
    async def cookies(request: Request) -> dict[str, str]:
        return request.cookies

    return app


def test_cookies_round_trip_through_a_client() -> None:
    values = {f"c{i}": value for i, value in enumerate(ROUND_TRIP_VALUES)}
    with TestClient(cookie_app()) as client:
        set_response = client.post("/set", json=values)
        assert set_response.status_code == 200
        assert client.get("/cookies").json() == values


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES)
def test_set_cookie_writes_an_rfc_6265_cookie(value: str) -> None:
    response = Response(b"")
    response.set_cookie("c", value)
    (header,) = response.headers.getlist("set-cookie")
    pair, _, attributes = header.partition("; ")
    name, _, encoded = pair.partition("=")
    assert name == "c"
    assert COOKIE_OCTETS.fullmatch(encoded), encoded
    assert attributes == "Path=/; SameSite=Lax"


def test_a_value_of_cookie_octets_only_is_sent_as_is() -> None:
    response = Response(b"")
    value = "abc.DEF-123_~!#$&'()*+/:<=>?@[]^`{|}"
    response.set_cookie("session", value)
    assert response.headers["set-cookie"] == f"session={value}; Path=/; SameSite=Lax"


def test_cookies_from_elsewhere_are_percent_decoded_leniently() -> None:
    with TestClient(cookie_app()) as client:
        got = client.get("/cookies", headers={"cookie": 'a=1; b="quoted"; c=50%off; d=x%2Cy'})
    assert got.json() == {"a": "1", "b": "quoted", "c": "50%off", "d": "x,y"}


BAD_KEYS = [
    "sid=x; Domain=evil.example",
    "a b",
    "",
    "a;b",
    "a,b",
    "k\x00",
    "k\r\nx-a: 1",
    "ké",
    '"k"',
]
BAD_PATHS = ["/; Domain=evil.example", "/a;b", "/\x01", "/\x7f", "/\r\nx-a: 1", "/\t", "/ü"]
BAD_DOMAINS = [
    "evil.example; Secure",
    "a b",
    "ex\x7fample",
    "ex\x00ample",
    "",
    "ex_ample",
    "exämple",
]


@pytest.mark.parametrize(
    ("argument", "call"),
    [
        *(("key", lambda r, k=k: r.set_cookie(k, "v")) for k in BAD_KEYS),
        *(("path", lambda r, p=p: r.set_cookie("k", "v", path=p)) for p in BAD_PATHS),
        *(("domain", lambda r, d=d: r.set_cookie("k", "v", domain=d)) for d in BAD_DOMAINS),
        ("samesite", lambda r: r.set_cookie("k", "v", samesite="lax; Domain=evil.example")),
        ("key", lambda r: r.delete_cookie("a=b")),
        ("path", lambda r: r.delete_cookie("k", path="/;x")),
        ("domain", lambda r: r.delete_cookie("k", domain="x;y")),
    ],
)
def test_set_cookie_refuses_what_would_inject_attributes(
    argument: str, call: Callable[[Response], None]
) -> None:
    response = Response(b"")
    before = list(response.raw_headers)
    with pytest.raises(InvalidHeaderError, match=f"cookie {argument}") as caught:
        call(response)
    assert isinstance(caught.value, ValueError)
    assert response.raw_headers == before
    assert "set-cookie" not in response.headers


def test_samesite_is_written_in_its_usual_case() -> None:
    response = Response(b"")
    response.set_cookie("a", "1", secure=True, samesite="none")
    response.set_cookie("b", "2", path=None, samesite="Strict")  # type: ignore[arg-type]
    assert response.headers.getlist("set-cookie") == [
        "a=1; Path=/; Secure; SameSite=None",
        "b=2; SameSite=Strict",
    ]


def test_delete_cookie_still_expires_with_valid_arguments() -> None:
    response = Response(b"")
    response.delete_cookie("old", path="/app", domain=".example.com")
    (header,) = response.headers.getlist("set-cookie")
    assert header.startswith("old=; Max-Age=0; Expires=")
    assert header.endswith("; Path=/app; Domain=.example.com; SameSite=Lax")


CONTROL_CHARACTERS = [chr(c) for c in (*range(0x09), *range(0x0A, 0x20), 0x7F)]
CONTROL_IDS = [f"{ord(c):#04x}" for c in CONTROL_CHARACTERS]


def header_setters() -> list[Callable[[str], Response]]:
    def construct(value: str) -> Response:
        return Response(b"", headers={"x-custom": value})

    def assign(value: str) -> Response:
        response = Response(b"")
        response.headers["x-custom"] = value
        return response

    def append(value: str) -> Response:
        response = Response(b"")
        response.headers.append("x-custom", value)
        return response

    return [construct, assign, append]


@pytest.mark.parametrize("setter", header_setters(), ids=["constructor", "setitem", "append"])
@pytest.mark.parametrize("character", ["\x01", "\x7f"], ids=["0x01", "0x7f"])
def test_control_characters_in_header_values_are_refused(
    setter: Callable[[str], Response], character: str
) -> None:
    with pytest.raises(InvalidHeaderError, match="x-custom"):
        setter(f"a{character}b")


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=CONTROL_IDS)
def test_every_control_character_but_tab_is_refused(character: str) -> None:
    response = Response(b"")
    with pytest.raises(InvalidHeaderError, match="x-custom"):
        response.headers.append("x-custom", f"a{character}b")
    assert "x-custom" not in response.headers


@pytest.mark.parametrize("setter", header_setters(), ids=["constructor", "setitem", "append"])
def test_tab_and_visible_latin_1_are_accepted_in_header_values(
    setter: Callable[[str], Response],
) -> None:
    value = "a\tb c~é\xff"
    assert setter(value).headers["x-custom"] == value


def test_a_control_character_from_a_handler_is_a_500_not_sent() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler() -> Response:
        return Response(b"", headers={"x-custom": "a\x1bb"})

    with TestClient(app, raise_server_exceptions=False) as client:
        got = client.get("/")
    assert got.status_code == 500
    assert "x-custom" not in got.headers


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
