"""CORS options are checked when the middleware is made; mistakes explain themselves."""

from __future__ import annotations

import pytest
from microapi_contrib import CORSConfigError, CORSMiddleware, CORSPolicy


@pytest.mark.parametrize("origins", ["*", ["*"], ("*",)])
def test_any_origin_with_credentials_is_refused(origins: object) -> None:
    with pytest.raises(CORSConfigError) as info:
        CORSMiddleware(allow_origins=origins, allow_credentials=True)  # type: ignore[arg-type]
    message = str(info.value)
    assert "allow_credentials=True" in message
    assert "cookies" in message  # says why, not only that
    assert "List the origins you trust" in message


def test_the_error_is_a_value_error() -> None:
    assert issubclass(CORSConfigError, ValueError)


def test_any_origin_without_credentials_is_fine() -> None:
    assert CORSPolicy.build(allow_origins="*").origins is None
    assert CORSPolicy.build(allow_origins=["*"]).origins is None


def test_any_exposed_header_with_credentials_is_refused() -> None:
    with pytest.raises(CORSConfigError, match="expose_headers='\\*'"):
        CORSPolicy.build(
            allow_origins=["https://a.example"], expose_headers="*", allow_credentials=True
        )
    assert CORSPolicy.build(allow_origins="*", expose_headers="*").expose_headers == ("*",)


@pytest.mark.parametrize(
    ("configured", "normalised"),
    [
        ("https://app.example", "https://app.example"),
        ("HTTPS://App.Example", "https://app.example"),
        ("https://app.example:443", "https://app.example"),
        ("http://app.example:80", "http://app.example"),
        ("http://app.example:8080", "http://app.example:8080"),
        ("https://app.example:080", "https://app.example:80"),
        ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
        ("http://[::1]:3000", "http://[::1]:3000"),
    ],
)
def test_origins_are_serialised_as_browsers_send_them(configured: str, normalised: str) -> None:
    assert CORSPolicy.build(allow_origins=[configured]).origins == frozenset({normalised})


@pytest.mark.parametrize(
    ("origin", "hint"),
    [
        ("https://app.example/", "trailing slash"),
        ("https://app.example/path", "no path"),
        ("app.example", "scheme://host"),
        ("https://app.example?x=1", "query"),
        ("https://", "scheme://host"),
        ("null", "sandboxed"),
        ("https://app.example:70000", "65535"),
        ("https://app.example\n", "not an origin"),
    ],
)
def test_what_can_never_match_an_origin_is_refused(origin: str, hint: str) -> None:
    with pytest.raises(CORSConfigError, match=hint):
        CORSPolicy.build(allow_origins=[origin])


@pytest.mark.parametrize("option", ["allow_origins", "allow_methods", "allow_headers"])
def test_a_star_cannot_be_mixed_with_names(option: str) -> None:
    options: dict[str, object] = {"allow_origins": ["https://a.example"], option: ["*", "x"]}
    with pytest.raises(CORSConfigError, match="cannot be listed with others"):
        CORSPolicy.build(**options)  # type: ignore[arg-type]


def test_methods_are_upper_case_and_header_names_lower_case() -> None:
    policy = CORSPolicy.build(
        allow_origins=["https://a.example"],
        allow_methods=["get", "Patch", "GET"],
        allow_headers=["X-Token", "content-type", "x-token"],
        expose_headers=["X-Request-ID"],
    )
    assert policy.methods == ("GET", "PATCH")
    assert policy.headers == ("x-token", "content-type")
    assert policy.expose_headers == ("x-request-id",)


@pytest.mark.parametrize("bad", ["x token", "x:y", "", "ü", "x-token\n"])
@pytest.mark.parametrize("option", ["allow_methods", "allow_headers", "expose_headers"])
def test_names_must_be_http_tokens(option: str, bad: str) -> None:
    with pytest.raises(CORSConfigError, match="not a valid HTTP token"):
        CORSPolicy.build(allow_origins="*", **{option: [bad]})  # type: ignore[arg-type]


@pytest.mark.parametrize("max_age", [-1, True])
def test_max_age_must_be_seconds(max_age: int) -> None:
    with pytest.raises(CORSConfigError, match="max_age"):
        CORSPolicy.build(allow_origins="*", max_age=max_age)


def test_defaults() -> None:
    policy = CORSMiddleware(allow_origins=["https://a.example"]).policy
    assert policy == CORSPolicy(
        origins=frozenset({"https://a.example"}),
        methods=("GET", "HEAD", "POST"),
        headers=(),
        expose_headers=(),
        max_age=600,
        credentials=False,
    )
