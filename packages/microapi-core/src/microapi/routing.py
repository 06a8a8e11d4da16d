"""Routes as the app keeps them, and route groups: prefixes and dependencies shared by routes.

For tools (introspection, OpenAPI): `Route` describes a registered route; `Binding` one request
parameter (or the body) a route reads, with its `source`, `key`, `annotation`, `default`
(`inspect.Parameter.empty` when required), `required`, `many` (a list) and `owner`.

`RouteDecorators` is the one set of route decorators, shared by `MicroAPI` and `RouteGroup`. A
group only collects declarations; nothing reaches the router until `app.include(group)`, which
registers each route under its full template. The router itself knows nothing of groups.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from microapi_di import (
    CallKind,
    Container,
    DefaultOnlyError,
    DependencyNode,
    DependsMarker,
    Given,
    Parameter,
    Prepared,
    ResolutionError,
    call_kind,
)

from ._binding import EMPTY, Binder, Binding, BindingError, plan_binding
from ._handler import converter, group_parameter, with_group_dependencies
from ._naming import qualified_name
from .background import BackgroundTasks
from .params import Param, Source
from .responses import Response

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["Binding", "GroupDependency", "Route", "RouteDecorators", "RouteGroup"]

_TEMPLATE_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def method_names(path: str, methods: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased method names; a bare string is refused (it would iterate by letter)."""
    if isinstance(methods, str):
        raise TypeError(f"methods for {path} must be a list such as ['GET'], not {methods!r}")
    return tuple(method.upper() for method in methods)


def check_prefix(prefix: str, what: str) -> None:
    """A path prefix is empty, or starts with `/` and does not end with one (`/api`)."""
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(
            f"{what} {prefix!r} must be empty or start with '/' and not end "
            f"with '/' (for example {'/' + prefix.strip('/')!r})"
        )


