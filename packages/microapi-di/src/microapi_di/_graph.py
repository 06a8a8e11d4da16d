"""Building and validating a callable's dependency graph.

The planner follows `Depends` markers, registered services and declared values from a callable's
parameters down to the leaves, and raises a `ResolutionError` naming the whole chain for anything
that cannot work: a parameter nothing provides, a cycle, a narrower scope used from a wider one,
a dependency that is not a usable callable. The result is a graph of `Node` objects that the code
generator turns into straight-line code.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._callables import CallKind, call_kind, describe
from ._errors import (
    CyclicDependencyError,
    DefaultOnlyError,
    InvalidDependencyError,
    MissingDependencyError,
    ScopeViolationError,
)
from ._hooks import Given, Parameter, ParameterHook
from ._levels import name_of
from ._registry import Registry, Service
from ._signature import EMPTY, DependsMarker, Param, SignatureProblem, Unevaluated, read_params

NodeKind = Literal["root", "depends", "service", "value"]


@dataclass(eq=False, slots=True)
class Arg:
    """How one parameter is passed: by position or by name, from a node or a fixed default."""

    name: str
    positional: bool
    node: Node | None
    default: Any = None


@dataclass(eq=False, slots=True)
class Node:
    """One value in the graph. Compared by identity, so a shared dependency is one node.

    `level` is the scope the value lives in; `cache_key` is what the scope caches it under
    (`None` for `use_cache=False`); `touches` holds every overridable target in the subtree, so
    a change of overrides can tell which app-scoped instances no longer apply.
    """

    kind: NodeKind
    target: Any
    call: Callable[..., Any] | None
    call_kind: CallKind
    level: int
    cache_key: Hashable | None
    args: list[Arg] = field(default_factory=list)
    touches: frozenset[Hashable] = frozenset()
    service: Service | None = None

    @property
    def label(self) -> str:
        """The name used in messages and generated code's file names."""
        return describe(self.call if self.call is not None else self.target)

    def with_touches(self) -> Node:
        """Fill `touches` from the children and the node's own target; returns the node."""
        own: set[Hashable] = {self.target} if self.kind in ("depends", "service") else set()
        for arg in self.args:
            if arg.node is not None:
                own |= arg.node.touches
        self.touches = frozenset(own)
        return self


