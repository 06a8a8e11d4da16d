"""Matching semantics of SPEC section 2, by example."""

from __future__ import annotations

import microapi_router
import pytest
from microapi_router import (
    NOT_FOUND,
    Match,
    MethodNotAllowed,
    NotFound,
    Router,
)


def make(*routes: tuple[str, str]) -> Router[str]:
    """A router with each (method, template) registered under the payload "METHOD template"."""
    router: Router[str] = Router()
    for method, template in routes:
        router.add(method, template, f"{method} {template}")
    return router


def test_public_names() -> None:
    assert set(microapi_router.__all__) == {
        "NOT_FOUND",
        "InvalidMethodError",
        "InvalidPathError",
        "InvalidTemplateError",
        "Match",
        "MethodNotAllowed",
        "NotFound",
        "Route",
        "RouteConflictError",
        "Router",
        "RouterError",
        "__version__",
    }
    for name in microapi_router.__all__:
        assert hasattr(microapi_router, name)


def test_subscripted_router_works() -> None:
    router = Router[str]()
    router.add("GET", "/", "home")
    assert router.match("GET", "/") == Match("home", {}, "/")


def test_static_and_dynamic_match() -> None:
    router = make(("GET", "/users"), ("GET", "/users/{id}"), ("GET", "/users/{id}/posts/{post}"))
    assert router.match("GET", "/users") == Match("GET /users", {}, "/users")
    assert router.match("GET", "/users/7") == Match("GET /users/{id}", {"id": "7"}, "/users/{id}")
    result = router.match("GET", "/users/7/posts/9")
    assert isinstance(result, Match)
    assert result.params == {"id": "7", "post": "9"}
    assert result.template == "/users/{id}/posts/{post}"


def test_many_parameters() -> None:
    router = make(("GET", "/{a}/{b}/{c}/{d}"))
    result = router.match("GET", "/1/2/3/4")
    assert isinstance(result, Match)
    assert result.params == {"a": "1", "b": "2", "c": "3", "d": "4"}


def test_results_are_fresh() -> None:
    router = make(("GET", "/users/{id}"), ("GET", "/"))
    first = router.match("GET", "/users/1")
    assert isinstance(first, Match)
    first.params["id"] = "changed"
    assert router.match("GET", "/users/1") == Match("GET /users/{id}", {"id": "1"}, "/users/{id}")
    home = router.match("GET", "/")
    assert isinstance(home, Match)
    home.params["x"] = "y"
    assert router.match("GET", "/") == Match("GET /", {}, "/")


def test_not_found() -> None:
    router = make(("GET", "/users/{id}"))
    for path in ["/", "/users", "/users/1/more", "/other/1", "", "users/1", "//users/1"]:
        assert router.match("GET", path) is NOT_FOUND, path
    assert isinstance(NOT_FOUND, NotFound)
    assert NotFound() is NOT_FOUND
    assert make().match("GET", "/") is NOT_FOUND


# -- precedence ---------------------------------------------------------------------------


def test_static_beats_dynamic_at_the_same_position() -> None:
    router = make(("GET", "/users/me"), ("GET", "/users/{id}"))
    assert router.match("GET", "/users/me") == Match("GET /users/me", {}, "/users/me")
    assert router.match("GET", "/users/you") == Match(
        "GET /users/{id}", {"id": "you"}, "/users/{id}"
    )


def test_a_failed_static_branch_does_not_hide_a_dynamic_match() -> None:
    router = make(("GET", "/users/me/profile"), ("GET", "/users/{id}/settings"))
    assert router.match("GET", "/users/me/settings") == Match(
        "GET /users/{id}/settings", {"id": "me"}, "/users/{id}/settings"
    )
    assert router.match("GET", "/users/me/profile") == Match(
        "GET /users/me/profile", {}, "/users/me/profile"
    )
    assert router.match("GET", "/users/you/profile") is NOT_FOUND


def test_first_difference_from_the_left_decides() -> None:
    router = make(("GET", "/a/{x}/c"), ("GET", "/a/b/{y}"))
    assert router.match("GET", "/a/b/c") == Match("GET /a/b/{y}", {"y": "c"}, "/a/b/{y}")
    assert router.match("GET", "/a/z/c") == Match("GET /a/{x}/c", {"x": "z"}, "/a/{x}/c")
    router = make(("GET", "/{x}/b/c"), ("GET", "/a/{y}/{z}"))
    assert router.match("GET", "/a/b/c") == Match(
        "GET /a/{y}/{z}", {"y": "b", "z": "c"}, "/a/{y}/{z}"
    )


def test_deep_no_hiding_through_several_levels() -> None:
    router = make(
        ("GET", "/a/b/c/d"),
        ("GET", "/a/b/{x}/e"),
        ("GET", "/a/{y}/c/f"),
        ("GET", "/{z}/b/c/g"),
    )
    assert router.match("GET", "/a/b/c/d") == Match("GET /a/b/c/d", {}, "/a/b/c/d")
    assert router.match("GET", "/a/b/c/e") == Match("GET /a/b/{x}/e", {"x": "c"}, "/a/b/{x}/e")
    assert router.match("GET", "/a/b/c/f") == Match("GET /a/{y}/c/f", {"y": "b"}, "/a/{y}/c/f")
    assert router.match("GET", "/a/b/c/g") == Match("GET /{z}/b/c/g", {"z": "a"}, "/{z}/b/c/g")
    assert router.match("GET", "/a/b/c/h") is NOT_FOUND


