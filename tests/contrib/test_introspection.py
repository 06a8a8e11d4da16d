"""The introspection data, its JSON and HTML views, and how the page is enabled."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from microapi import AppFrozenError, Depends, MicroAPI
from microapi.testing import TestClient
from microapi_contrib import collect, enable_introspection
from microapi_contrib.introspection import (
    AppInfo,
    DependencyInfo,
    MiddlewareInfo,
    RouteInfo,
    ServiceEntry,
    render_html,
)
from microapi_contrib.introspection._describe import qualified_name, source_location
from microapi_contrib.introspection._negotiation import parse_accept, quality

from tests.contrib import sample_app
from tests.contrib.sample_app import build_app, current_user

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def route(info: AppInfo, template: str) -> RouteInfo:
    [found] = [r for r in info.routes if r.template == template]
    return found


def test_routes_in_router_order_with_handler_and_source() -> None:
    info = collect(build_app())
    assert [(r.template, r.methods) for r in info.routes] == [
        ("/", ("GET",)),
        ("/_debug", ("GET",)),
        ("/users", ("POST", "PUT")),
        ("/users/{user_id}", ("GET",)),
    ]
    show = route(info, "/users/{user_id}")
    assert show.handler == "tests.contrib.sample_app:show_user"
    line = sample_app.show_user.__code__.co_firstlineno
    assert show.source == f"tests/contrib/sample_app.py:{line}"
    assert route(info, "/_debug").handler == (
        "microapi_contrib.introspection._page:IntrospectionPage.respond"
    )


def test_the_dependency_tree_of_a_handler() -> None:
    show = route(collect(build_app()), "/users/{user_id}")
    request = DependencyInfo(
        "request", "value", "microapi.requests:Request", None, "request", True, ()
    )
    database = DependencyInfo(
        "db",
        "service",
        "tests.contrib.sample_app:Database",
        "tests.contrib.sample_app:open_database",
        "app",
        True,
        (),
    )
    session = DependencyInfo(
        "session",
        "service",
        "tests.contrib.sample_app:Session",
        "tests.contrib.sample_app:open_session",
        "request",
        True,
        (database,),
    )
    me = DependencyInfo(
        "me",
        "depends",
        "tests.contrib.sample_app:current_user",
        "tests.contrib.sample_app:current_user",
        "request",
        True,
        (request, session),
    )
    token = DependencyInfo(
        "token",
        "depends",
        "tests.contrib.sample_app:fresh_token",
        "tests.contrib.sample_app:fresh_token",
        "request",
        False,
        (),
    )
    assert show.dependencies == (request, session, me, token)
    assert show.services == (
        "tests.contrib.sample_app:Session",
        "tests.contrib.sample_app:Database",
    )
    assert show.error is None


def test_middleware_in_execution_order_and_services_with_scopes() -> None:
    info = collect(build_app())
    assert [(m.position, m.name) for m in info.middleware] == [
        (1, "microapi_contrib._access_log:AccessLogMiddleware"),
        (2, "microapi_contrib.cors._middleware:CORSMiddleware"),
        (3, "tests.contrib.sample_app:timing"),
    ]
    assert info.middleware[2].source == (
        f"tests/contrib/sample_app.py:{sample_app.timing.__code__.co_firstlineno}"
    )
    assert info.services == (
        ServiceEntry(
            "tests.contrib.sample_app:Database", "tests.contrib.sample_app:open_database", "app"
        ),
        ServiceEntry(
            "tests.contrib.sample_app:Session", "tests.contrib.sample_app:open_session", "request"
        ),
    )


def test_an_active_override_shows_as_the_provider() -> None:
    app = build_app()

    def fake_user() -> str:
        return "fake"

    with app.override(current_user, fake_user):
        me = route(collect(app), "/users").dependencies[0]
    assert me.target == "tests.contrib.sample_app:current_user"
    assert (
        me.provider
        == f"{__name__}:test_an_active_override_shows_as_the_provider.<locals>.fake_user"
    )
    assert me.children == ()
    assert route(collect(app), "/users").dependencies[0].provider == me.target


def test_a_handler_that_cannot_be_prepared_shows_why() -> None:
    app = MicroAPI()

    @app.get("/send")
    async def send(mailer: Mailer) -> None: ...

    broken = route(collect(app), "/send")
    assert broken.dependencies == ()
    assert broken.error is not None
    assert "mailer" in broken.error
    assert "MissingDependencyError" in broken.error


# --- the page ------------------------------------------------------------------------


def test_off_unless_enabled() -> None:
    app = MicroAPI()

    @app.get("/")
    async def index() -> str:
        return "hi"

    with TestClient(app) as client:
        assert client.get("/_debug").status_code == 404


def test_on_a_path_of_your_choosing() -> None:
    app = MicroAPI()
    enable_introspection(app, path="/internal/routes")
    with TestClient(app) as client:
        assert client.get("/internal/routes?format=json").json()["routes"][0]["template"] == (
            "/internal/routes"
        )
        assert client.get("/_debug").status_code == 404


def test_enabling_after_start_up_is_refused() -> None:
    app = MicroAPI()
    with TestClient(app), pytest.raises(AppFrozenError, match="GET /_debug"):
        enable_introspection(app)


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("", None, "html"),
        ("", BROWSER_ACCEPT, "html"),
        ("", "application/json", "json"),
        ("", "application/json, text/html;q=0.5", "json"),
        ("", "text/html, application/json", "html"),  # a tie goes to HTML
        ("", "application/*", "json"),
        ("", "application/json;q=0, */*", "html"),
        ("?format=json", BROWSER_ACCEPT, "json"),
        ("?format=html", "application/json", "html"),
    ],
)
def test_html_or_json(query: str, accept: str | None, expected: str) -> None:
    headers = {} if accept is None else {"accept": accept}
    with TestClient(build_app()) as client:
        response = client.get("/_debug" + query, headers=headers)
    assert response.status_code == 200
    media = {"html": "text/html; charset=utf-8", "json": "application/json"}[expected]
    assert response.headers["content-type"] == media
    assert response.headers["cache-control"] == "no-store"
    assert "Accept" in response.headers["vary"]


def test_an_unknown_format_is_a_400() -> None:
    with TestClient(build_app()) as client:
        response = client.get("/_debug?format=xml")
    assert response.status_code == 400
    assert response.json() == {"detail": "format must be 'html' or 'json'"}


def test_json_and_html_show_the_same_data() -> None:
    app = build_app()
    with TestClient(app) as client:
        data = client.get("/_debug?format=json").json()
        page = client.get("/_debug").text
        head = client.head("/_debug")
    assert data == json.loads(json.dumps(collect(app).as_dict()))
    assert head.status_code == 200
    assert head.content == b""
    for row in data["routes"]:
        assert f"<code>{row['handler']}</code>" in page
        assert row["source"] in page
    for mw in data["middleware"]:
        assert mw["name"] in page
    for service in data["services"]:
        assert f"<td>{service['scope']}</td>" in page


def test_the_page_needs_nothing_from_elsewhere() -> None:
    page = render_html(collect(build_app()))
    assert page.startswith("<!doctype html>")
    for outside in ("<script", "<link", "src=", "http://", "https://", "@import", "url("):
        assert outside not in page


def test_everything_from_the_app_is_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    node = DependencyInfo(evil, "depends", evil, evil + "2", "request", False, ())
    info = AppInfo(
        routes=(
            RouteInfo(evil, (evil,), evil, evil, (node,), (evil,), None),
            RouteInfo("/b", ("GET",), "h", None, (), (), evil),
        ),
        middleware=(MiddlewareInfo(1, evil, evil),),
        services=(ServiceEntry(evil, evil, evil),),
    )
    page = render_html(info)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert page.count("&lt;script&gt;") == 14


# --- naming objects ----------------------------------------------------------------


class Mailer:
    """Never registered."""


class Greeter:
    async def __call__(self) -> str:
        return "hi"

    def greet(self) -> str:
        return "hi"


def greet(name: str) -> str:
    return name


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        (greet, f"{__name__}:greet"),
        (Greeter, f"{__name__}:Greeter"),
        (Greeter(), f"{__name__}:Greeter"),
        (Greeter().greet, f"{__name__}:Greeter.greet"),
        (functools.partial(greet, "x"), f"{__name__}:greet"),
        ("request", "'request'"),
        (len, "builtins:len"),
    ],
)
def test_qualified_names(obj: Any, name: str) -> None:
    assert qualified_name(obj) == name


def test_source_locations() -> None:
    here = f"tests/contrib/test_introspection.py:{greet.__code__.co_firstlineno}"
    assert source_location(greet) == here
    assert source_location(functools.partial(greet, "x")) == here
    assert source_location(Greeter()).startswith("tests/contrib/test_introspection.py:")  # type: ignore[union-attr]
    assert source_location(len) is None
    assert source_location(Depends) is not None


def test_accept_parsing() -> None:
    ranges = parse_accept("text/html;level=1;q=0.7, application/json;q=nope, bad, */*;q=2")
    assert ranges == [("text/html", 0.7), ("application/json", 0.0), ("*/*", 1.0)]
    assert quality(ranges, "text/html") == 0.7
    assert quality(ranges, "image/png") == 1.0
    assert quality([], "text/html") == 0.0