class RouteDecorators:
    """`route`, `get`, `post`, ...: every one ends in `add_route`, which the class defines."""

    def add_route(
        self,
        path: str,
        fn: Callable[..., Any],
        methods: Iterable[str],
        *,
        status_code: int = 200,
    ) -> None:
        raise NotImplementedError

    def route(
        self, path: str, methods: Iterable[str], *, status_code: int = 200
    ) -> Callable[[F], F]:
        """Register the decorated function for `methods` on the path template `path`.

        `status_code` is the status of a return value that is not a `Response` (a returned
        `Response` is sent as it is); with 204 or 304 the answer has no body.
        """
        methods = method_names(path, methods)

        def register(fn: F) -> F:
            self.add_route(path, fn, methods, status_code=status_code)
            return fn

        return register

    def get(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register a GET handler (it also answers HEAD)."""
        return self.route(path, ["GET"], status_code=status_code)

    def post(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register a POST handler."""
        return self.route(path, ["POST"], status_code=status_code)

    def put(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register a PUT handler."""
        return self.route(path, ["PUT"], status_code=status_code)

    def patch(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register a PATCH handler."""
        return self.route(path, ["PATCH"], status_code=status_code)

    def delete(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register a DELETE handler."""
        return self.route(path, ["DELETE"], status_code=status_code)

    def head(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register a HEAD handler (instead of the one GET provides)."""
        return self.route(path, ["HEAD"], status_code=status_code)

    def options(self, path: str, *, status_code: int = 200) -> Callable[[F], F]:
        """Register an OPTIONS handler (instead of the automatic `Allow` answer)."""
        return self.route(path, ["OPTIONS"], status_code=status_code)


@dataclass(frozen=True, slots=True)
class GroupDependency:
    """A dependency a route runs because of a group: the group's prefix and the marker."""

    group: str
    marker: DependsMarker

    def __str__(self) -> str:
        return f"{qualified_name(self.marker.dependency)} (group {self.group!r})"


@dataclass(frozen=True, slots=True)
class RouteDeclaration:
    """A route as a group holds it: its path so far, and what enclosing groups added.

    `groups` are the enclosing groups' prefixes, outermost first (`''` for an empty prefix);
    `dependencies` their markers in the order they run (outer groups first).
    """

    path: str
    fn: Callable[..., Any]
    methods: tuple[str, ...]
    status_code: int = 200
    dependencies: tuple[GroupDependency, ...] = ()
    tags: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def under(self, group: RouteGroup) -> RouteDeclaration:
        """This declaration as seen from outside `group`."""
        return replace(
            self,
            path=group.prefix + self.path,
            dependencies=(
                *(GroupDependency(group.prefix, marker) for marker in group.dependencies),
                *self.dependencies,
            ),
            tags=tuple(dict.fromkeys((*group.tags, *self.tags))),
            groups=(group.prefix, *self.groups),
        )


class RouteGroup(RouteDecorators):
    """Routes sharing a path prefix, dependencies and tags; include it in an app or a group.

    `prefix` is empty or starts with `/` and does not end with one; it may hold parameters
    (`/users/{user_id}`), which its routes receive. `dependencies` are `Depends(...)` markers
    run for every route of the group before the route's own (outer groups first), their values
    discarded. `tags` are kept for API descriptions. Including copies the routes as they are
    then; adding a route to a group once it has been included raises.
    """

    def __init__(
        self,
        prefix: str = "",
        *,
        dependencies: Sequence[DependsMarker] = (),
        tags: Sequence[str] = (),
    ) -> None:
        check_prefix(prefix, "route group prefix")
        for marker in dependencies:
            if not isinstance(marker, DependsMarker):
                raise TypeError(
                    f"dependencies of route group {prefix!r} must be Depends(...) markers, "
                    f"got {marker!r}; write Depends({qualified_name(marker)})"
                )
        if isinstance(tags, str):
            raise TypeError(f"tags of route group {prefix!r} must be a list, not {tags!r}")
        self.prefix = prefix
        self.dependencies = tuple(dependencies)
        self.tags = tuple(tags)
        self._declarations: list[RouteDeclaration] = []
        self._included = False

    def add_route(
        self,
        path: str,
        fn: Callable[..., Any],
        methods: Iterable[str],
        *,
        status_code: int = 200,
    ) -> None:
        """Add `fn` for `methods` at `prefix + path`; `""` is the prefix itself."""
        methods = method_names(path, methods)
        self._check_open(f"add route {', '.join(methods)} {path!r}")
        if path and not path.startswith("/"):
            raise ValueError(
                f"route path {path!r} in group {self.prefix!r} must start with '/' "
                f"(or be '' for the prefix itself): write {'/' + path!r}"
            )
        if not callable(fn):
            raise TypeError(f"handler for {self.prefix + path} must be callable, got {fn!r}")
        self._declarations.append(RouteDeclaration(path, fn, methods, status_code))

    def include(self, other: RouteGroup) -> None:
        """Copy `other`'s routes into this group, under this group's prefix and dependencies."""
        if other is self:
            raise ValueError(f"route group {self.prefix!r} cannot include itself")
        self._check_open(f"include group {other.prefix!r}")
        self._declarations.extend(other.declarations())

    def declarations(self) -> list[RouteDeclaration]:
        """The routes as seen from outside; the group counts as included from now on."""
        self._included = True
        return [declaration.under(self) for declaration in self._declarations]

    def _check_open(self, action: str) -> None:
        if self._included:
            raise RuntimeError(
                f"cannot {action} in route group {self.prefix!r}: it has been included "
                "already, and including copies its routes; add routes before including it"
            )

    def __repr__(self) -> str:
        return f"RouteGroup({self.prefix!r}, {len(self._declarations)} routes)"


class Route:
    """A registered route, as the router stores it: the user's function and its prepared plan.

    Read-only for tools (introspection, OpenAPI): `fn` is the user's handler, `template` the
    full path template, `methods` the registered methods, `status_code` the status of a non-
    `Response` return value, `dependencies` the group dependencies run before the handler's own,
    `groups` the prefixes of the enclosing groups (outermost first), `tags` the groups' tags,
    `plan` the prepared dependency plan (None until the app prepares it), `run` what the
    dispatcher awaits for an all-async plan (the plan bound to the app scope, `await
    run(values)`; None until the first request and after every change to the container).
    """

    __slots__ = (
        "_bindings",
        "binder",
        "dependencies",
        "fn",
        "generation",
        "groups",
        "handler",
        "methods",
        "path_names",
        "plan",
        "run",
        "status_code",
        "tags",
        "template",
        "threaded",
        "wants_tasks",
    )

    def __init__(
        self,
        fn: Callable[..., Any],
        template: str,
        methods: tuple[str, ...],
        *,
        status_code: int = 200,
        dependencies: tuple[GroupDependency, ...] = (),
        tags: tuple[str, ...] = (),
        groups: tuple[str, ...] = (),
    ) -> None:
        if isinstance(status_code, bool) or not isinstance(status_code, int):
            raise TypeError(
                f"route {', '.join(methods)} {template}: status_code must be an int, "
                f"got {status_code!r}"
            )
        if not 200 <= status_code <= 599:
            raise ValueError(
                f"route {', '.join(methods)} {template}: status_code {status_code} is not a "
                "final status (200 to 599)"
            )
        self.fn = fn
        self.template = template
        self.methods = methods
        self.status_code = status_code
        self.dependencies = dependencies
        self.tags = tags
        self.groups = groups
        markers = [dependency.marker for dependency in dependencies]
        # What the plan calls: the user's function, or with group dependencies, a wrapper
        # taking them first.
        self.handler = with_group_dependencies(fn, markers) if markers else fn
        self.path_names = frozenset(_TEMPLATE_PARAM.findall(template))
        self.plan: Prepared[Response] | None = None
        self.run: Callable[[Mapping[Any, Any]], Coroutine[Any, Any, Response]] | None = None
        # How many times the container changed since: what `run` was taken under is compared.
        self.generation = 0
        self._bindings: dict[Any, Binding] = {}
        # What the dispatcher reads before the plan runs: None when the route reads no
        # parameter; `stale()` after the container changed, until the next request refreshes it.
        self.binder: Binder | None = None
        # Whether a request runs anything in a worker thread: a plain handler or a plain
        # dependency or request service (app services exist already). Refreshed with the binder.
        self.threaded = call_kind(self.handler) is not CallKind.CORO
        # Whether the plan reads the request's `BackgroundTasks` (the dispatcher makes one only
        # then). Refreshed with the binder; True until the plan exists.
        self.wants_tasks = True

    def prepare(self, container: Container) -> None:
        """Build the dependency plan and the parameter bindings; what cannot work raises here,
        naming the route: an unresolvable parameter, an unconvertible annotation, a handler
        parameter only its default would fill."""
        try:
            self.plan = container.prepare(
                self.handler,
                hook=self._hook,
                strict_defaults=True,
                then=converter(self.status_code),
            )
        except DefaultOnlyError as exc:
            chain = (self._where(exc.chain), *exc.chain)
            hint = self._suggestion(exc.parameter, exc.default)
            raise DefaultOnlyError(chain, exc.parameter, exc.default, hint) from None
        except ResolutionError as exc:
            raise type(exc)((self._where(exc.chain), *exc.chain), exc.problem) from None
        self.refresh_binder()

    def refresh_binder(self) -> Binder | None:
        """Plan the parameters and body to read for the plan as it is now (overrides can change
        which dependencies, and so which parameters, take part); None when there are none."""
        if self.plan is None:
            return None
        found: dict[Binding, None] = {}
        tree = self.plan.dependencies
        _collect(tree, found)
        self.threaded = call_kind(self.handler) is not CallKind.CORO or _any_plain(tree)
        self.wants_tasks = _reads_value(tree, BackgroundTasks)
        binder = Binder(list(found))
        self.binder = binder if binder.reads_anything else None
        return self.binder

    def stale(self) -> None:
        """The container changed: refresh the binder and the runner on the next request."""
        if self.plan is not None:
            self.binder = _Refresh(self)
            self.generation += 1
            self.run = None

    @property
    def bindings(self) -> tuple[Binding, ...]:
        """Every request parameter (and the body) the route reads, for tools: source, key,
        annotation, default, and which callable declared it."""
        binder = self.refresh_binder()
        if binder is None:
            return ()
        body = (binder.body,) if binder.body is not None else ()
        return (*binder.path, *binder.query, *binder.headers, *binder.cookies, *body)

    def _hook(self, param: Parameter) -> Given | None:
        """Request parameters for the DI plan: a `Path`/`Query`/... marker in `Annotated`, or a
        parameter named like one of the template's; each becomes a value given to the scope."""
        marker = next((m for m in param.metadata if isinstance(m, Param)), None)
        if marker is None:
            if param.name not in self.path_names:
                return None
            source: Source = "path"
        else:
            source = marker.source
        owner = f"route {', '.join(self.methods)} {self.template}, {qualified_name(param.owner)}"
        if source == "path" and (marker.key(param.name) if marker else param.name) not in (
            self.path_names
        ):
            raise BindingError(
                f"{owner}: parameter {param.name!r} asks for path parameter "
                f"{marker.key(param.name) if marker else param.name!r}, which the template "
                f"{self.template!r} does not have"
            )
        # One binding per declaring callable and parameter, the same each time plans are built.
        cache_key = (param.owner, param.name)
        binding = self._bindings.get(cache_key)
        if binding is None:
            binding = plan_binding(source, param.name, param.declared, param.default, marker, owner)
            self._bindings[cache_key] = binding
        return Given(binding)

    def _suggestion(self, name: str, default: object) -> str:
        try:
            annotation = inspect.signature(self.fn).parameters[name].annotation
        except (KeyError, TypeError, ValueError):
            annotation = EMPTY
        shown = (
            "str"
            if annotation is EMPTY
            else annotation
            if isinstance(annotation, str)
            else getattr(annotation, "__name__", repr(annotation))
        )
        return f"write `{name}: Annotated[{shown}, Query()] = {default!r}` for a query parameter"

    def _where(self, chain: tuple[str, ...]) -> str:
        where = f"route {', '.join(self.methods)} {self.template}"
        first = chain[0] if chain else ""
        for index, dependency in enumerate(self.dependencies):
            if f"({group_parameter(index)}:" in first:  # the parameter, not a longer name
                where += f", group dependency {dependency}"
        return where

    def __repr__(self) -> str:
        return f"Route({', '.join(self.methods)} {self.template} -> {qualified_name(self.fn)})"


def _any_plain(nodes: Sequence[DependencyNode]) -> bool:
    """Whether any of `nodes` (or below) is called at request time and is not async."""
    for node in nodes:
        factory = node.factory
        if factory is None or (node.kind == "service" and node.scope == "app"):
            continue  # a given value, or an app service created at start-up
        if not call_kind(factory).is_async or _any_plain(node.children):
            return True
    return False


class _Refresh(Binder):
    """A route's binder after the container changed: the next request plans it afresh."""

    __slots__ = ("route",)

    def __init__(self, route: Route) -> None:
        super().__init__(())
        self.route = route

    async def bind(self, request: Any) -> dict[Any, Any]:
        binder = self.route.refresh_binder()
        return {} if binder is None else await binder.bind(request)


def _reads_value(nodes: Sequence[DependencyNode], key: Any) -> bool:
    """Whether any of `nodes` (or below) is the value given to the scope under `key`."""
    return any(
        (node.kind == "value" and node.target is key) or _reads_value(node.children, key)
        for node in nodes
    )


def _collect(nodes: Any, found: dict[Binding, None]) -> None:
    for node in nodes:
        if node.kind == "value" and isinstance(node.target, Binding):
            found[node.target] = None
        _collect(node.children, found)
