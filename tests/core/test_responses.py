"""Responses: media types, content-length, JSON conversion, cookies, header safety."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
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

from tests.core.cookie_app import ROUND_TRIP_VALUES, cookie_app


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


# RFC 6265 section 4.1.1: a cookie's value is cookie-octets only.
COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")


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


# --- FileResponse (SPEC 8.3) ---------------------------------------------------------------

import os  # noqa: E402
from email.utils import format_datetime, parsedate_to_datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from microapi.responses import FileResponse  # noqa: E402

TEN_THOUSAND = bytes(range(256)) * 39 + bytes(16)  # RFC 9110's 10000-byte example


def make_file(tmp_path: Path, name: str = "data.bin", content: bytes = TEN_THOUSAND) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    os.utime(path, ns=(1_700_000_000_123_456_789, 1_700_000_000_123_456_789))
    return path


def plain_file_client(path: Path, **kwargs: Any) -> TestClient:
    app = MicroAPI()

    @app.get("/f")
    def get_file() -> FileResponse:
        return FileResponse(path, **kwargs)

    return TestClient(app)


def test_file_response_headers(tmp_path: Path) -> None:
    path = make_file(tmp_path, "page.html", b"<p>hi</p>")
    with plain_file_client(path) as client:
        response = client.get("/f")
    assert response.status_code == 200
    assert response.content == b"<p>hi</p>"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-length"] == "9"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    etag = response.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert "content-disposition" not in response.headers


def test_the_media_type_given_wins_and_unknown_names_are_octet_stream(tmp_path: Path) -> None:
    path = make_file(tmp_path, "blob.unknownext", b"x")
    with plain_file_client(path) as client:
        assert client.get("/f").headers["content-type"] == "application/octet-stream"
    with plain_file_client(path, media_type="text/csv") as client:
        assert client.get("/f").headers["content-type"] == "text/csv; charset=utf-8"


def test_content_disposition_with_ascii_and_non_ascii_names(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path, filename='report "q1".pdf') as client:
        response = client.get("/f")
    assert response.headers["content-disposition"] == 'attachment; filename="report \\"q1\\".pdf"'
    assert response.headers["content-type"] == "application/pdf"
    # RFC 6266 section 5's example name
    with plain_file_client(path, filename="€ rates.txt") as client:
        response = client.get("/f")
    assert (
        response.headers["content-disposition"]
        == "attachment; filename=\"_ rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"
    )


def test_a_missing_file_or_a_directory_is_a_404(tmp_path: Path) -> None:
    with plain_file_client(tmp_path / "missing.txt") as client:
        response = client.get("/f")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    with plain_file_client(tmp_path) as client:
        assert client.get("/f").status_code == 404


def test_a_missing_file_goes_through_the_exception_handlers(tmp_path: Path) -> None:
    from microapi import HTTPException

    app = MicroAPI()

    @app.get("/f")
    def get_file() -> FileResponse:
        return FileResponse(tmp_path / "missing")

    @app.exception_handler(HTTPException)
    def page(request: Any, exc: HTTPException) -> Response:
        return HTMLResponse("<h1>gone</h1>", status_code=exc.status_code)

    with TestClient(app) as client:
        response = client.get("/f")
    assert (response.status_code, response.text) == (404, "<h1>gone</h1>")


def test_if_none_match_is_a_304_with_weak_comparison(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        etag = client.get("/f").headers["etag"]
        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            response = client.get("/f", headers={"if-none-match": header})
            assert response.status_code == 304, header
            assert response.content == b""
            assert response.headers["etag"] == etag
            assert "content-type" not in response.headers
        assert client.get("/f", headers={"if-none-match": '"other"'}).status_code == 200


def test_if_modified_since(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        modified = client.get("/f").headers["last-modified"]
        later = format_datetime(parsedate_to_datetime(modified).replace(year=2030), usegmt=True)
        earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2020), usegmt=True)
        assert client.get("/f", headers={"if-modified-since": modified}).status_code == 304
        assert client.get("/f", headers={"if-modified-since": later}).status_code == 304
        assert client.get("/f", headers={"if-modified-since": earlier}).status_code == 200
        # RFC 9110's obsolete forms are dates too; garbage is ignored
        assert (
            client.get("/f", headers={"if-modified-since": "Sunday, 06-Nov-94 08:49:37 GMT"})
        ).status_code == 200
        assert client.get("/f", headers={"if-modified-since": "yesterday"}).status_code == 200


def test_if_none_match_wins_over_if_modified_since(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        first = client.get("/f")
        headers = {"if-none-match": '"other"', "if-modified-since": first.headers["last-modified"]}
        assert client.get("/f", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("range_", "content_range", "first", "last"),
    [
        # RFC 9110 section 14.1.2's examples over a 10000-byte representation
        ("bytes=0-499", "bytes 0-499/10000", 0, 499),
        ("bytes=500-999", "bytes 500-999/10000", 500, 999),
        ("bytes=-500", "bytes 9500-9999/10000", 9500, 9999),
        ("bytes=9500-", "bytes 9500-9999/10000", 9500, 9999),
        ("bytes=0-0", "bytes 0-0/10000", 0, 0),
        ("bytes=-1", "bytes 9999-9999/10000", 9999, 9999),
        ("bytes=9000-99999", "bytes 9000-9999/10000", 9000, 9999),  # clamped
        ("bytes=-20000", "bytes 0-9999/10000", 0, 9999),  # a suffix longer than the file
        ("BYTES = 10-19", "bytes 10-19/10000", 10, 19),
    ],
)
def test_a_single_range_is_a_206(
    tmp_path: Path, range_: str, content_range: str, first: int, last: int
) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        response = client.get("/f", headers={"range": range_})
    assert response.status_code == 206
    assert response.headers["content-range"] == content_range
    assert response.headers["content-length"] == str(last - first + 1)
    assert response.content == TEN_THOUSAND[first : last + 1]


def test_a_large_range_is_streamed(tmp_path: Path) -> None:
    content = os.urandom(300_000)
    path = make_file(tmp_path, content=content)
    with plain_file_client(path) as client:
        response = client.get("/f", headers={"range": "bytes=1000-250000"})
        whole = client.get("/f")
    assert response.content == content[1000:250001]
    assert whole.content == content


@pytest.mark.parametrize("range_", ["bytes=10000-", "bytes=20000-20001", "bytes=-0"])
def test_an_unsatisfiable_range_is_a_416(tmp_path: Path, range_: str) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        response = client.get("/f", headers={"range": range_})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */10000"


def test_any_range_of_an_empty_file_is_a_416(tmp_path: Path) -> None:
    path = make_file(tmp_path, content=b"")
    with plain_file_client(path) as client:
        assert client.get("/f", headers={"range": "bytes=-5"}).status_code == 416
        assert client.get("/f").content == b""


@pytest.mark.parametrize(
    "range_", ["bytes=0-1,5-6", "bytes=5-2", "items=0-1", "bytes=", "bytes=a-b", "bytes=-"]
)
def test_several_or_invalid_ranges_send_the_whole_file(tmp_path: Path, range_: str) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        response = client.get("/f", headers={"range": range_})
    assert response.status_code == 200
    assert response.content == TEN_THOUSAND


def test_if_range_with_a_strong_etag_or_the_exact_date(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        first = client.get("/f")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        for if_range, status in [
            (etag, 206),
            (modified, 206),
            ('"stale"', 200),
            (f"W/{etag}", 200),  # a weak tag never matches If-Range
            ("Tue, 14 Nov 2023 22:13:21 GMT", 200),
        ]:
            response = client.get("/f", headers={"range": "bytes=0-9", "if-range": if_range})
            assert response.status_code == status, if_range


def test_head_ignores_ranges_and_sends_no_body(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    with plain_file_client(path) as client:
        response = client.head("/f", headers={"range": "bytes=0-9"})
    assert response.status_code == 200
    assert response.headers["content-length"] == "10000"
    assert response.content == b""


def test_a_file_with_another_status_ignores_conditionals(tmp_path: Path) -> None:
    path = make_file(tmp_path, "404.html", b"<h1>missing</h1>")
    with plain_file_client(path, status_code=404) as client:
        response = client.get("/f", headers={"range": "bytes=0-1", "if-none-match": "*"})
    assert response.status_code == 404
    assert response.content == b"<h1>missing</h1>"


def test_file_response_takes_its_pinned_arguments_in_order(tmp_path: Path) -> None:
    """`FileResponse(path, status_code=200, headers=None, media_type=None, filename=None)`:
    positionally too, with the headers given kept beside the file's own."""
    path = make_file(tmp_path, "report.txt", b"numbers")
    app = MicroAPI()

    @app.get("/f")
    def get_file() -> FileResponse:
        return FileResponse(path, 200, {"x-a": "1"}, None, "dl.txt")

    with TestClient(app) as client:
        response = client.get("/f")
    assert (response.status_code, response.content) == (200, b"numbers")
    assert response.headers["x-a"] == "1"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="dl.txt"'
    assert "etag" in response.headers