def test_path_first_then_method() -> None:
    router = make(("GET", "/users/me"), ("POST", "/users/{id}"))
    # The static template wins the path; it has no POST: 405, even though /users/{id} has one.
    assert router.match("POST", "/users/me") == MethodNotAllowed(("GET", "HEAD"), "/users/me")
    assert router.match("POST", "/users/7") == Match("POST /users/{id}", {"id": "7"}, "/users/{id}")


# -- methods ------------------------------------------------------------------------------


def test_method_not_allowed_lists_sorted_methods_with_head() -> None:
    router = make(("POST", "/items"), ("GET", "/items"), ("DELETE", "/items"))
    assert router.match("PUT", "/items") == MethodNotAllowed(
        ("DELETE", "GET", "HEAD", "POST"), "/items"
    )
    router = make(("POST", "/items"))
    assert router.match("GET", "/items") == MethodNotAllowed(("POST",), "/items")


def test_get_answers_head() -> None:
    router = make(("GET", "/items/{id}"))
    assert router.match("HEAD", "/items/1") == Match("GET /items/{id}", {"id": "1"}, "/items/{id}")


def test_explicit_head_wins_over_get() -> None:
    router = make(("GET", "/items"), ("HEAD", "/items"))
    assert router.match("HEAD", "/items") == Match("HEAD /items", {}, "/items")
    assert router.match("GET", "/items") == Match("GET /items", {}, "/items")
    assert router.match("PUT", "/items") == MethodNotAllowed(("GET", "HEAD"), "/items")


def test_methods_are_case_sensitive() -> None:
    router = make(("GET", "/items"))
    assert router.match("get", "/items") == MethodNotAllowed(("GET", "HEAD"), "/items")
    router.add("get", "/items", "lowercase get")
    assert router.match("get", "/items") == Match("lowercase get", {}, "/items")
    assert router.match("GET", "/items") == Match("GET /items", {}, "/items")


def test_any_method_string_is_answered_not_raised() -> None:
    router = make(("GET", "/items"))
    for method in ["", " ", "G E T", "GET\r\n", "\ud800", "\ud801", "\ud802", "ü", "{}", "/"]:
        assert router.match(method, "/items") == MethodNotAllowed(("GET", "HEAD"), "/items")
        assert router.match(method, "/nothing") is NOT_FOUND


def test_several_methods_in_one_add() -> None:
    router: Router[str] = Router()
    router.add(["GET", "POST"], "/form", "form")
    router.add(("PUT",), "/form", "replace")
    assert router.match("POST", "/form") == Match("form", {}, "/form")
    assert router.match("PUT", "/form") == Match("replace", {}, "/form")
    assert router.match("HEAD", "/form") == Match("form", {}, "/form")


def test_same_shape_with_disjoint_methods_is_one_resource() -> None:
    router = make(("GET", "/users/{id}"), ("DELETE", "/users/{name}"))
    # Each method's own parameter names are used.
    assert router.match("GET", "/users/7") == Match("GET /users/{id}", {"id": "7"}, "/users/{id}")
    assert router.match("DELETE", "/users/7") == Match(
        "DELETE /users/{name}", {"name": "7"}, "/users/{name}"
    )
    # The allowed methods are the union; the template named is the smallest of the shape.
    assert router.match("PUT", "/users/7") == MethodNotAllowed(
        ("DELETE", "GET", "HEAD"), "/users/{id}"
    )


# -- paths --------------------------------------------------------------------------------


def test_trailing_slash_is_significant() -> None:
    router = make(("GET", "/a"), ("GET", "/b/"), ("GET", "/c/{x}/"))
    assert router.match("GET", "/a") == Match("GET /a", {}, "/a")
    assert router.match("GET", "/a/") is NOT_FOUND
    assert router.match("GET", "/b/") == Match("GET /b/", {}, "/b/")
    assert router.match("GET", "/b") is NOT_FOUND
    assert router.match("GET", "/c/1/") == Match("GET /c/{x}/", {"x": "1"}, "/c/{x}/")
    assert router.match("GET", "/c/1") is NOT_FOUND


def test_root() -> None:
    router = make(("GET", "/"), ("GET", "/{x}"))
    assert router.match("GET", "/") == Match("GET /", {}, "/")
    assert router.match("GET", "/a") == Match("GET /{x}", {"x": "a"}, "/{x}")
    assert make(("GET", "/{x}")).match("GET", "/") is NOT_FOUND


def test_empty_segment_matches_only_an_empty_segment() -> None:
    router = make(("GET", "/a/{x}/b"), ("GET", "/c/{x}"))
    assert router.match("GET", "/a//b") is NOT_FOUND
    assert router.match("GET", "/c/") is NOT_FOUND
    router.add("GET", "/a//b", "empty")
    assert router.match("GET", "/a//b") == Match("empty", {}, "/a//b")
    assert router.match("GET", "/a/x/b") == Match("GET /a/{x}/b", {"x": "x"}, "/a/{x}/b")
    assert make(("GET", "//")).match("GET", "//") == Match("GET //", {}, "//")


