"""Compiling the registered routes into a DFA that `Router.match` walks without backtracking.

The routes form a trie over their shapes: a static segment is an edge labelled with its text, a
parameter is the one "any non-empty segment" edge, and a tail parameter `{name:path}` is an edge
into a sink that consumes the rest of the path (see `Node`). Matching has to find, among all
templates that match the whole path, the smallest in the order "static before parameter before
tail, left to right".
A trie walk that tries the static child first would have to backtrack (the "no hiding" rule:
`/users/me/settings` must still reach `/users/{id}/settings` after `/users/me/...` fails), which
is exponential in the worst case.

Instead, a DFA state stands for the *ordered* tuple of trie nodes that the path read so far
reaches, in precedence order. Reading a segment maps each node, in order, to its static child for
that text, then to its parameter child, then to its tail child, and a tail node to itself: the
result is again in precedence order (an earlier node's extensions all precede a later node's;
within one node, static precedes parameter precedes tail). At the end of the path, the first node
that ends a template is the winner. A tail node is entered from one trie node at one depth only,
so no state holds a node twice, and a state holds at most one tail node per tail template. This
is the subset construction, kept ordered, built eagerly so that `match` does one dict lookup per
segment.

A state is a plain dict whose keys are all str, which CPython looks up fastest:

- `state[text]`: the next state for a segment equal to `text`;
- `state[ANY]`: the next state for any other non-empty segment (the parameter edges), or None
  when there is none: `match` stops there, the path is not found;
- `state[""]`: the next state for the empty segment when it has no static edge but `ANY` has a
  state: only tails go on through an empty segment (a parameter never matches one), so it is
  often the dead state, whose `ANY` is None and which has no route;
- `state[END]`: the winning resource's routes, method -> `Entry` (empty where no template ends);
- `state[MISS]`: what `match` returns when `state[END]` lacks the method: the resource's
  `MethodNotAllowed`, or `NOT_FOUND`.

`ANY`, `END` and `MISS` are lone surrogates, which no segment can equal: `match` splits ASCII
paths as they are, and decodes the others strictly as UTF-8, which never yields a surrogate.
Templates with surrogates are refused.

An ordered subset construction can blow up exponentially for contrived route sets (n routes
whose one static segment sits at n different positions give 2**n states). The construction stops
past a budget proportional to the size of the trie, and the router then simulates the ordered
NFA directly on the trie: O(path length x (trie width + tails)) per match, never exponential.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from ._results import NOT_FOUND, MethodNotAllowed
from ._template import PARAM, TAIL, Shape

__all__ = [
    "ANY",
    "END",
    "MISS",
    "Entry",
    "Node",
    "Resource",
    "build_dfa",
    "build_trie",
    "step",
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


def make_entry(
    payload: Any, template: str, params: tuple[tuple[str, int], ...], tail: bool = False
) -> Entry:
    """What `Router.match` needs to build the `Match` of one route.

    `(payload, template, name, index)`: with no parameter, `name` and `index` are None; with one,
    they are its name and its index in `path.split("/")`; with more, or with a tail parameter
    (`tail`: the last parameter's value is the segments from its index on, joined with "/"),
    `name` is a function from the segments to the params dict and `index` is None. One parameter
    is the common case, and a dict display is the cheapest way to build its dict.
    """
    if tail:
        *heads, (tail_name, tail_index) = params
        if not heads:

            def build_tail(segments: list[str]) -> dict[str, str]:
                return {tail_name: "/".join(segments[tail_index:])}

        else:

            def build_tail(segments: list[str]) -> dict[str, str]:
                found = {name: segments[index] for name, index in heads}
                found[tail_name] = "/".join(segments[tail_index:])
                return found

        return (payload, template, build_tail, None)
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

    def __init__(
        self, routes: dict[str, tuple[Any, str, tuple[tuple[str, int], ...], bool]]
    ) -> None:
        entries = {
            method: make_entry(payload, template, params, tail)
            for method, (payload, template, params, tail) in routes.items()
        }
        if "GET" in entries and "HEAD" not in entries:
            entries["HEAD"] = entries["GET"]
        smallest = min(template for _, template, _, _ in routes.values())
        self.entries: dict[str, Entry] = entries
        self.rejected = MethodNotAllowed(tuple(sorted(entries)), smallest)


class Node:
    """A trie node: its static children, its parameter child, and its resource if a shape ends.

    A tail parameter `{name:path}` below a node is two more nodes, because its value (the rest
    of the path) must not be empty: `tail`, entered on a non-empty segment, ends the shape; `blank`,
    entered on an empty segment, does not (a path that ends there has an empty rest). Both have a
    `more` edge, taken on any further segment, empty or not, to `tail`: the sink that consumes the
    rest of the path. Tail nodes have no other children, since a tail is the last segment.
    """

    __slots__ = ("blank", "more", "param", "resource", "static", "tail")

    def __init__(self) -> None:
        self.static: dict[str, Node] = {}
        self.param: Node | None = None
        self.tail: Node | None = None
        self.blank: Node | None = None
        self.more: Node | None = None
        self.resource: Resource | None = None


def build_trie(resources: Iterable[tuple[Shape, Resource]]) -> tuple[Node, int]:
    """The trie of the shapes and its number of edges."""
    root = Node()
    edges = 0
    for shape, resource in resources:
        node = root
        for key in shape:
            if key is TAIL:
                child = node.tail
                if child is None:
                    child = node.tail = Node()
                    blank = node.blank = Node()
                    child.more = blank.more = child
                    edges += 4
            elif key is PARAM:
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
            state[text] = state_of(step(nodes, text))
        default = step(nodes, None)
        if default:
            state[ANY] = state_of(default)
            if "" not in texts:
                state[""] = state_of(step(nodes, ""))
        else:
            state[ANY] = None
        winner = next((node.resource for node in nodes if node.resource is not None), None)
        state[END] = nowhere if winner is None else winner.entries
        state[MISS] = NOT_FOUND if winner is None else winner.rejected
        spent += len(state) + len(nodes) * (len(texts) + 2)
        if spent > budget:
            return None
    return start


def step(nodes: Iterable[Node], segment: str | None) -> tuple[Node, ...]:
    """The nodes that `nodes` (in precedence order) reach by reading `segment`, in that order.

    `segment` None stands for any non-empty segment that is no static edge's text.
    """
    following: list[Node] = []
    for node in nodes:
        if segment is not None:
            child = node.static.get(segment)
            if child is not None:
                following.append(child)
        if segment != "":
            if node.param is not None:
                following.append(node.param)
            if node.tail is not None:
                following.append(node.tail)
        elif node.blank is not None:
            following.append(node.blank)
        if node.more is not None:
            following.append(node.more)
    return tuple(following)


def walk_nfa(root: Node, segments: list[str]) -> Resource | None:
    """The winning resource for `segments`, by simulating the ordered NFA on the trie.

    Each trie node is reached by one path prefix only, and each tail node from one trie node at
    one depth, so the active list never holds a node twice and never grows past the trie's width
    at that depth plus the number of tails.
    """
    active: tuple[Node, ...] = (root,)
    for segment in segments:
        active = step(active, segment)
        if not active:
            return None
    return next((node.resource for node in active if node.resource is not None), None)
