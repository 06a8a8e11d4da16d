"""The `Router`: registration, introspection and matching."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar, cast

from ._compile import (
    ANY,
    BUDGET_BASE,
    BUDGET_PER_EDGE,
    END,
    MISS,
    Entry,
    Node,
    Resource,
    build_dfa,
    build_trie,
    walk_nfa,
)
from ._errors import RouteConflictError
from ._path import split_and_decode
from ._results import NOT_FOUND, Match, MethodNotAllowed, NotFound, Route
from ._template import PARAM, TAIL, ParsedTemplate, Shape, parse_methods, parse_template

__all__ = ["Router"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

_new = object.__new__


class _Endpoint(Generic[T]):
    __slots__ = ("parsed", "payload")

    def __init__(self, parsed: ParsedTemplate, payload: T) -> None:
        self.parsed = parsed
        self.payload = payload


def _shape_order(shape: Shape) -> tuple[tuple[int, str], ...]:
    """The listing's sort key: static segments by text, then `{name}`, then `{name:path}`."""
    return tuple((1, "") if key is PARAM else (2, "") if key is TAIL else (0, key) for key in shape)


class Router(Generic[T]):
    """Maps (method, path) to a payload of the caller's choosing.

    Paths are matched first, by precedence (static segments before `{name}` parameters before
    `{name:path}` tails, left to right, without a failed branch hiding a later one that matches);
    the method is then looked up on the winning template. See the package README for the full rules.

    Routes may be added at any time; the next `match` recompiles. A router is safe to match from
    several threads at once, but not while routes are being added.
    """

    __slots__ = ("_fallback", "_resources", "_start", "_static")

    def __init__(self) -> None:
        # shape -> method -> endpoint; a shape's methods are one resource.
        self._resources: dict[Shape, dict[str, _Endpoint[T]]] = {}
        # The DFA's start state; None when not compiled, or when the DFA was over budget.
        self._start: dict[Any, Any] | None = None
        # The trie root, when the DFA was over budget and `match` simulates the NFA.
        self._fallback: Node | None = None
        # Fully static paths -> the DFA state the walk ends in (see `_compile`); empty when not
        # compiled or when the DFA was over budget.
        self._static: dict[str, dict[Any, Any]] = {}

    # -- registration ---------------------------------------------------------------------

    def add(self, methods: str | Iterable[str], template: str, payload: T) -> None:
        """Register `payload` for `methods` (one method or several) on `template`.

        Raises `InvalidTemplateError`, `InvalidMethodError` or `RouteConflictError`, and then
        registers nothing.
        """
        parsed = parse_template(template)
        listed = parse_methods(methods, template)
        resource = self._resources.get(parsed.shape, {})
        seen: set[str] = set()
        for method in listed:
            if method in seen:
                raise RouteConflictError(method, template, template)
            seen.add(method)
            existing = resource.get(method)
            if existing is not None:
                raise RouteConflictError(method, template, existing.parsed.template)
        endpoint = _Endpoint(parsed, payload)
        for method in listed:
            resource[method] = endpoint
        self._resources[parsed.shape] = resource
        self._start = None
        self._fallback = None
        self._static = {}

    def route(self, template: str, methods: str | Iterable[str]) -> Callable[[F], F]:
        """A decorator registering the function for `methods` on `template`; returns it unchanged.

        The function itself is the payload, so this suits a `Router` whose payload type is a
        callable type.
        """
        parse_template(template)
        listed = parse_methods(methods, template)

        def decorator(function: F) -> F:
            self.add(listed, template, cast(T, function))
            return function

        return decorator

    def get(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for GET (and so HEAD) on `template`."""
        return self.route(template, "GET")

    def post(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for POST on `template`."""
        return self.route(template, "POST")

    def put(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for PUT on `template`."""
        return self.route(template, "PUT")

    def patch(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for PATCH on `template`."""
        return self.route(template, "PATCH")

    def delete(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for DELETE on `template`."""
        return self.route(template, "DELETE")

    def head(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for HEAD on `template` (instead of its GET route)."""
        return self.route(template, "HEAD")

    def options(self, template: str) -> Callable[[F], F]:
        """Register the decorated function for OPTIONS on `template`."""
        return self.route(template, "OPTIONS")

    # -- introspection --------------------------------------------------------------------

    def routes(self) -> list[Route[T]]:
        """Every route, one row per (template, payload), in a deterministic order.

        Rows are sorted by template segments, left to right, a static segment before a
        parameter before a tail parameter, and static segments by text (so `/a` comes before
        `/a/b`), then by template text, then by methods. `methods` is sorted and omits the HEAD
        that GET answers.
        """
        rows: list[tuple[tuple[tuple[int, str], ...], str, tuple[str, ...], T]] = []
        for shape, resource in self._resources.items():
            order = _shape_order(shape)
            groups: dict[tuple[str, int], tuple[T, list[str]]] = {}
            for method, endpoint in resource.items():
                key = (endpoint.parsed.template, id(endpoint.payload))
                groups.setdefault(key, (endpoint.payload, []))[1].append(method)
            for (template, _), (payload, methods) in groups.items():
                rows.append((order, template, tuple(sorted(methods)), payload))
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        return [Route(template, methods, payload) for _, template, methods, payload in rows]

    def __len__(self) -> int:
        """The number of (method, template) pairs registered, not counting implicit HEADs."""
        return sum(len(resource) for resource in self._resources.values())

    def __repr__(self) -> str:
        return f"<Router with {len(self)} routes on {len(self._resources)} resources>"

    # -- matching -------------------------------------------------------------------------

    def match(self, method: str, path: str) -> Match[T] | NotFound | MethodNotAllowed:
        """Match `path` (raw: still percent-encoded), then look `method` up on the winner.

        Returns a `Match`, `NOT_FOUND` or the resource's `MethodNotAllowed`. Raises only
        `InvalidPathError`, for malformed percent-encoding or invalid UTF-8. Methods are
        case-sensitive; any string is accepted (an unknown one gets `MethodNotAllowed`).
        """
        # A fully static template's path, in O(1): the state the DFA walk would end in.
        state = self._static.get(path)
        if state is None:
            state = self._start
            if state is None:
                return self._match_slow(method, path)
            # Percent-decoding only where needed: most paths are plain ASCII.
            decode = "%" in path or not path.isascii()
            segments = split_and_decode(path) if decode else path.split("/")
            for segment in segments:
                following = state.get(segment)
                if following is None:
                    following = state[ANY]
                    if following is None:
                        return NOT_FOUND
                state = following
        entry: Entry | None = state[END].get(method)
        if entry is None:
            not_matched: NotFound | MethodNotAllowed = state[MISS]
            return not_matched
        # `Match(payload, params, template)`, inlined: one call less on the hot path.
        payload, template, name, index = entry
        match: Match[T] = _new(Match)
        match.payload = payload
        match.template = template
        if index is not None:
            match.params = {name: segments[index]}
        elif name is None:
            match.params = {}
        else:
            match.params = name(segments)
        return match

    def _match_slow(self, method: str, path: str) -> Match[T] | NotFound | MethodNotAllowed:
        """Compile, then match; or match by simulating the NFA when the DFA was over budget."""
        if self._fallback is None:
            self._compile()
            if self._start is not None:
                return self.match(method, path)
        assert self._fallback is not None
        segments = split_and_decode(path) if "%" in path or not path.isascii() else path.split("/")
        resource = walk_nfa(self._fallback, segments)
        if resource is None:
            return NOT_FOUND
        entry = resource.entries.get(method)
        if entry is None:
            return resource.rejected
        payload, template, name, index = entry
        if index is not None:
            params = {name: segments[index]}
        elif name is None:
            params = {}
        else:
            params = name(segments)
        return Match(payload, params, template)

    def _compile(self, budget: int | None = None) -> None:
        """Build the DFA, or keep the trie for `walk_nfa` when the DFA is over `budget`."""
        resources = [
            (
                shape,
                Resource(
                    {
                        method: (
                            endpoint.payload,
                            endpoint.parsed.template,
                            endpoint.parsed.params,
                            endpoint.parsed.tail,
                        )
                        for method, endpoint in routes.items()
                    }
                ),
            )
            for shape, routes in self._resources.items()
        ]
        root, edges = build_trie(resources)
        if budget is None:
            budget = BUDGET_BASE + BUDGET_PER_EDGE * edges
        start = build_dfa(root, budget)
        self._start = start
        self._fallback = root if start is None else None
        self._static = {} if start is None else _static_paths(start, self._resources)


def _static_paths(start: dict[Any, Any], shapes: Iterable[Shape]) -> dict[str, dict[Any, Any]]:
    """Each fully static template's path -> the DFA state that `match` ends in for it.

    Only paths that `match` splits as they are (ASCII, no '%') are kept, and only states whose
    routes take no parameter, so a lookup here gives exactly the walk's answer: by precedence a
    static template that matches the whole path wins, and its routes read no segment.
    """
    static: dict[str, dict[Any, Any]] = {}
    for shape in shapes:
        if not all(isinstance(key, str) for key in shape):
            continue
        path = "/".join(cast(tuple[str, ...], shape))
        if "%" in path or not path.isascii():
            continue
        state: dict[Any, Any] | None = start
        for segment in path.split("/"):
            assert state is not None
            following = state.get(segment)
            state = state[ANY] if following is None else following
            if state is None:
                break
        if state is None:
            continue
        if all(name is None and index is None for _, _, name, index in state[END].values()):
            static[path] = state
    return static