def test_percent_decoding_after_splitting() -> None:
    router = make(("GET", "/files/{name}"), ("GET", "/files/{name}/raw"))
    assert router.match("GET", "/files/a%2Fb") == Match(
        "GET /files/{name}", {"name": "a/b"}, "/files/{name}"
    )
    assert router.match("GET", "/files/a%2fb/raw") == Match(
        "GET /files/{name}/raw", {"name": "a/b"}, "/files/{name}/raw"
    )
    assert router.match("GET", "/files/%2F") == Match(
        "GET /files/{name}", {"name": "/"}, "/files/{name}"
    )
    assert router.match("GET", "/files/caf%C3%A9%20au%20lait") == Match(
        "GET /files/{name}", {"name": "café au lait"}, "/files/{name}"
    )
    # A plus sign is not a space in a path.
    assert router.match("GET", "/files/a+b") == Match(
        "GET /files/{name}", {"name": "a+b"}, "/files/{name}"
    )


def test_static_segments_compare_decoded() -> None:
    router = make(("GET", "/café"), ("GET", "/100%"), ("GET", "/a b"))
    assert router.match("GET", "/caf%C3%A9") == Match("GET /café", {}, "/café")
    assert router.match("GET", "/caf%c3%a9") == Match("GET /café", {}, "/café")
    assert router.match("GET", "/café") == Match("GET /café", {}, "/café")
    assert router.match("GET", "/%63af%C3%A9") == Match("GET /café", {}, "/café")
    assert router.match("GET", "/100%25") == Match("GET /100%", {}, "/100%")
    assert router.match("GET", "/a%20b") == Match("GET /a b", {}, "/a b")


def test_encoded_empty_looking_segments() -> None:
    router = make(("GET", "/x/{v}"))
    # "%2F" and "%20" decode to non-empty values: a parameter takes them.
    assert router.match("GET", "/x/%20") == Match("GET /x/{v}", {"v": " "}, "/x/{v}")


def test_surrogate_escaped_bytes_decode_as_utf8() -> None:
    router = make(("GET", "/café"), ("GET", "/n/{v}"))
    raw = "/café".encode()
    assert router.match("GET", raw.decode("ascii", "surrogateescape")) == Match(
        "GET /café", {}, "/café"
    )
    value = "/n/ünï".encode().decode("ascii", "surrogateescape")
    assert router.match("GET", value) == Match("GET /n/{v}", {"v": "ünï"}, "/n/{v}")


# -- lifecycle ----------------------------------------------------------------------------


def test_adding_routes_after_matching() -> None:
    router = make(("GET", "/users/{id}"))
    assert router.match("GET", "/users/me") == Match("GET /users/{id}", {"id": "me"}, "/users/{id}")
    router.add("GET", "/users/me", "me")
    assert router.match("GET", "/users/me") == Match("me", {}, "/users/me")
    assert router.match("POST", "/users/me") == MethodNotAllowed(("GET", "HEAD"), "/users/me")
    router.add("POST", "/users/me", "create me")
    assert router.match("POST", "/users/me") == Match("create me", {}, "/users/me")


def test_failed_add_changes_nothing() -> None:
    router = make(("GET", "/a"))
    assert router.match("GET", "/a") == Match("GET /a", {}, "/a")
    with pytest.raises(microapi_router.RouteConflictError):
        router.add(["POST", "GET"], "/a", "conflict")
    assert router.match("POST", "/a") == MethodNotAllowed(("GET", "HEAD"), "/a")
    assert len(router) == 1


def test_two_routers_are_independent() -> None:
    first = make(("GET", "/a"))
    second = make(("GET", "/b"))
    assert first.match("GET", "/b") is NOT_FOUND
    assert second.match("GET", "/a") is NOT_FOUND


def test_result_types_are_usable_in_match_statements() -> None:
    router = make(("GET", "/users/{id}"))
    seen: list[str] = []
    for path, method in [("/users/1", "GET"), ("/users/1", "POST"), ("/nope", "GET")]:
        match router.match(method, path):
            case Match(payload, params, template):
                seen.append(f"{payload} {params} {template}")
            case MethodNotAllowed(allowed=allowed):
                seen.append(f"405 {allowed}")
            case NotFound():
                seen.append("404")
    assert seen == [
        "GET /users/{id} {'id': '1'} /users/{id}",
        "405 ('GET', 'HEAD')",
        "404",
    ]


def test_reprs() -> None:
    assert repr(Match("p", {"a": "1"}, "/{a}")) == (
        "Match(payload='p', params={'a': '1'}, template='/{a}')"
    )
    assert repr(NOT_FOUND) == "NotFound()"
    assert repr(MethodNotAllowed(("GET",), "/")) == (
        "MethodNotAllowed(allowed=('GET',), template='/')"
    )
    assert "2 routes" in repr(make(("GET", "/a"), ("POST", "/a")))
