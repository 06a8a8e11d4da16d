"""Registration: add, the decorators, the route listing, and every registration error."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from microapi_router import (
    InvalidMethodError,
    InvalidTemplateError,
    Match,
    Route,
    RouteConflictError,
    Router,
    RouterError,
)

Handler = Callable[..., object]


def test_decorators_register_and_return_the_function_unchanged() -> None:
    router: Router[Handler] = Router()

    @router.get("/items/{id}")
    def show(id: str) -> str:
        return f"item {id}"

    @router.post("/items")
    def create() -> str:
        return "created"

    @router.put("/items/{id}")
    def replace(id: str) -> str:
        return "replaced"

    @router.patch("/items/{id}")
    def update(id: str) -> str:
        return "updated"

    @router.delete("/items/{id}")
    def remove(id: str) -> str:
        return "removed"

    @router.head("/items")
    def head() -> str:
        return "head"

    @router.options("/items")
    def options() -> str:
        return "options"

    @router.route("/items/{id}/tags", methods=["GET", "POST"])
    def tags(id: str) -> str:
        return "tags"

    # Unchanged: still the same function, still callable with its own signature.
    assert show("1") == "item 1"
    assert show.__name__ == "show"
    expected = {
        ("GET", "/items/1"): show,
        ("HEAD", "/items/1"): show,
        ("POST", "/items"): create,
        ("PUT", "/items/1"): replace,
        ("PATCH", "/items/1"): update,
        ("DELETE", "/items/1"): remove,
        ("HEAD", "/items"): head,
        ("OPTIONS", "/items"): options,
        ("GET", "/items/1/tags"): tags,
        ("POST", "/items/1/tags"): tags,
    }
    for (method, path), function in expected.items():
        result = router.match(method, path)
        assert isinstance(result, Match), (method, path)
        assert result.payload is function


def test_route_decorator_takes_one_method_as_a_string() -> None:
    router: Router[Handler] = Router()

    @router.route("/x", methods="GET")
    def handler() -> None:
        pass

    assert router.routes() == [Route("/x", ("GET",), handler)]


def test_decorator_arguments_are_checked_before_decorating() -> None:
    router: Router[Handler] = Router()
    with pytest.raises(InvalidMethodError):
        router.route("/x", methods=["GE T"])
    with pytest.raises(InvalidTemplateError):
        router.get("x")


def test_routes_listing_is_sorted_and_deterministic() -> None:
    registrations: list[tuple[tuple[str, ...], str, str]] = [
        (("GET",), "/", "home"),
        (("GET", "POST"), "/users", "users"),
        (("GET",), "/users/me", "me"),
        (("GET",), "/users/{id}", "show"),
        (("DELETE",), "/users/{name}", "remove"),
        (("PUT",), "/users/{id}", "replace"),
        (("GET",), "/users/{id}/posts", "posts"),
        (("GET",), "/{lang}/about", "about"),
        (("GET",), "/a", "a"),
        (("GET",), "/a/", "a slash"),
        (("GET",), "/b", "b"),
    ]
    expected = [
        Route("/", ("GET",), "home"),
        Route("/a", ("GET",), "a"),
        Route("/a/", ("GET",), "a slash"),
        Route("/b", ("GET",), "b"),
        Route("/users", ("GET", "POST"), "users"),
        Route("/users/me", ("GET",), "me"),
        Route("/users/{id}", ("GET",), "show"),
        Route("/users/{id}", ("PUT",), "replace"),
        Route("/users/{name}", ("DELETE",), "remove"),
        Route("/users/{id}/posts", ("GET",), "posts"),
        Route("/{lang}/about", ("GET",), "about"),
    ]
    shuffler = random.Random(1234)
    for _ in range(20):
        shuffler.shuffle(registrations)
        router: Router[str] = Router()
        for methods, template, payload in registrations:
            router.add(methods, template, payload)
        assert router.routes() == expected


def test_routes_lists_one_row_per_template_and_payload() -> None:
    router: Router[object] = Router()
    payload = object()
    router.add("POST", "/x", payload)
    router.add("GET", "/x", payload)
    router.add("DELETE", "/x", "another")
    router.add("PUT", "/{y}", payload)
    assert router.routes() == [
        Route("/x", ("DELETE",), "another"),
        Route("/x", ("GET", "POST"), payload),
        Route("/{y}", ("PUT",), payload),
    ]
    # Methods are as registered, sorted, without the implicit HEAD.
    assert all("HEAD" not in route.methods for route in router.routes())


def test_route_rows_are_frozen() -> None:
    route = Route("/", ("GET",), "p")
    with pytest.raises(AttributeError):
        route.template = "/x"  # type: ignore[misc]


def test_len_counts_method_template_pairs() -> None:
    router: Router[str] = Router()
    router.add(["GET", "POST"], "/a", "a")
    router.add("GET", "/b/{x}", "b")
    assert len(router) == 3


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("", "starts with '/'"),
        ("users", "starts with '/'"),
        ("users/{id}", "starts with '/'"),
        ("/users/{}", "empty braces"),
        ("/users/{id", "unbalanced or nested braces"),
        ("/users/id}", "unbalanced or nested braces"),
        ("/users/{{id}}", "unbalanced or nested braces"),
        ("/users/{i{d}", "unbalanced or nested braces"),
        ("/file-{name}", "whole segment"),
        ("/{name}.txt", "whole segment"),
        ("/a/{x}{y}", "whole segment"),
        ("/a/{x}/b/{x}", "used twice"),
        ("/{x}/{x}", "used twice"),
        ("/{id:int}", "typed parameters"),
        ("/{1abc}", "not a Python identifier"),
        ("/{a-b}", "not a Python identifier"),
        ("/{ id }", "not a Python identifier"),
        ("/\ud800", "surrogate"),
    ],
)
def test_invalid_templates_are_refused_with_a_message_naming_them(
    template: str, fragment: str
) -> None:
    router: Router[str] = Router()
    with pytest.raises(InvalidTemplateError) as caught:
        router.add("GET", template, "payload")
    assert repr(template) in str(caught.value)
    assert fragment in str(caught.value)
    assert caught.value.template == template
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, RouterError)
    assert router.routes() == []


def test_a_template_that_is_not_a_str_is_refused() -> None:
    router: Router[str] = Router()
    with pytest.raises(InvalidTemplateError, match="a template is a str"):
        router.add("GET", b"/x", "payload")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "methods",
    ["", "G T", "GET\n", "GET/1", "(GET)", "GÉT", ["GET", "P:OST"], [], (), ["GET", 1]],
)
def test_invalid_methods_are_refused(methods: object) -> None:
    router: Router[str] = Router()
    with pytest.raises(InvalidMethodError) as caught:
        router.add(methods, "/things/{id}", "payload")  # type: ignore[arg-type]
    assert "'/things/{id}'" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert router.routes() == []


def test_token_methods_are_accepted_as_given() -> None:
    router: Router[str] = Router()
    for method in ["GET", "get", "PROPFIND", "M-SEARCH", "X_CUSTOM", "A!#$%&'*+-.^_`|~1"]:
        router.add(method, "/", method)
        assert router.match(method, "/") == Match(method, {}, "/")


def test_duplicate_method_and_template_is_a_conflict() -> None:
    router: Router[str] = Router()
    router.add("GET", "/users/{id}", "first")
    with pytest.raises(RouteConflictError) as caught:
        router.add("GET", "/users/{id}", "second")
    message = str(caught.value)
    assert "duplicate" in message
    assert "'/users/{id}'" in message
    assert "GET" in message
    assert router.match("GET", "/users/1") == Match("first", {"id": "1"}, "/users/{id}")


def test_same_method_twice_in_one_add_is_a_conflict() -> None:
    router: Router[str] = Router()
    with pytest.raises(RouteConflictError, match="duplicate"):
        router.add(["GET", "GET"], "/x", "twice")
    assert router.routes() == []


def test_templates_equal_up_to_parameter_names_conflict_on_a_shared_method() -> None:
    router: Router[str] = Router()
    router.add(["GET", "PUT"], "/users/{id}/posts/{post}", "first")
    with pytest.raises(RouteConflictError) as caught:
        router.add(["DELETE", "PUT"], "/users/{name}/posts/{p}", "second")
    message = str(caught.value)
    assert "'/users/{name}/posts/{p}'" in message
    assert "'/users/{id}/posts/{post}'" in message
    assert "PUT" in message
    assert "parameter names" in message
    # Nothing of the failed call was registered, not even its DELETE.
    assert router.routes() == [Route("/users/{id}/posts/{post}", ("GET", "PUT"), "first")]


def test_head_and_get_do_not_conflict() -> None:
    router: Router[str] = Router()
    router.add("GET", "/x", "get")
    router.add("HEAD", "/x", "head")
    assert len(router) == 2


def test_exception_hierarchy() -> None:
    from microapi_router import InvalidPathError

    assert issubclass(InvalidTemplateError, RouterError)
    assert issubclass(InvalidTemplateError, ValueError)
    assert issubclass(InvalidMethodError, RouterError)
    assert issubclass(InvalidMethodError, ValueError)
    assert issubclass(InvalidPathError, RouterError)
    assert issubclass(InvalidPathError, ValueError)
    assert issubclass(RouteConflictError, RouterError)
    assert not issubclass(RouteConflictError, ValueError)
    assert issubclass(RouterError, Exception)
