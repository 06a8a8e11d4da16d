"""Bad paths at match time, very long paths, and route sets built to blow up a DFA."""

from __future__ import annotations

import time

import pytest
from microapi_router import NOT_FOUND, InvalidPathError, Match, MethodNotAllowed, Router


def router_with(*templates: str) -> Router[str]:
    router: Router[str] = Router()
    for template in templates:
        router.add("GET", template, template)
    return router


@pytest.mark.parametrize(
    "path",
    [
        "/files/%",
        "/files/%2",
        "/files/%zz",
        "/files/a%g1",
        "/files/%%41",
        "/files/ok/%",  # not matching any template: still refused
        "/nowhere/%x",
        "/files/%ff",  # not UTF-8
        "/files/%C3",  # truncated UTF-8
        "/files/%C3%28",  # invalid continuation byte
        "/files/%ED%A0%80",  # an encoded surrogate
        "/files/%C0%AF",  # an overlong encoding
        "/files/" + chr(0xD800),  # a lone surrogate that is not an escaped byte
        "/files/" + chr(0xDCFF),  # an escaped byte 0xFF: not UTF-8
    ],
)
def test_malformed_encoding_raises_the_dedicated_error(path: str) -> None:
    router = router_with("/files/{name}", "/files/ok")
    with pytest.raises(InvalidPathError) as caught:
        router.match("GET", path)
    assert repr(path) in str(caught.value)
    assert caught.value.path == path
    assert isinstance(caught.value, ValueError)


def test_the_error_message_is_bounded_for_huge_paths() -> None:
    path = "/a" * 50_000 + "/%zz"
    with pytest.raises(InvalidPathError) as caught:
        router_with("/a").match("GET", path)
    assert len(str(caught.value)) < 400
    assert caught.value.path == path


def test_invalid_path_raises_even_on_a_fallback_router() -> None:
    router = router_with("/files/{name}")
    router._compile(budget=0)
    with pytest.raises(InvalidPathError):
        router.match("GET", "/files/%zz")


def best_time(router: Router[str], path: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        router.match("GET", path)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("encoded", [False, True])
@pytest.mark.parametrize("fallback", [False, True])
def test_a_path_of_100000_segments_is_answered_in_linear_time(
    encoded: bool, fallback: bool
) -> None:
    router = router_with("/{a}/{b}", "/a/{b}", "/{a}/a", "/a/a/a", "/{x}/{y}/{z}")
    router.add("POST", "/" + "/".join(["a"] * 100_000), "long")
    if fallback:
        router._compile(budget=0)
    segment = "%61" if encoded else "a"
    short = "/" + "/".join([segment] * 10_000)
    long = "/" + "/".join([segment] * 100_000)
    assert router.match("GET", short) is NOT_FOUND
    assert router.match("GET", long) == MethodNotAllowed(("POST",), "/" + "/".join(["a"] * 100_000))
    assert router.match("POST", long) == Match("long", {}, "/" + "/".join(["a"] * 100_000))
    short_time = best_time(router, short)
    long_time = best_time(router, long)
    assert long_time < 2.0
    # Ten times the segments: about ten times the time, far from quadratic (100x).
    assert long_time < 40 * short_time + 0.01


def adversarial_router(width: int) -> Router[str]:
    """`width` templates of `width` segments, each static ("x") at exactly one position.

    A path reaches a different set of them for each subset of positions holding "x": the
    ordered subset construction has 2**width states. The router must notice and fall back.
    """
    router: Router[str] = Router()
    for position in range(width):
        segments = [f"{{p{i}}}" for i in range(width)]
        segments[position] = "x"
        router.add("GET", "/" + "/".join(segments), f"x at {position}")
    return router


def test_a_route_set_that_would_blow_up_the_dfa_stays_fast_and_correct() -> None:
    width = 40
    router = adversarial_router(width)
    start = time.perf_counter()
    router.match("GET", "/")  # compiles
    assert time.perf_counter() - start < 5.0
    assert router._start is None  # over budget: simulates the NFA
    for positions in [{0}, {3, 7}, {39}, set(range(40)), {5, 6, 7, 8}]:
        path = "/" + "/".join("x" if i in positions else "v" for i in range(width))
        result = router.match("GET", path)
        assert isinstance(result, Match)
        assert result.payload == f"x at {min(positions)}"
    assert router.match("GET", "/" + "/".join(["v"] * width)) is NOT_FOUND
    start = time.perf_counter()
    for _ in range(100):
        router.match("GET", "/" + "/".join(["x"] * width))
    assert time.perf_counter() - start < 2.0


def test_a_small_adversarial_set_still_gets_a_dfa() -> None:
    router = adversarial_router(6)
    router.match("GET", "/")
    assert router._start is not None


def test_many_routes_compile_quickly() -> None:
    router: Router[int] = Router()
    for i in range(10_000):
        router.add("GET", f"/r{i}/items/{{id}}", i)
    start = time.perf_counter()
    assert router.match("GET", "/r9999/items/1") == Match(9999, {"id": "1"}, "/r9999/items/{id}")
    assert time.perf_counter() - start < 10.0
    assert router._start is not None
