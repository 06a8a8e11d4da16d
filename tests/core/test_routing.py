"""Route groups and prefixes (SPEC 8.1): full templates, group dependencies, including."""

from collections.abc import Iterator
from typing import Annotated, Any

import microapi.routing
import pytest
from microapi import AppFrozenError, Depends, HTTPException, MicroAPI, Request, Response, RouteGroup
from microapi.testing import TestClient
from microapi_di import MissingDependencyError
from microapi_router import RouteConflictError


def path_of(request: Request) -> str:
    return request.path


def test_route_group_is_importable_from_microapi_and_microapi_routing() -> None:
    assert microapi.routing.RouteGroup is RouteGroup


def test_every_route_decorator_of_the_app_exists_on_a_group() -> None:
    group = RouteGroup("/api")
    group.get("/r")(path_of)
    group.post("/r")(path_of)
    group.put("/r")(path_of)
    group.patch("/r")(path_of)
    group.delete("/r")(path_of)
    group.options("/r")(path_of)
    group.route("/other", methods=["GET", "post"])(path_of)
    group.head("/h")(path_of)
    app = MicroAPI()
    app.include(group)
    with TestClient(app) as client:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            assert client.request(method, "/api/r").json() == "/api/r", method
        assert client.post("/api/other").json() == "/api/other"
        assert client.head("/h").status_code == 404
        assert client.head("/api/h").status_code == 200


def test_the_full_template_is_every_prefix_and_the_path_taken_literally() -> None:
    api = RouteGroup("/api")
    users = RouteGroup("/users")
    api.get("/")(path_of)  # /api + / = /api/
    api.get("")(path_of)  # the prefix itself
    users.get("")(path_of)
    users.get("/active")(path_of)
    api.include(users)
    app = MicroAPI()
    app.include(api)
    templates = sorted(route.template for route in app.router.routes())
    assert templates == ["/api", "/api/", "/api/users", "/api/users/active"]
    with TestClient(app) as client:
        assert client.get("/api").json() == "/api"
        assert client.get("/api/").json() == "/api/"
        assert client.get("/api/users/active").json() == "/api/users/active"
        assert client.get("/api/users/").status_code == 404  # trailing slash is significant


@pytest.mark.parametrize("prefix", ["api", "/api/", "/", "api/"])
def test_a_malformed_prefix_is_refused_naming_it(prefix: str) -> None:
    with pytest.raises(ValueError, match=f"prefix {prefix!r}"):
        RouteGroup(prefix)


def test_a_route_path_must_start_with_a_slash_or_be_empty() -> None:
    group = RouteGroup("/api")
    with pytest.raises(ValueError, match=r"route path 'users' in group '/api'.*'/users'"):
        group.get("users")(path_of)


def test_group_dependencies_must_be_depends_markers() -> None:
    with pytest.raises(TypeError, match=r"route group '/api'.*Depends\("):
        RouteGroup("/api", dependencies=[path_of])  # type: ignore[list-item]


def test_prefix_parameters_reach_the_routes_and_their_dependencies() -> None:
    def owner(request: Request) -> str:
        return request.path_params["user_id"]

    group = RouteGroup("/users/{user_id}")

    @group.get("/posts/{post_id}")
    async def post(request: Request, who: Annotated[str, Depends(owner)]) -> dict[str, str]:
        return {**request.path_params, "who": who}

    app = MicroAPI()
    app.include(group)
    with TestClient(app) as client:
        assert client.get("/users/7/posts/9").json() == {"user_id": "7", "post_id": "9", "who": "7"}


def test_group_dependencies_run_outer_first_then_inner_then_the_handlers_own() -> None:
    events: list[str] = []

    def outer() -> Iterator[str]:
        events.append("outer")
        yield "outer value"
        events.append("outer closed")

    def inner() -> str:
        events.append("inner")
        return "inner value"

    def own() -> str:
        events.append("own")
        return "own value"

    api = RouteGroup("/api", dependencies=[Depends(outer)])
    admin = RouteGroup("/admin", dependencies=[Depends(inner)])

    @admin.get("/stats")
    async def stats(value: Annotated[str, Depends(own)]) -> Any:
        events.append("handler")
        return value  # the group dependencies' values are discarded

    api.include(admin)
    app = MicroAPI()
    app.include(api)
    with TestClient(app) as client:
        assert client.get("/api/admin/stats").json() == "own value"
    assert events == ["outer", "inner", "own", "handler", "outer closed"]


def test_group_dependencies_share_the_request_cache_with_the_handler() -> None:
    calls: list[str] = []

    def current_user() -> str:
        calls.append("looked up")
        return "ada"

    group = RouteGroup("/me", dependencies=[Depends(current_user)])

    @group.get("")
    async def me(user: Annotated[str, Depends(current_user)]) -> str:
        return user

    app = MicroAPI()
    app.include(group)
    with TestClient(app) as client:
        assert client.get("/me").json() == "ada"
        assert client.get("/me").json() == "ada"
    assert calls == ["looked up", "looked up"]  # once per request


