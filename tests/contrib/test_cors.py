"""The CORS middleware in process: preflights, actual requests, errors and `Vary`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from microapi import MicroAPI, PlainTextResponse, Request, Response
from microapi.testing import TestClient
from microapi_contrib import AccessLogMiddleware, CORSMiddleware, CORSPolicy
from microapi_contrib.cors._preflight import answer_preflight

from tests.asgi import http_scope

CallNext = Callable[[Request], Awaitable[Response]]
ALLOWED = "https://app.example"
OTHER = "https://evil.example"
CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-expose-headers",
)


def make_app(**options: object) -> MicroAPI:
    options.setdefault("allow_origins", [ALLOWED])
    app = MicroAPI()
    app.add_middleware(CORSMiddleware(**options))  # type: ignore[arg-type]

    @app.get("/items")
    async def items() -> Response:
        return PlainTextResponse("items", headers={"vary": "Accept-Encoding", "x-total": "2"})

    @app.options("/custom-options")
    async def custom_options() -> str:
        return "the handler answered"

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("handler failed")

    return app


def cors_headers(response: object) -> dict[str, str]:
    headers = response.headers  # type: ignore[attr-defined]
    return {name: headers[name] for name in CORS_HEADERS if name in headers}


def preflight(
    method: str = "GET", headers: str | None = None, origin: str = ALLOWED
) -> dict[str, str]:
    asked = {"origin": origin, "access-control-request-method": method}
    if headers is not None:
        asked["access-control-request-headers"] = headers
    return asked


# --- requests without Origin ------------------------------------------------


def test_requests_without_origin_pass_untouched() -> None:
    with TestClient(make_app(allow_credentials=True, expose_headers=["x-total"])) as client:
        response = client.get("/items")
        options = client.options("/items", headers={"access-control-request-method": "GET"})
    assert response.text == "items"
    assert cors_headers(response) == {}
    assert response.headers["vary"] == "Accept-Encoding"
    assert options.status_code == 204  # core's automatic OPTIONS, not a preflight answer
    assert options.headers["allow"] == "GET, HEAD, OPTIONS"
    assert cors_headers(options) == {}
    assert "vary" not in options.headers


# --- actual requests ---------------------------------------------------------


def test_an_allowed_origin_gets_its_exact_origin_back() -> None:
    app = make_app(allow_credentials=True, expose_headers=["X-Total", "x-request-id"])
    with TestClient(app) as client:
        response = client.get("/items", headers={"origin": ALLOWED})
    assert response.text == "items"
    assert cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-total, x-request-id",
    }
    assert response.headers["vary"] == "Accept-Encoding, Origin"


def test_without_credentials_no_credentials_header() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/items", headers={"origin": ALLOWED})
    assert cors_headers(response) == {"access-control-allow-origin": ALLOWED}
    assert response.headers["vary"] == "Accept-Encoding, Origin"


def test_any_origin_without_credentials_answers_star_and_does_not_vary() -> None:
    with TestClient(make_app(allow_origins="*")) as client:
        response = client.get("/items", headers={"origin": OTHER})
    assert cors_headers(response) == {"access-control-allow-origin": "*"}
    assert response.headers["vary"] == "Accept-Encoding"


def test_a_disallowed_origin_gets_the_response_without_cors_headers() -> None:
    with TestClient(make_app(allow_credentials=True)) as client:
        response = client.get("/items", headers={"origin": OTHER})
    assert response.status_code == 200  # the browser, not the server, keeps it from the script
    assert cors_headers(response) == {}
    assert response.headers["vary"] == "Accept-Encoding, Origin"  # the answer depends on it


@pytest.mark.parametrize("origin", ["https://APP.example", "https://app.example:443", "null"])
def test_origins_match_exactly_as_sent(origin: str) -> None:
    with TestClient(make_app()) as client:
        response = client.get("/items", headers={"origin": origin})
    assert "access-control-allow-origin" not in response.headers


def test_an_options_request_that_is_not_a_preflight_reaches_the_app() -> None:
    with TestClient(make_app()) as client:
        automatic = client.options("/items", headers={"origin": ALLOWED})
        custom = client.options("/custom-options", headers={"origin": ALLOWED})
    assert automatic.status_code == 204
    assert automatic.headers["allow"] == "GET, HEAD, OPTIONS"
    assert automatic.headers["access-control-allow-origin"] == ALLOWED
    assert custom.json() == "the handler answered"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("POST", "/items", 405), ("GET", "/boom", 500)],
)
def test_error_responses_carry_cors_headers(method: str, path: str, status: int) -> None:
    with TestClient(make_app(allow_credentials=True), raise_server_exceptions=False) as client:
        response = client.request(method, path, headers={"origin": ALLOWED})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_an_inner_middleware_exception_becomes_a_500_the_script_can_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = MicroAPI()
    app.add_middleware(AccessLogMiddleware())
    app.add_middleware(CORSMiddleware(allow_origins=[ALLOWED]))

    @app.add_middleware
    async def broken(request: Request, call_next: CallNext) -> Response:
        raise KeyError("middleware bug")

    @app.get("/items")
    async def items() -> str:
        return "never"

    with TestClient(app, raise_server_exceptions=False) as client:
        allowed = client.get("/items", headers={"origin": ALLOWED})
        other = client.get("/items", headers={"origin": OTHER})
    assert allowed.status_code == other.status_code == 500
    assert allowed.json() == other.json() == {"detail": "Internal Server Error"}
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-origin" not in other.headers  # core made this one
    reports = [r for r in caplog.records if r.name == "microapi.errors"]
    assert len(reports) == 2  # once per request: by CORS, then by core
    access = [r for r in caplog.records if r.name == "microapi.access"]
    assert [r.status for r in access] == [500, 500]  # type: ignore[attr-defined]
    for report, line in zip(reports, access, strict=True):
        assert report.exc_info is not None
        assert isinstance(report.exc_info[1], KeyError)
        assert line.exc_info is None  # the traceback once, on microapi.errors
        assert line.error == "KeyError"  # type: ignore[attr-defined]


# --- preflights ----------------------------------------------------------------


def test_an_allowed_preflight_is_answered_with_every_header() -> None:
    app = make_app(
        allow_methods=["GET", "PUT"],
        allow_headers=["X-Token", "Content-Type"],
        max_age=3600,
        allow_credentials=True,
        expose_headers=["x-total"],
    )
    with TestClient(app) as client:
        response = client.options("/items", headers=preflight("PUT", "content-type,x-token"))
    assert response.status_code == 204
    assert response.content == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, PUT",
        "access-control-allow-headers": "x-token, content-type",
        "access-control-max-age": "3600",
    }
    assert response.headers["vary"] == (
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )


def test_preflights_never_reach_the_app() -> None:
    with TestClient(make_app()) as client:
        response = client.options("/custom-options", headers=preflight())
        unknown = client.options("/no/such/route", headers=preflight())
    assert response.status_code == unknown.status_code == 204
    assert response.content == b""
    assert "allow" not in unknown.headers


@pytest.mark.parametrize(
    ("asked", "reason"),
    [
        (preflight(origin=OTHER), "origin 'https://evil.example' is not allowed"),
        (preflight("DELETE"), "method 'DELETE' is not allowed"),
        (preflight("get"), "method 'get' is not allowed"),  # methods compare case-sensitively
        (preflight("GET", "x-token, x-other"), "header(s) x-other not allowed"),
    ],
)
def test_a_refused_preflight_is_a_403_without_cors_headers(
    asked: dict[str, str], reason: str
) -> None:
    app = make_app(allow_headers=["x-token"], allow_credentials=True)
    with TestClient(app) as client:
        response = client.options("/items", headers=asked)
    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert response.text == f"CORS preflight refused: {reason}"
    assert response.headers["vary"].startswith("Origin, ")


def test_requested_header_names_compare_case_insensitively() -> None:
    with TestClient(make_app(allow_headers=["X-Token", "content-type"])) as client:
        response = client.options(
            "/items", headers=preflight("POST", " Content-Type ,X-TOKEN,,x-token")
        )
    assert response.status_code == 204


def test_several_request_headers_fields_are_combined() -> None:
    app = make_app(allow_headers=["x-a"])
    with TestClient(app) as client:
        response = client.options(
            "/items",
            headers=[
                ("origin", ALLOWED),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "x-a"),
                ("access-control-request-headers", "x-b"),
            ],
        )
    assert response.status_code == 403
    assert response.text.endswith("x-b not allowed")


def test_any_method_and_header_echo_what_was_asked() -> None:
    app = make_app(allow_methods="*", allow_headers="*", allow_credentials=True)
    with TestClient(app) as client:
        response = client.options("/items", headers=preflight("PATCH", "Authorization, X-Custom"))
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "PATCH"
    assert response.headers["access-control-allow-headers"] == "authorization, x-custom"


def test_any_origin_preflight_answers_star() -> None:
    with TestClient(make_app(allow_origins="*")) as client:
        response = client.options("/items", headers=preflight(origin=OTHER))
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["vary"] == (
        "Access-Control-Request-Method, Access-Control-Request-Headers"
    )


def test_no_max_age_and_no_headers_mean_no_such_fields() -> None:
    with TestClient(make_app(max_age=None)) as client:
        response = client.options("/items", headers=preflight("POST"))
    assert response.status_code == 204
    assert "access-control-max-age" not in response.headers
    assert "access-control-allow-headers" not in response.headers
    assert response.headers["access-control-allow-methods"] == "GET, HEAD, POST"


# --- a property: header matching ignores case and order ---------------------------

TOKENS = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@given(
    allowed=st.lists(TOKENS, min_size=1, max_size=5, unique=True),
    data=st.data(),
)
def test_a_preflight_passes_exactly_when_every_requested_header_is_allowed(
    allowed: list[str], data: st.DataObject
) -> None:
    requested = data.draw(st.lists(st.sampled_from([*allowed, "x-unlisted"]), max_size=6))
    spelled = [data.draw(st.sampled_from([n, n.upper(), n.title()])) for n in requested]
    policy = CORSPolicy.build(allow_origins=[ALLOWED], allow_headers=allowed)
    asked = preflight("GET", ", ".join(spelled))
    raw = [(k.encode(), v.encode()) for k, v in asked.items()]
    request = Request(http_scope("OPTIONS", b"/", headers=raw), _no_body)
    response = answer_preflight(policy, request)
    refused = "x-unlisted" in requested and "x-unlisted" not in allowed
    assert response.status_code == (403 if refused else 204)


async def _no_body() -> dict[str, object]:
    return {"type": "http.request", "body": b""}


def test_http_exception_from_an_inner_middleware_keeps_its_status_and_cors_headers() -> None:
    from microapi import HTTPException, MicroAPI
    from microapi.testing import TestClient
    from microapi_contrib import CORSMiddleware

    app = MicroAPI()
    app.add_middleware(CORSMiddleware(allow_origins=["https://app.example"]))

    @app.add_middleware
    async def auth(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        raise HTTPException(401, "who?")

    @app.get("/")
    async def handler() -> str:
        return "in"

    with TestClient(app) as client:
        response = client.get("/", headers={"origin": "https://app.example"})
    assert (response.status_code, response.json()) == (401, {"detail": "who?"})
    assert response.headers["access-control-allow-origin"] == "https://app.example"