class Planner:
    """Builds graphs against one registry and one set of overrides.

    Nodes are memoised per planner, so a dependency reached along several paths is planned once
    and shared. With `strict=False` (used when a service is registered, before its dependencies
    may exist) a parameter nothing provides is skipped instead of raising.
    """

    def __init__(
        self,
        registry: Registry,
        overrides: Mapping[Hashable, Callable[..., Any]],
        *,
        strict: bool = True,
        hook: ParameterHook | None = None,
        strict_defaults: bool = False,
    ) -> None:
        self._registry = registry
        self._overrides = overrides
        self._strict = strict
        self._hook = hook
        self._strict_defaults = strict_defaults
        self._memo: dict[tuple[object, ...], Node] = {}
        # Nodes being planned, in order, with their labels: finding one again is a cycle.
        self._active: dict[tuple[object, ...], str] = {}

    def root(self, fn: Callable[..., Any], level: int) -> Node:
        """The graph of calling `fn` in a scope at `level`."""
        if not callable(fn):
            raise InvalidDependencyError((), f"cannot prepare {fn!r}: it is not callable")
        return Node(
            kind="root",
            target=fn,
            call=fn,
            call_kind=call_kind(fn),
            level=level,
            cache_key=None,
            args=self._args(fn, level, (), root=True),
        ).with_touches()

    def service(self, service: Service, chain: tuple[str, ...]) -> Node:
        """The graph of creating `service` (its factory, or the override replacing it)."""
        identity = ("service", service)
        known = self._memo.get(identity)
        if known is not None:
            return known
        self._enter(identity, describe(service.key), chain)
        try:
            call = self._overrides.get(service.key, service.factory)
            args = self._args(call, service.level, chain)
        finally:
            del self._active[identity]
        node = Node(
            kind="service",
            target=service.key,
            call=call,
            call_kind=call_kind(call),
            level=service.level,
            cache_key=service,
            args=args,
            service=service,
        ).with_touches()
        self._memo[identity] = node
        return node

    def depends(self, marker: DependsMarker, level: int, chain: tuple[str, ...]) -> Node:
        """The graph of a `Depends` evaluated in a scope at `level`."""
        original = marker.dependency
        if not callable(original):
            raise InvalidDependencyError(chain, f"Depends({original!r}) is not callable")
        try:
            hash(original)
        except TypeError:
            raise InvalidDependencyError(
                chain, f"Depends({describe(original)}) must be hashable: it keys the scope cache"
            ) from None
        identity = ("depends", original, level)
        known = self._memo.get(identity)
        if known is not None and marker.use_cache:
            return known
        self._enter(identity, describe(original), chain)
        try:
            call = self._overrides.get(original, original)
            args = self._args(call, level, chain)
        finally:
            del self._active[identity]
        node = Node(
            kind="depends",
            target=original,
            call=call,
            call_kind=call_kind(call),
            level=level,
            cache_key=original if marker.use_cache else None,
            args=args,
        ).with_touches()
        if marker.use_cache:
            self._memo[identity] = node
        return node

    def _enter(self, identity: tuple[object, ...], label: str, chain: tuple[str, ...]) -> None:
        if identity in self._active:
            labels = list(self._active.values())
            cycle = [*labels[list(self._active).index(identity) :], label]
            raise CyclicDependencyError(chain, f"cycle: {' -> '.join(cycle)}")
        self._active[identity] = label

    def _args(
        self, call: Callable[..., Any], level: int, chain: tuple[str, ...], *, root: bool = False
    ) -> list[Arg]:
        """How to call `call`: positional while no parameter is skipped, by name after that."""
        try:
            params = read_params(call)
        except SignatureProblem as problem:
            hop = describe(call) + (f"({problem.parameter})" if problem.parameter else "")
            raise InvalidDependencyError((*chain, hop), problem.problem) from None
        args: list[Arg] = []
        skipped: list[Param] = []
        for param in params:
            node = self._param(call, param, level, chain, root=root)
            if node is None:
                skipped.append(param)
                continue
            if param.positional_only and skipped:
                # A later positional-only parameter needs the skipped ones' defaults passed.
                args.extend(Arg(p.name, True, None, p.default) for p in skipped)
                skipped.clear()
            args.append(Arg(param.name, param.positional and not skipped, node))
        return args

    def _param(
        self,
        owner: Callable[..., Any],
        param: Param,
        level: int,
        chain: tuple[str, ...],
        *,
        root: bool = False,
    ) -> Node | None:
        """Resolve one parameter: its `Depends`, else the hook's answer, else its type's
        provider, else its name's."""
        here = (*chain, _hop(owner, param))
        if param.marker is not None:
            return self.depends(param.marker, level, here)
        if self._hook is not None:
            answer = self._hook(
                Parameter(
                    param.name,
                    param.annotation,
                    param.declared,
                    param.metadata,
                    param.default,
                    owner,
                )
            )
            if isinstance(answer, DependsMarker):
                return self.depends(answer, level, here)
            if isinstance(answer, Given):
                return self._given(answer.key, level, here)
            if answer is not None:
                raise InvalidDependencyError(
                    here, f"the parameter hook answered {answer!r}, not Depends(...), Given or None"
                )
        annotation = param.annotation
        if isinstance(annotation, Unevaluated):
            annotation = self._by_name(annotation)
        for key in (annotation, param.name):
            node = self._keyed(key, level, here)
            if node is not None:
                return node
        if param.default is not EMPTY and root and self._strict_defaults and self._strict:
            raise DefaultOnlyError(here, param.name, param.default)
        if param.default is not EMPTY or not self._strict:
            return None
        raise MissingDependencyError(here, _nothing_provides(param))

    def _given(self, key: Hashable, level: int, chain: tuple[str, ...]) -> Node:
        """The value the scope at `level` is given under `key`, as a hook said."""
        if not _hashable(key):
            raise InvalidDependencyError(chain, f"the parameter hook's key {key!r} is not hashable")
        identity = ("given", key, level)
        node = self._memo.get(identity)
        if node is None:
            node = Node("value", key, None, CallKind.SYNC, level, key)
            self._memo[identity] = node
        return node

    def _by_name(self, annotation: Unevaluated) -> Any:
        """The one registered type whose name is the annotation's text, if exactly one is."""
        keys = [*self._registry.services, *self._registry.values]
        named = [key for key in keys if getattr(key, "__name__", None) == annotation.text]
        return named[0] if len(named) == 1 else EMPTY

    def _keyed(self, key: Any, level: int, chain: tuple[str, ...]) -> Node | None:
        """The service or declared value registered under `key`, checked against `level`."""
        if key is EMPTY or not _hashable(key):
            return None
        service = self._registry.services.get(key)
        if service is not None:
            _check_scope("service", key, service.level, level, chain)
            return self.service(service, chain)
        declared = self._registry.values.get(key)
        if declared is None:
            return None
        _check_scope("value", key, declared, level, chain)
        identity = ("value", key)
        node = self._memo.get(identity)
        if node is None:
            node = Node("value", key, None, CallKind.SYNC, declared, key)
            self._memo[identity] = node
        return node


def _hop(owner: Callable[..., Any], param: Param) -> str:
    if param.annotation is EMPTY:
        return f"{describe(owner)}({param.name})"
    return f"{describe(owner)}({param.name}: {describe(param.annotation)})"


def _nothing_provides(param: Param) -> str:
    tried = "no Depends"
    if isinstance(param.annotation, Unevaluated):
        tried += (
            f", its annotation {param.annotation.text!r} cannot be evaluated "
            f"({param.annotation.error}) and names no registered type"
        )
    elif param.annotation is not EMPTY:
        tried += f", no service or value for type {describe(param.annotation)}"
    return f"nothing provides parameter {param.name!r} ({tried}, no value named {param.name!r})"


def _check_scope(what: str, key: Any, own: int, wanted: int, chain: tuple[str, ...]) -> None:
    if own > wanted:
        raise ScopeViolationError(
            chain,
            f"{name_of(own)}-scoped {what} {describe(key)} cannot be used from the "
            f"{name_of(wanted)} scope, which outlives it",
        )


def _hashable(key: object) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


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
