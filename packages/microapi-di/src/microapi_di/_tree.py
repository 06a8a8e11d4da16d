"""A read-only view of a prepared callable's dependencies, for introspection pages and tools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._graph import Node
from ._levels import name_of


@dataclass(frozen=True, slots=True)
class DependencyNode:
    """One parameter and what fills it.

    `kind` is ``"depends"`` (a `Depends` marker), ``"service"`` (a registered service) or
    ``"value"`` (a value given to a scope). `target` is the `Depends` callable, the service key
    or the value key as written; `factory` is what actually runs (a replacement while an
    override is active; `None` for values). `children` are the factory's own parameters.
    """

    name: str
    kind: Literal["depends", "service", "value"]
    target: Any
    scope: str
    use_cache: bool
    factory: Callable[..., Any] | None
    children: tuple[DependencyNode, ...]


def dependency_tree(root: Node) -> list[DependencyNode]:
    """The tree under `root`; a shared dependency appears under each of its users."""
    return list(_children(root, {}))


_Seen = dict[Node, tuple[DependencyNode, ...]]


def _children(node: Node, seen: _Seen) -> tuple[DependencyNode, ...]:
    known = seen.get(node)
    if known is None:
        known = seen[node] = tuple(
            _view(arg.name, arg.node, seen) for arg in node.args if arg.node is not None
        )
    return known


def _view(name: str, node: Node, seen: _Seen) -> DependencyNode:
    kind = node.kind
    assert kind != "root"
    return DependencyNode(
        name=name,
        kind=kind,
        target=node.target,
        scope=name_of(node.level),
        use_cache=node.cache_key is not None,
        factory=node.call,
        children=_children(node, seen),
    )
