"""Compiling the registered routes into a DFA that `Router.match` walks without backtracking.

The routes form a trie over their shapes: a static segment is an edge labelled with its text, a
parameter is the one "any non-empty segment" edge. Matching has to find, among all templates
that match the whole path, the smallest in the order "static before parameter, left to right".
A trie walk that tries the static child first would have to backtrack (the "no hiding" rule:
`/users/me/settings` must still reach `/users/{id}/settings` after `/users/me/...` fails), which
is exponential in the worst case.

Instead, a DFA state stands for the *ordered* tuple of trie nodes that the path read so far
reaches, in precedence order. Reading a segment maps each node, in order, to its static child for
that text and then to its parameter child: the result is again in precedence order (an earlier
node's extensions all precede a later node's; within one node, static precedes parameter). At the
end of the path, the first node that ends a template is the winner. This is the subset
construction, kept ordered, built eagerly so that `match` does one dict lookup per segment.

A state is a plain dict whose keys are all str, which CPython looks up fastest:

- `state[text]`: the next state for a segment equal to `text`;
- `state[ANY]`: the next state for any other non-empty segment (the parameter edges), or None
  when there is none: `match` stops there, the path is not found;
- `state[""]`: the dead state, when the empty segment has no static edge but `ANY` has a state (a
  parameter never matches an empty segment). The dead state's `ANY` is None and it has no route;
- `state[END]`: the winning resource's routes, method -> `Entry` (empty where no template ends);
- `state[MISS]`: what `match` returns when `state[END]` lacks the method: the resource's
  `MethodNotAllowed`, or `NOT_FOUND`.

`ANY`, `END` and `MISS` are lone surrogates, which no segment can equal: `match` splits ASCII
paths as they are, and decodes the others strictly as UTF-8, which never yields a surrogate.
Templates with surrogates are refused.

An ordered subset construction can blow up exponentially for contrived route sets (n routes
whose one static segment sits at n different positions give 2**n states). The construction stops
past a budget proportional to the size of the trie, and the router then simulates the ordered
NFA directly on the trie: O(path length x trie width) per match, never exponential.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from ._results import NOT_FOUND, MethodNotAllowed
from ._template import PARAM, Shape

__all__ = [
    "ANY",
    "END",
    "MISS",
    "Entry",
    "Node",
    "Resource",
    "build_dfa",
    "build_trie",
    "walk_nfa",
]

ANY: Final = "\ud800"
END: Final = "\ud801"
MISS: Final = "\ud802"

# (payload, template, name, index); see `make_entry`.
Entry = tuple[Any, str, Any, int | None]
State = dict[str, Any]

# The DFA may hold at most this many transitions per trie edge, plus a constant.
BUDGET_PER_EDGE: Final = 16
BUDGET_BASE: Final = 4096


def make_entry(payload: Any, template: str, params: tuple[tuple[str, int], ...]) -> Entry:
    """What `Router.match` needs to build the `Match` of one route.

    `(payload, template, name, index)`: with no parameter, `name` and `index` are None; with one,
    they are its name and its index in `path.split("/")`; with more, `name` is a function from the
    segments to the params dict and `index` is None. One parameter is the common case, and a dict
    display is the cheapest way to build its dict.
    """
    if not params:
        return (payload, template, None, None)
    if len(params) == 1:
        ((name, index),) = params
        return (payload, template, name, index)
    if len(params) == 2:
        (name1, index1), (name2, index2) = params

        def build(segments: list[str]) -> dict[str, str]:
            return {name1: segments[index1], name2: segments[index2]}

    else:

        def build(segments: list[str]) -> dict[str, str]:
            return {name: segments[index] for name, index in params}

    return (payload, template, build, None)


class Resource:
    """The compiled routes of one shape: method -> `Entry`, and the `MethodNotAllowed` answer."""

    __slots__ = ("entries", "rejected")

    def __init__(self, routes: dict[str, tuple[Any, str, tuple[tuple[str, int], ...]]]) -> None:
        entries = {
            method: make_entry(payload, template, params)
            for method, (payload, template, params) in routes.items()
        }
        if "GET" in entries and "HEAD" not in entries:
            entries["HEAD"] = entries["GET"]
        smallest = min(template for _, template, _ in routes.values())
        self.entries: dict[str, Entry] = entries
        self.rejected = MethodNotAllowed(tuple(sorted(entries)), smallest)


class Node:
    """A trie node: its static children, its parameter child, and its resource if a shape ends."""

    __slots__ = ("param", "resource", "static")

    def __init__(self) -> None:
        self.static: dict[str, Node] = {}
        self.param: Node | None = None
        self.resource: Resource | None = None


def build_trie(resources: Iterable[tuple[Shape, Resource]]) -> tuple[Node, int]:
    """The trie of the shapes and its number of edges."""
    root = Node()
    edges = 0
    for shape, resource in resources:
        node = root
        for key in shape:
            if key is PARAM:
                child = node.param
                if child is None:
                    child = node.param = Node()
                    edges += 1
            else:
                child = node.static.get(key)
                if child is None:
                    child = node.static[key] = Node()
                    edges += 1
            node = child
        node.resource = resource
    return root, edges


def build_dfa(root: Node, budget: int) -> State | None:
    """The start state of the ordered subset construction, or None past `budget`."""
    nowhere: dict[str, Entry] = {}
    dead: State = {ANY: None, END: nowhere, MISS: NOT_FOUND}
    states: dict[tuple[int, ...], State] = {}
    pending: list[tuple[tuple[Node, ...], State]] = []

    def state_of(nodes: tuple[Node, ...]) -> State:
        if not nodes:
            return dead
        key = tuple(map(id, nodes))
        state = states.get(key)
        if state is None:
            state = states[key] = {}
            pending.append((nodes, state))
        return state

    start = state_of((root,))
    spent = 0
    while pending:
        nodes, state = pending.pop()
        texts: dict[str, None] = {}
        for node in nodes:
            texts.update(dict.fromkeys(node.static))
        for text in texts:
            following: list[Node] = []
            for node in nodes:
                child = node.static.get(text)
                if child is not None:
                    following.append(child)
                if text and node.param is not None:
                    following.append(node.param)
            state[text] = state_of(tuple(following))
        default = tuple(node.param for node in nodes if node.param is not None)
        if default:
            state[ANY] = state_of(default)
            if "" not in texts:
                state[""] = dead
        else:
            state[ANY] = None
        winner = next((node.resource for node in nodes if node.resource is not None), None)
        state[END] = nowhere if winner is None else winner.entries
        state[MISS] = NOT_FOUND if winner is None else winner.rejected
        spent += len(state) + len(nodes) * (len(texts) + 1)
        if spent > budget:
            return None
    return start


def walk_nfa(root: Node, segments: list[str]) -> Resource | None:
    """The winning resource for `segments`, by simulating the ordered NFA on the trie.

    Each trie node is reached by one path prefix only, so the active list never holds a node
    twice and never grows past the trie's width at that depth.
    """
    active = [root]
    for segment in segments:
        following: list[Node] = []
        for node in active:
            child = node.static.get(segment)
            if child is not None:
                following.append(child)
            if segment and node.param is not None:
                following.append(node.param)
        if not following:
            return None
        active = following
    return next((node.resource for node in active if node.resource is not None), None)
