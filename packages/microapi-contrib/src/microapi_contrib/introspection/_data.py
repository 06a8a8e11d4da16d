"""The facts the introspection page, its JSON and the CLI all show, gathered from one app.

Everything is read through the app's public API: `app.router.routes()`, each endpoint's
prepared dependency plan and its `bindings` (the request parameters it reads),
`app.middleware.middlewares`, `app.registry.services()` and `app.jobs`.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from microapi import MicroAPI
from microapi.routing import Binding, Route
from microapi.scheduling import JobInfo

from ._describe import (
    constraints,
    json_default,
    qualified_name,
    source_location,
    split_annotated,
    type_name,
)

EMPTY: Any = inspect.Parameter.empty


class _Node(Protocol):
    """The shape of a dependency-tree node of a prepared plan."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def target(self) -> Any: ...
    @property
    def scope(self) -> str: ...
    @property
    def use_cache(self) -> bool: ...
    @property
    def factory(self) -> Callable[..., Any] | None: ...
    @property
    def children(self) -> tuple[_Node, ...]: ...


@dataclass(frozen=True, slots=True)
class DependencyInfo:
    """One parameter and what fills it: a `Depends` callable, a service or a scope value.

    `provider` is what actually runs (it differs from `target` while an override is active;
    `None` for values); `cached` is False for `Depends(..., use_cache=False)`.
    """

    parameter: str
    kind: str
    target: str
    provider: str | None
    scope: str
    cached: bool
    children: tuple[DependencyInfo, ...]


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    """One request parameter (or the body) a route reads, from its handler or any dependency.

    `source` is `path`, `query`, `header`, `cookie` or `body`; `key` is what is looked up on the
    request (the alias, or for headers the dashed lower-case name) and `name` the Python
    parameter; `type` is the declared type as written in code (`int`, `list[str]`,
    `str | None`, `Order`), markers and constraints left out; `constraints` are those of
    `msgspec.Meta` in its `Annotated`, readable (`>= 1`, `length <= 20`); `many` is True for
    a `list[T]` collecting repeated keys. `default` is None when `required`, else the default
    as it is when JSON can carry it and its `repr` otherwise (`"Decimal('1.5')"`).
    """

    source: str
    key: str
    name: str
    type: str
    constraints: tuple[str, ...]
    required: bool
    default: Any
    many: bool


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """One route: its template, registered methods, handler and dependency tree.

    `services` lists the services the handler uses anywhere in its tree; `error` says why the
    tree is missing (a parameter nothing provides) and is `None` otherwise. `template` is the
    full template (every enclosing group's prefix included); `group_dependencies` are the
    dependencies the route's groups run before the handler's own (`module:name (group '/p')`),
    which also appear in `dependencies` as `group_dependency_N` parameters; `tags` the groups';
    `parameters` the request parameters and body the route reads (path, query, header, cookie,
    then body; each in the order its graph asks for it).
    """

    template: str
    methods: tuple[str, ...]
    handler: str
    source: str | None
    dependencies: tuple[DependencyInfo, ...]
    services: tuple[str, ...]
    error: str | None
    group_dependencies: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    parameters: tuple[ParameterInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class MiddlewareInfo:
    """One middleware, at its position in execution order (1 is outermost)."""

    position: int
    name: str
    source: str | None


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """A registered service: its key, its factory and its scope (`app` or `request`)."""

    key: str
    factory: str
    scope: str


@dataclass(frozen=True, slots=True)
class JobEntry:
    """A scheduled job and how its runs went, when the page was read.

    `interval` is in seconds; `last_start` and `next_due` are wall-clock seconds since the
    epoch (`None` before the first run, and while the app is not started, respectively);
    `last_outcome` is `"ok"`, `"failed"`, `"running"`, `"cancelled"` or `None`; `last_error` is
    the `repr` of the latest failure, kept until a run succeeds.
    """

    function: str
    source: str | None
    interval: float
    runs: int
    failures: int
    skipped: int
    last_start: float | None
    last_outcome: str | None
    last_error: str | None
    next_due: float | None


@dataclass(frozen=True, slots=True)
class AppInfo:
    """Everything the introspection views show."""

    routes: tuple[RouteInfo, ...]
    middleware: tuple[MiddlewareInfo, ...]
    services: tuple[ServiceEntry, ...]
    jobs: tuple[JobEntry, ...] = ()
    background_running: int = 0  # background tasks running when the page was built

    def as_dict(self) -> dict[str, Any]:
        """Plain lists, dicts, strings, numbers and None: the JSON view."""
        return dataclasses.asdict(self)


def collect(app: MicroAPI) -> AppInfo:
    """Read routes, middleware, services and jobs from `app`, with current overrides applied."""
    return AppInfo(
        routes=tuple(
            _route(app, route.template, route.methods, route.payload)
            for route in app.router.routes()
        ),
        middleware=tuple(
            MiddlewareInfo(position, qualified_name(mw), source_location(mw))
            for position, mw in enumerate(app.middleware.middlewares, start=1)
        ),
        services=tuple(
            ServiceEntry(qualified_name(s.key), qualified_name(s.factory), s.scope)
            for s in app.registry.services()
        ),
        jobs=tuple(_job(job) for job in app.jobs),
        background_running=app.background_running,
    )


def _job(job: JobInfo) -> JobEntry:
    return JobEntry(
        function=job.function,
        source=source_location(job.fn),
        interval=job.interval,
        runs=job.runs,
        failures=job.failures,
        skipped=job.skipped,
        last_start=job.last_start,
        last_outcome=job.last_outcome,
        last_error=job.last_error,
        next_due=job.next_due,
    )


def _route(app: MicroAPI, template: str, methods: tuple[str, ...], endpoint: Route) -> RouteInfo:
    fn = endpoint.fn
    try:
        if endpoint.plan is None:  # not prepared yet: as start-up would (hook, group deps)
            endpoint.prepare(app.registry)
        assert endpoint.plan is not None
        tree = tuple(_dependency(node) for node in endpoint.plan.dependencies)
        parameters = tuple(_parameter(binding) for binding in endpoint.bindings)
        error = None
    except Exception as exc:
        tree, parameters, error = (), (), f"{type(exc).__name__}: {exc}"
    return RouteInfo(
        template=template,
        methods=methods,
        handler=qualified_name(fn),
        source=source_location(fn),
        dependencies=tree,
        services=tuple(dict.fromkeys(_services(tree))),
        error=error,
        group_dependencies=tuple(str(dependency) for dependency in endpoint.dependencies),
        tags=endpoint.tags,
        parameters=parameters,
    )


def _parameter(binding: Binding) -> ParameterInfo:
    base, metadata = split_annotated(binding.annotation)
    if binding.source == "body" and base is EMPTY:
        base = Any  # an unannotated body is any JSON value; other parameters are strings
    return ParameterInfo(
        source=binding.source,
        key=binding.key,
        name=binding.name,
        type=type_name(base),
        constraints=constraints(metadata),
        required=binding.required,
        default=None if binding.required else json_default(binding.default),
        many=binding.many,
    )


def _dependency(node: _Node) -> DependencyInfo:
    target = node.target
    return DependencyInfo(
        parameter=node.name,
        kind=node.kind,
        target=_binding_name(target) if isinstance(target, Binding) else qualified_name(target),
        provider=None if node.factory is None else qualified_name(node.factory),
        scope=node.scope,
        cached=node.use_cache,
        children=tuple(_dependency(child) for child in node.children),
    )


def _binding_name(binding: Binding) -> str:
    """A request parameter in the dependency tree: `query 'limit'`, `header 'x-token'`, `body`."""
    return "body" if binding.source == "body" else f"{binding.source} {binding.key!r}"


def _services(tree: tuple[DependencyInfo, ...]) -> list[str]:
    found: list[str] = []
    for node in tree:
        if node.kind == "service":
            found.append(node.target)
        found.extend(_services(node.children))
    return found
