"""The tail parameter `{name:path}` (SPEC 8.3, last bullet): registration, matching, precedence.

Every matching test runs twice: on the compiled DFA and on the trie-walk fallback.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest
from microapi_router import (
    NOT_FOUND,
    InvalidPathError,
    InvalidTemplateError,
    Match,
    MethodNotAllowed,
    Route,
    RouteConflictError,
    Router,
)

Make = Callable[..., Router[str]]


@pytest.fixture(params=["dfa", "fallback"])
def make(request: pytest.FixtureRequest) -> Make:
    """Builds a router with each (method, template) under the payload "METHOD template"."""

    def build(*routes: tuple[str, str]) -> Router[str]:
        router: Router[str] = Router()
        for method, template in routes:
            router.add(method, template, f"{method} {template}")
        if request.param == "fallback":
            router._compile(budget=0)
            assert router._start is None
        else:
            router._compile()
            assert router._start is not None
        return router

    return build


def winner(router: Router[str], path: str, method: str = "GET") -> object:
    """The matched template and its params, or the result itself when it is not a `Match`."""
    result = router.match(method, path)
    if isinstance(result, Match):
        return result.template, result.params
    return result


# -- registration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("/{rest:path}/a", "must be the last segment"),
        ("/a/{rest:path}/", "must be the last segment"),
        ("/{x:path}/{y:path}", "must be the last segment"),
        ("/{:path}", "has no name"),
        ("/{x:int}", "typed parameters like '{x:int}' are not supported"),
        ("/{x:}", "typed parameters"),
        ("/{x:PATH}", "typed parameters"),
        ("/{x:path:y}", "typed parameters"),
        ("/{1x:path}", "not a Python identifier"),
        ("/{x}/{x:path}", "used twice"),
        ("/file-{x:path}", "whole segment"),
        ("/{x:path", "unbalanced"),
    ],
)
def test_misplaced_or_malformed_tails_are_refused(template: str, fragment: str) -> None:
    router: Router[str] = Router()
    with pytest.raises(InvalidTemplateError) as caught:
        router.add("GET", template, "payload")
    assert repr(template) in str(caught.value)
    assert fragment in str(caught.value)
    assert router.routes() == []


def test_unsupported_converters_name_the_one_that_is_supported() -> None:
    with pytest.raises(InvalidTemplateError, match=r"the only converter is ':path'"):
        Router[str]().add("GET", "/items/{id:int}", "payload")


def test_tails_equal_up_to_parameter_names_conflict_on_a_shared_method() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/{x:path}", "x")
    with pytest.raises(RouteConflictError) as caught:
        router.add(["POST", "GET"], "/a/{y:path}", "y")
    assert "'/a/{y:path}'" in str(caught.value)
    assert "'/a/{x:path}'" in str(caught.value)
    with pytest.raises(RouteConflictError, match="duplicate route"):
        router.add("GET", "/a/{x:path}", "again")
    assert len(router) == 1


def test_tails_equal_up_to_parameter_names_with_disjoint_methods_are_one_resource() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/{y:path}", "y")
    router.add("POST", "/a/{x:path}", "x")
    assert router.match("GET", "/a/b/c") == Match("y", {"y": "b/c"}, "/a/{y:path}")
    assert router.match("POST", "/a/b/c") == Match("x", {"x": "b/c"}, "/a/{x:path}")
    assert router.match("PUT", "/a/b/c") == MethodNotAllowed(("GET", "HEAD", "POST"), "/a/{x:path}")


def test_a_parameter_and_a_tail_at_the_same_position_are_different_shapes() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/{x}", "one")
    router.add("GET", "/a/{x:path}", "tail")  # no conflict
    router.add("GET", "/a/{x}/{y:path}", "both")
    assert len(router) == 3


def test_the_listing_puts_tails_last_at_their_position_whatever_the_order() -> None:
    registrations: list[tuple[str, str]] = [
        ("GET", "/"),
        ("GET", "/a"),
        ("GET", "/a/b"),
        ("GET", "/a/{x}"),
        ("GET", "/a/{x}/c"),
        ("GET", "/a/{rest:path}"),
        ("POST", "/a/{other:path}"),
        ("GET", "/{p:path}"),
        ("GET", "/{x}/{p:path}"),
        ("GET", "/{x}"),
    ]
    expected = [
        Route("/", ("GET",), "GET /"),
        Route("/a", ("GET",), "GET /a"),
        Route("/a/b", ("GET",), "GET /a/b"),
        Route("/a/{x}", ("GET",), "GET /a/{x}"),
        Route("/a/{x}/c", ("GET",), "GET /a/{x}/c"),
        Route("/a/{other:path}", ("POST",), "POST /a/{other:path}"),
        Route("/a/{rest:path}", ("GET",), "GET /a/{rest:path}"),
        Route("/{x}", ("GET",), "GET /{x}"),
        Route("/{x}/{p:path}", ("GET",), "GET /{x}/{p:path}"),
        Route("/{p:path}", ("GET",), "GET /{p:path}"),
    ]
    shuffler = random.Random(16)
    for _ in range(20):
        shuffler.shuffle(registrations)
        router: Router[str] = Router()
        for method, template in registrations:
            router.add(method, template, f"{method} {template}")
        assert router.routes() == expected


# -- what a tail matches ------------------------------------------------------------------


def test_a_tail_matches_one_or_more_segments_and_captures_the_rest(make: Make) -> None:
    router = make(("GET", "/static/{file:path}"))
    t = "/static/{file:path}"
    assert winner(router, "/static/a") == (t, {"file": "a"})
    assert winner(router, "/static/a/b.css") == (t, {"file": "a/b.css"})
    assert winner(router, "/static/a/b/c/d") == (t, {"file": "a/b/c/d"})
    assert router.match("GET", "/static/a") == Match("GET " + t, {"file": "a"}, t)


def test_a_tail_needs_a_non_empty_rest(make: Make) -> None:
    router = make(("GET", "/static/{file:path}"))
    t = "/static/{file:path}"
    assert router.match("GET", "/static") is NOT_FOUND
    assert router.match("GET", "/static/") is NOT_FOUND  # the rest is ""
    assert router.match("GET", "/other/a") is NOT_FOUND
    # The value is the rest of the path after the prefix's slash, as it is: a trailing slash and
    # empty segments are kept, as long as the rest is not empty.
    assert winner(router, "/static/a/") == (t, {"file": "a/"})
    assert winner(router, "/static//") == (t, {"file": "/"})
    assert winner(router, "/static//a") == (t, {"file": "/a"})
    assert winner(router, "/static/a//b") == (t, {"file": "a//b"})
    assert winner(router, "/static///") == (t, {"file": "//"})


def test_a_tail_at_the_root(make: Make) -> None:
    router = make(("GET", "/{p:path}"))
    assert router.match("GET", "/") is NOT_FOUND
    assert router.match("GET", "") is NOT_FOUND
    assert router.match("GET", "a/b") is NOT_FOUND
    assert winner(router, "/a") == ("/{p:path}", {"p": "a"})
    assert winner(router, "//") == ("/{p:path}", {"p": "/"})
    assert winner(router, "/a/b/") == ("/{p:path}", {"p": "a/b/"})


def test_parameters_before_a_tail(make: Make) -> None:
    router = make(("GET", "/users/{id}/files/{path:path}"))
    t = "/users/{id}/files/{path:path}"
    assert winner(router, "/users/7/files/a/b") == (t, {"id": "7", "path": "a/b"})
    assert router.match("GET", "/users//files/a") is NOT_FOUND  # {id} is never empty
    assert router.match("GET", "/users/7/files/") is NOT_FOUND


def test_tail_segments_are_decoded_one_by_one_then_joined(make: Make) -> None:
    router = make(("GET", "/files/{p:path}"), ("GET", "/one/{p}"))
    assert winner(router, "/files/caf%C3%A9/x%20y") == ("/files/{p:path}", {"p": "café/x y"})
    assert winner(router, "/files/100%25") == ("/files/{p:path}", {"p": "100%"})
    # An encoded slash decodes to "/", as it does in a one-segment parameter: the value cannot
    # tell it from a real slash (a static file server refuses encoded slashes itself).
    assert winner(router, "/files/a%2Fb/c") == ("/files/{p:path}", {"p": "a/b/c"})
    assert winner(router, "/files/a/b/c") == ("/files/{p:path}", {"p": "a/b/c"})
    assert winner(router, "/one/a%2Fb") == ("/one/{p}", {"p": "a/b"})
    # ... but it does not split the path: "%2F" is one segment, so no empty rest either.
    assert winner(router, "/files/%2F") == ("/files/{p:path}", {"p": "/"})
    with pytest.raises(InvalidPathError):
        router.match("GET", "/files/a/%zz")
    with pytest.raises(InvalidPathError):
        router.match("GET", "/files/a/%ff")


# -- precedence ---------------------------------------------------------------------------


def test_static_and_parameter_beat_a_tail_at_the_same_position(make: Make) -> None:
    router = make(("GET", "/a/{rest:path}"), ("GET", "/a/{x}"), ("GET", "/a/b"))
    assert winner(router, "/a/b") == ("/a/b", {})
    assert winner(router, "/a/c") == ("/a/{x}", {"x": "c"})
    assert winner(router, "/a/b/c") == ("/a/{rest:path}", {"rest": "b/c"})
    assert winner(router, "/a/b/") == ("/a/{rest:path}", {"rest": "b/"})


def test_branches_that_fail_deeper_do_not_hide_a_tail(make: Make) -> None:
    router = make(
        ("GET", "/a/{rest:path}"),
        ("GET", "/a/b/c/d"),
        ("GET", "/a/{x}/c"),
        ("GET", "/a/{x}/{y}/e"),
    )
    assert winner(router, "/a/b/c/d") == ("/a/b/c/d", {})
    assert winner(router, "/a/b/c") == ("/a/{x}/c", {"x": "b"})
    assert winner(router, "/a/z/y/e") == ("/a/{x}/{y}/e", {"x": "z", "y": "y"})
    # Each of these fails somewhere below /a/b or /a/{x}: the tail still matches.
    assert winner(router, "/a/b/c/x") == ("/a/{rest:path}", {"rest": "b/c/x"})
    assert winner(router, "/a/b/c/d/e") == ("/a/{rest:path}", {"rest": "b/c/d/e"})
    assert winner(router, "/a/b/x") == ("/a/{rest:path}", {"rest": "b/x"})
    assert winner(router, "/a/b/c/") == ("/a/{rest:path}", {"rest": "b/c/"})


def test_the_first_difference_from_the_left_still_decides(make: Make) -> None:
    router = make(("GET", "/{x}/b/{p:path}"), ("GET", "/a/{q:path}"))
    # Both match; they differ first at position 0, where /a/{q:path} is static.
    assert winner(router, "/a/b/c") == ("/a/{q:path}", {"q": "b/c"})
    assert winner(router, "/z/b/c") == ("/{x}/b/{p:path}", {"x": "z", "p": "c"})


def test_the_deeper_of_two_tails_wins_when_it_matches(make: Make) -> None:
    router = make(("GET", "/a/{p:path}"), ("GET", "/a/b/{q:path}"))
    assert winner(router, "/a/b/c") == ("/a/b/{q:path}", {"q": "c"})
    assert winner(router, "/a/b/c/d") == ("/a/b/{q:path}", {"q": "c/d"})
    # /a/b/{q:path} needs a non-empty rest after "b/": the shallower tail takes these.
    assert winner(router, "/a/b") == ("/a/{p:path}", {"p": "b"})
    assert winner(router, "/a/b/") == ("/a/{p:path}", {"p": "b/"})
    assert winner(router, "/a/c/d") == ("/a/{p:path}", {"p": "c/d"})


def test_a_static_empty_segment_beats_a_tail(make: Make) -> None:
    router = make(("GET", "/a/"), ("GET", "/a/{p:path}"), ("GET", "/a//b"))
    assert winner(router, "/a/") == ("/a/", {})
    assert winner(router, "/a//b") == ("/a//b", {})
    assert winner(router, "/a//c") == ("/a/{p:path}", {"p": "/c"})


def test_path_first_then_method_with_tails(make: Make) -> None:
    router = make(("GET", "/files/{p:path}"), ("POST", "/files/{name}"))
    assert winner(router, "/files/a/b", "HEAD") == ("/files/{p:path}", {"p": "a/b"})
    assert router.match("POST", "/files/a/b") == MethodNotAllowed(
        ("GET", "HEAD"), "/files/{p:path}"
    )
    assert winner(router, "/files/a", "POST") == ("/files/{name}", {"name": "a"})
    # One segment: /files/{name} wins the path, and it has no GET.
    assert router.match("GET", "/files/a") == MethodNotAllowed(("POST",), "/files/{name}")


# -- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fallback", [False, True])
def test_a_tail_of_100000_segments_is_captured_in_linear_time(fallback: bool) -> None:
    router: Router[str] = Router()
    for template in ["/{a}/{p:path}", "/a/{p:path}", "/a/a/a", "/{x}/{y}/{z}", "/a/{x}/{p:path}"]:
        router.add("GET", template, template)
    router._compile(budget=0 if fallback else None)
    assert (router._start is None) == fallback
    short = "/" + "/".join(["a"] * 10_000)
    long = "/" + "/".join(["a"] * 100_000)
    result = router.match("GET", long)
    assert isinstance(result, Match)
    assert result.template == "/a/{x}/{p:path}"
    assert result.params["p"] == "/".join(["a"] * 99_998)

    def best(path: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            router.match("GET", path)
            times.append(time.perf_counter() - start)
        return min(times)

    assert best(long) < 40 * best(short) + 0.01


def test_many_tails_at_many_depths_compile_and_match_quickly() -> None:
    router: Router[int] = Router()
    depth = 200
    for i in range(depth):
        router.add("GET", "/" + "a/" * i + f"{{p{i}:path}}", i)
    start = time.perf_counter()
    path = "/" + "/".join(["a"] * (depth + 5))
    result = router.match("GET", path)
    assert isinstance(result, Match)
    assert result.payload == depth - 1
    assert router.match("GET", "/" + "/".join(["a"] * 10) + "/b") == Match(
        10, {"p10": "b"}, "/" + "a/" * 10 + "{p10:path}"
    )
    assert time.perf_counter() - start < 5.0


def test_a_blow_up_route_set_with_tails_falls_back_and_stays_correct() -> None:
    width = 30
    router: Router[str] = Router()
    for position in range(width):
        segments = [f"{{p{i}}}" for i in range(width)]
        segments[position] = "x"
        router.add("GET", "/" + "/".join(segments) + "/{rest:path}", f"x at {position}")
    router.add("GET", "/{rest:path}", "root tail")
    router.match("GET", "/")
    assert router._start is None
    for positions in [{0}, {3, 7}, {29}, set(range(30))]:
        path = "/" + "/".join("x" if i in positions else "v" for i in range(width)) + "/t/u"
        result = router.match("GET", path)
        assert isinstance(result, Match)
        assert result.payload == f"x at {min(positions)}"
        assert result.params["rest"] == "t/u"
    path = "/" + "/".join(["v"] * width) + "/t"
    assert router.match("GET", path) == Match("root tail", {"rest": path[1:]}, "/{rest:path}")
