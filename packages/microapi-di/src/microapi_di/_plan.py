"""A validated graph together with the functions compiled from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._callables import describe
from ._codegen import Mode, compile_call, compile_startup
from ._errors import AsyncInSyncScopeError
from ._graph import Node
from ._tree import DependencyNode, dependency_tree


class Plan:
    """How to call one callable at one scope level, under one state of the container.

    Compiled functions are made on first use and kept: when the registry, the overrides or the
    open app scope change, the plan is replaced, never edited.
    """

    def __init__(self, root: Node, stale: frozenset[object]) -> None:
        self.root = root
        self._stale = stale
        self._async = find_async(root, (), set())
        self._compiled: dict[tuple[bool, bool], Callable[..., Any]] = {}

    @property
    def is_async(self) -> bool:
        """Whether a coroutine function or an async generator is anywhere in the graph."""
        return self._async is not None

    def runner(self, *, is_async: bool, scoped: bool) -> Callable[..., Any]:
        """The compiled function for calling inside an open scope (`scoped`) or in one shot."""
        compiled = self._compiled.get((is_async, scoped))
        if compiled is None:
            if not is_async and self._async is not None:
                raise async_error(self._async)
            mode = Mode(is_async=is_async, scoped=scoped, stale=self._stale)
            compiled = self._compiled[is_async, scoped] = compile_call(self.root, mode)
        return compiled

    def tree(self) -> list[DependencyNode]:
        """The dependency tree, for introspection."""
        return dependency_tree(self.root)


class StartupPlan:
    """Creating every app service, in dependency order, when an app scope is entered."""

    def __init__(self, services: Sequence[Node]) -> None:
        self._services = services
        seen: set[Node] = set()
        self._async: tuple[str, ...] | None = None
        for node in services:
            self._async = find_async(node, (f"service {describe(node.target)}",), seen)
            if self._async is not None:
                break

    def runner(self, *, is_async: bool) -> Callable[..., Any]:
        """The compiled start-up; a synchronous one refuses async factories."""
        if not is_async and self._async is not None:
            raise async_error(self._async)
        return compile_startup(self._services, Mode(is_async=is_async, scoped=True, startup=True))


def find_async(node: Node, chain: tuple[str, ...], seen: set[Node]) -> tuple[str, ...] | None:
    """The hops from `node` to the first callable needing an event loop (`node` included).

    The last element names that callable; `None` when the whole graph is synchronous.
    """
    if node.call_kind.is_async:
        return (*chain, f"{node.label} is {node.call_kind.article}")
    seen.add(node)
    for arg in node.args:
        if arg.node is not None and arg.node not in seen:
            found = find_async(arg.node, (*chain, f"{node.label}({arg.name})"), seen)
            if found is not None:
                return found
    return None


def async_error(chain: tuple[str, ...]) -> AsyncInSyncScopeError:
    """The error for running `chain` (from `find_async`) in a synchronous scope."""
    where = " -> ".join(chain[:-1])
    problem = f"{chain[-1]}, which needs an event loop"
    return AsyncInSyncScopeError(
        f"{where + ': ' if where else ''}{problem}; use the async app_scope, or make it synchronous"
    )