def test_an_http_exception_in_a_group_dependency_stops_the_request() -> None:
    ran: list[str] = []

    def require_token(request: Request) -> None:
        if request.headers.get("authorization") != "Token secret":
            raise HTTPException(401, "missing token", headers={"www-authenticate": "Token"})

    group = RouteGroup("/admin", dependencies=[Depends(require_token)])

    @group.delete("/users/{user_id}", status_code=204)
    async def delete_user(request: Request) -> None:
        ran.append(request.path_params["user_id"])

    app = MicroAPI()
    app.include(group)
    with TestClient(app) as client:
        refused = client.delete("/admin/users/1")
        assert (refused.status_code, refused.json()) == (401, {"detail": "missing token"})
        assert refused.headers["www-authenticate"] == "Token"
        assert ran == []
        allowed = client.delete("/admin/users/1", headers={"authorization": "Token secret"})
        assert (allowed.status_code, allowed.content) == (204, b"")
        assert "content-type" not in allowed.headers
    assert ran == ["1"]


def test_a_group_dependency_nothing_can_resolve_fails_at_start_up_naming_route_and_group() -> None:
    class Database: ...

    def needs_db(db: Database) -> None: ...

    group = RouteGroup("/api", dependencies=[Depends(needs_db)])
    group.get("/notes")(path_of)
    app = MicroAPI()
    app.include(group)
    with pytest.raises(MissingDependencyError) as info, TestClient(app):
        pass
    message = str(info.value)
    assert "route GET /api/notes" in message
    assert "group '/api'" in message
    assert "needs_db" in message
    assert "'db'" in message


def test_including_copies_the_routes_and_adding_afterwards_raises() -> None:
    group = RouteGroup("/api")
    group.get("/a")(path_of)
    app = MicroAPI()
    app.include(group)
    with pytest.raises(RuntimeError, match=r"route group '/api'.*included"):
        group.get("/b")(path_of)
    assert [route.template for route in app.router.routes()] == ["/api/a"]


def test_a_group_included_in_a_group_cannot_gain_routes_either() -> None:
    inner = RouteGroup("/inner")
    inner.get("/x")(path_of)
    RouteGroup("/outer").include(inner)
    with pytest.raises(RuntimeError, match="'/inner'"):
        inner.get("/y")(path_of)


def test_one_group_under_two_parents_gets_each_parents_prefix_and_dependencies() -> None:
    seen: list[str] = []

    def v1() -> None:
        seen.append("v1")

    def v2() -> None:
        seen.append("v2")

    items = RouteGroup("/items")
    items.get("")(path_of)
    first = RouteGroup("/v1", dependencies=[Depends(v1)])
    second = RouteGroup("/v2", dependencies=[Depends(v2)])
    first.include(items)
    second.include(items)
    app = MicroAPI()
    app.include(first)
    app.include(second)
    with TestClient(app) as client:
        assert client.get("/v1/items").json() == "/v1/items"
        assert seen == ["v1"]
        assert client.get("/v2/items").json() == "/v2/items"
        assert seen == ["v1", "v2"]


def test_conflicts_across_groups_and_the_app_name_both_full_templates() -> None:
    app = MicroAPI()
    app.get("/api/users/{id}")(path_of)
    group = RouteGroup("/api/users")
    group.get("/{name}")(path_of)
    with pytest.raises(RouteConflictError) as info:
        app.include(group)
    assert "/api/users/{name}" in str(info.value)
    assert "/api/users/{id}" in str(info.value)


def test_including_after_start_up_raises() -> None:
    app = MicroAPI()
    group = RouteGroup("/late")
    group.get("")(path_of)
    with TestClient(app), pytest.raises(AppFrozenError, match="route group '/late'"):
        app.include(group)


def test_include_takes_a_route_group() -> None:
    with pytest.raises(TypeError, match="RouteGroup"):
        MicroAPI().include(object())  # type: ignore[arg-type]


