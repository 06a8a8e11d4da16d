"""Property-based: the router agrees with a brute-force reference that states the rule literally.

The reference tries every registered template against the whole path, keeps those that match,
and picks the winner by comparing segment kinds left to right (static beats parameter beats tail
`{name:path}` at the first position where two candidates differ). It then looks the method up on
the winner's shape. A tail matches when the rest of the path (the decoded segments from its
position on, joined with "/") is not empty. Registration order is shuffled, and the DFA and its
NFA fallback are both checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from microapi_router import (
    NOT_FOUND,
    InvalidPathError,
    Match,
    MethodNotAllowed,
    NotFound,
    RouteConflictError,
    Router,
)

Result = Match[str] | NotFound | MethodNotAllowed

METHODS = ["GET", "HEAD", "POST", "DELETE"]
STATIC_TEXTS = ["a", "b", "c", "", "é"]
PATH_SEGMENTS = ["a", "b", "c", "", "é", "d", "%61", "a%2Fb", "%C3%A9", "%2F", "x y", "%25"]


@dataclass(frozen=True)
class Spec:
    methods: tuple[str, ...]
    template: str
    payload: str


def segments_of(template: str) -> list[str]:
    return template[1:].split("/")


STATIC, PARAM, TAIL = 0, 1, 2  # segment kinds, in precedence order


def kind_of(segment: str) -> int:
    if not segment.startswith("{"):
        return STATIC
    return TAIL if segment.endswith(":path}") else PARAM


def name_of(segment: str) -> str:
    return segment[1:-1].partition(":")[0]


def shape_of(template: str) -> tuple[tuple[int, str], ...]:
    return tuple(
        (kind, segment if kind == STATIC else "")
        for segment in segments_of(template)
        for kind in [kind_of(segment)]
    )


# -- the reference ------------------------------------------------------------------------


def reference_decode(path: str) -> list[str]:
    if re.search(r"%(?![0-9A-Fa-f]{2})", path):
        raise ValueError(path)
    parts = path[1:].split("/")
    return [unquote(part, errors="strict") for part in parts]


def captured(template: str, parts: list[str]) -> dict[str, str] | None:
    """The params of `template` for the decoded `parts`, or None when it does not match."""
    segments = segments_of(template)
    tail = kind_of(segments[-1]) == TAIL
    if len(parts) < len(segments) if tail else len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    for position, segment in enumerate(segments):
        kind = kind_of(segment)
        if kind == TAIL:
            rest = "/".join(parts[position:])
            if rest == "":
                return None
            params[name_of(segment)] = rest
        elif kind == PARAM:
            if parts[position] == "":
                return None
            params[name_of(segment)] = parts[position]
        elif segment != parts[position]:
            return None
    return params


def beats(first: str, second: str) -> bool:
    """Whether `first` wins over `second`: more static at the first position where kinds differ.

    Both match the same path, so they are as long as it or end in a tail, and the first
    difference comes at or before the first tail.
    """
    for a, b in zip(segments_of(first), segments_of(second), strict=False):
        if kind_of(a) != kind_of(b):
            return kind_of(a) < kind_of(b)
    return False


def reference(specs: list[Spec], method: str, path: str) -> Result:
    if not path.startswith("/"):
        return NOT_FOUND
    parts = reference_decode(path)
    candidates = [spec for spec in specs if captured(spec.template, parts) is not None]
    if not candidates:
        return NOT_FOUND
    winner = candidates[0]
    for candidate in candidates[1:]:
        if beats(candidate.template, winner.template):
            winner = candidate
    resource = [spec for spec in specs if shape_of(spec.template) == shape_of(winner.template)]
    by_method = {m: spec for spec in resource for m in spec.methods}
    if method not in by_method and method == "HEAD" and "GET" in by_method:
        method = "GET"
    if method in by_method:
        spec = by_method[method]
        params = captured(spec.template, parts)
        assert params is not None
        return Match(spec.payload, params, spec.template)
    allowed = set(by_method) | ({"HEAD"} if "GET" in by_method else set())
    return MethodNotAllowed(tuple(sorted(allowed)), min(spec.template for spec in resource))


def conflicts(spec: Spec, accepted: list[Spec]) -> bool:
    return any(
        shape_of(other.template) == shape_of(spec.template)
        and set(other.methods) & set(spec.methods)
        for other in accepted
    )


# -- strategies ---------------------------------------------------------------------------


@st.composite
def templates(draw: st.DrawFn) -> str:
    length = draw(st.integers(min_value=1, max_value=4))
    segments: list[str] = []
    for index in range(length):
        name = draw(st.sampled_from(["x", "y", "id"]))
        if index == length - 1 and draw(st.integers(0, 2)) == 0:
            segments.append(f"{{{name}{index}:path}}")
        elif draw(st.booleans()):
            segments.append(f"{{{name}{index}}}")
        else:
            segments.append(draw(st.sampled_from(STATIC_TEXTS)))
    return "/" + "/".join(segments)


@st.composite
def route_sets(draw: st.DrawFn) -> tuple[list[Spec], list[Spec]]:
    """(accepted, refused): the specs in drawing order, split by the conflict rule."""
    count = draw(st.integers(min_value=0, max_value=12))
    accepted: list[Spec] = []
    refused: list[Spec] = []
    for index in range(count):
        methods = tuple(
            draw(st.lists(st.sampled_from(METHODS), min_size=1, max_size=2, unique=True))
        )
        spec = Spec(methods, draw(templates()), f"p{index}")
        (refused if conflicts(spec, accepted) else accepted).append(spec)
    return accepted, refused


@st.composite
def paths(draw: st.DrawFn, specs: list[Spec]) -> str:
    from_template: bool = draw(st.booleans())
    if specs and from_template:
        # A path built from a template, so that matches are common.
        spec = draw(st.sampled_from(specs))
        parts = []
        for segment in segments_of(spec.template):
            kind = kind_of(segment)
            if kind == TAIL:
                parts += draw(st.lists(st.sampled_from(PATH_SEGMENTS), min_size=1, max_size=3))
            elif kind == PARAM:
                parts.append(draw(st.sampled_from(PATH_SEGMENTS)))
            else:
                parts.append(segment)
        parts = [part.replace("é", "%C3%A9") if draw(st.booleans()) else part for part in parts]
    else:
        parts = draw(st.lists(st.sampled_from(PATH_SEGMENTS), min_size=1, max_size=5))
    return "/" + "/".join(parts)


def build(specs: list[Spec]) -> Router[str]:
    router: Router[str] = Router()
    for spec in specs:
        router.add(spec.methods, spec.template, spec.payload)
    return router


def answer(router: Router[str], method: str, path: str) -> Result | str:
    try:
        return router.match(method, path)
    except InvalidPathError:
        return "invalid"


def expected_answer(specs: list[Spec], method: str, path: str) -> Result | str:
    try:
        return reference(specs, method, path)
    except (ValueError, UnicodeDecodeError):
        return "invalid"


# -- properties ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_router_agrees_with_the_reference_in_any_registration_order(data: st.DataObject) -> None:
    accepted, refused = data.draw(route_sets())
    shuffled = data.draw(st.permutations(accepted))
    router = build(shuffled)
    fallback = build(accepted)
    fallback._compile(budget=0)

    # Every refused spec conflicts with an accepted one, whatever the order.
    for spec in refused:
        try:
            router.add(spec.methods, spec.template, spec.payload)
        except RouteConflictError:
            pass
        else:
            raise AssertionError(f"{spec} was accepted")

    assert router.routes() == build(accepted).routes()

    probes = data.draw(st.lists(paths(accepted), min_size=1, max_size=8))
    for path in probes:
        for method in [*METHODS, "PUT", "get"]:
            expected = expected_answer(accepted, method, path)
            assert answer(router, method, path) == expected, (method, path)
            assert answer(fallback, method, path) == expected, (method, path)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_adding_after_matching_equals_adding_first(data: st.DataObject) -> None:
    accepted, _ = data.draw(route_sets())
    split = data.draw(st.integers(min_value=0, max_value=len(accepted)))
    probes = data.draw(st.lists(paths(accepted), min_size=1, max_size=5))
    router = build(accepted[:split])
    for path in probes:
        answer(router, "GET", path)
    for spec in accepted[split:]:
        router.add(spec.methods, spec.template, spec.payload)
    for path in probes:
        for method in METHODS:
            assert answer(router, method, path) == expected_answer(accepted, method, path)


@settings(max_examples=300, deadline=None)
@given(path=st.text(alphabet="/%aé0Fz\udcc3\udca9", max_size=12), method=st.text(max_size=4))
def test_arbitrary_input_raises_nothing_but_invalid_path(path: str, method: str) -> None:
    router = build(
        [
            Spec(("GET",), "/a/{x}", "p0"),
            Spec(("POST",), "/{y}", "p1"),
            Spec(("GET",), "/é/", "p2"),
            Spec(("GET",), "/", "p3"),
            Spec(("GET",), "/a/{rest:path}", "p4"),
            Spec(("GET",), "/{all:path}", "p5"),
        ]
    )
    result = answer(router, method, path)
    assert isinstance(result, Match | NotFound | MethodNotAllowed) or result == "invalid"


def dfa_only(router: Router[str], method: str, path: str) -> Result | str:
    """The answer of the DFA walk alone, without the O(1) lookup of fully static paths."""
    static = router._static
    router._static = {}
    try:
        return answer(router, method, path)
    finally:
        router._static = static


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_static_shortcut_agrees_with_the_dfa(data: st.DataObject) -> None:
    accepted, _ = data.draw(route_sets())
    router = build(data.draw(st.permutations(accepted)))
    router.match("GET", "/")  # compile
    static_paths = [
        spec.template
        for spec in accepted
        if "{" not in spec.template and spec.template.isascii() and "%" not in spec.template
    ]
    # Every fully static template with a plain ASCII path takes the shortcut.
    assert set(router._static) == set(static_paths)
    probes = data.draw(st.lists(paths(accepted), min_size=1, max_size=6))
    for path in [*static_paths, *probes, *(p + "/" for p in static_paths)]:
        for method in [*METHODS, "PUT", "OPTIONS"]:
            expected = expected_answer(accepted, method, path)
            assert dfa_only(router, method, path) == expected, (method, path)
            assert answer(router, method, path) == expected, (method, path)