def test_middleware_sees_group_routes_like_any_other() -> None:
    app = MicroAPI()
    seen: list[str] = []

    @app.add_middleware
    async def record(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        seen.append(f"{request.path} {response.status_code}")
        return response

    group = RouteGroup("/api")
    group.get("/ok")(path_of)
    app.include(group)
    with TestClient(app) as client:
        client.get("/api/ok")
        client.get("/api/missing")
    assert seen == ["/api/ok 200", "/api/missing 404"]


def test_routes_remember_their_groups_tags_and_group_dependencies() -> None:
    def guard() -> None: ...

    api = RouteGroup("/api", tags=["api"])
    admin = RouteGroup("/admin", dependencies=[Depends(guard)], tags=["admin", "api"])
    admin.get("/stats")(path_of)
    api.include(admin)
    app = MicroAPI()
    app.include(api)
    (route,) = app.router.routes()
    assert route.payload.groups == ("/api", "/admin")
    assert route.payload.tags == ("api", "admin")
    assert [str(d) for d in route.payload.dependencies] == [
        "tests.core.test_routing:test_routes_remember_their_groups_tags_and_group_dependencies"
        ".<locals>.guard (group '/admin')"
    ]


def test_status_code_applies_to_returned_values_not_to_responses() -> None:
    app = MicroAPI()

    @app.post("/created", status_code=201)
    async def created() -> dict[str, int]:
        return {"id": 1}

    @app.post("/explicit", status_code=201)
    async def explicit() -> Response:
        return Response(b"as is", status_code=202)

    @app.get("/empty", status_code=204)
    async def empty() -> dict[str, str]:
        return {"ignored": "because 204 has no body"}

    @app.get("/unchanged", status_code=304)
    async def unchanged() -> dict[str, str]:
        return {"ignored": "because 304 has no body"}

    with TestClient(app) as client:
        assert (client.post("/created").status_code, client.post("/created").json()) == (
            201,
            {"id": 1},
        )
        assert (client.post("/explicit").status_code, client.post("/explicit").text) == (
            202,
            "as is",
        )
        empty_response = client.get("/empty")
        assert (empty_response.status_code, empty_response.content) == (204, b"")
        assert "content-type" not in empty_response.headers
        assert "content-length" not in empty_response.headers
        unchanged_response = client.get("/unchanged")
        assert (unchanged_response.status_code, unchanged_response.content) == (304, b"")
        assert "content-type" not in unchanged_response.headers


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        ("201", TypeError, "status_code must be an int, got '201'"),
        (True, TypeError, "status_code must be an int, got True"),
        (99, ValueError, "status_code 99 is not a final status"),
        (101, ValueError, "status_code 101 is not a final status"),
        (600, ValueError, "status_code 600 is not a final status"),
    ],
)
def test_a_bad_status_code_is_refused_at_registration_naming_the_route(
    status: Any, error: type[Exception], message: str
) -> None:
    app = MicroAPI()
    group = RouteGroup("/g")

    async def handler() -> str:
        return "x"

    with pytest.raises(error, match=rf"route POST /items: {message}"):
        app.post("/items", status_code=status)(handler)
    group.post("/items", status_code=status)(handler)  # a group's routes are made on include
    with pytest.raises(error, match=rf"route POST /g/items: {message}"):
        app.include(group)
    assert list(app.router.routes()) == []


def test_a_group_without_a_prefix_and_a_keyword_prefix_with_an_empty_path() -> None:
    """`RouteGroup(prefix="", ...)`: no prefix adds nothing; with one, `""` is the prefix."""
    app = MicroAPI()
    plain = RouteGroup()
    named = RouteGroup(prefix="/p")

    @plain.get("/g")
    async def in_plain() -> str:
        return "plain"

    @named.get("")
    async def at_prefix() -> str:
        return "prefix itself"

    app.include(plain)
    app.include(named)
    with TestClient(app) as client:
        assert client.get("/g").json() == "plain"
        assert client.get("/p").json() == "prefix itself"
        assert client.get("/p/").status_code == 404


def test_a_path_tail_through_an_app_route() -> None:
    """`{name:path}` as an app route: every remaining segment, each percent-decoded, joined
    with "/"; never empty; the lowest precedence."""
    app = MicroAPI()

    @app.get("/files/{rest:path}")
    async def files(rest: str) -> str:
        return rest

    @app.get("/files/special")
    async def special() -> str:
        return "static wins"

    with TestClient(app) as client:
        assert client.get("/files/a/b/c.txt").json() == "a/b/c.txt"
        assert client.get("/files/a%20b/c%2Fd").json() == "a b/c/d"
        assert client.get("/files/special").json() == "static wins"
        assert client.get("/files/").status_code == 404
        assert client.get("/files").status_code == 404


def test_a_failing_tenth_group_dependency_is_the_only_one_named() -> None:
    def ok() -> int:
        return 1

    def bad(missing_thing: int) -> int:
        return 1

    group = RouteGroup("/g", dependencies=[Depends(ok)] * 9 + [Depends(bad)])

    @group.get("/x")
    async def handler() -> int:
        return 1

    app = MicroAPI()
    app.include(group)
    with pytest.raises(MissingDependencyError) as failed, TestClient(app):
        pass
    message = str(failed.value)
    assert "group dependency tests.core.test_routing:" in message
    assert "test_a_failing_tenth_group_dependency_is_the_only_one_named.<locals>.bad" in message
    assert ".<locals>.ok" not in message
