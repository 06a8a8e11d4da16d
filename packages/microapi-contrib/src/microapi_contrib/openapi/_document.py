"""`openapi_document(app)`: the OpenAPI 3.1 description of an app's routes, as a dict.

Read from core's public face only: `app.router.routes()` (in its deterministic order), each
`microapi.routing.Route` (template, methods, handler, status, tags) and its `bindings` (every
path, query, header and cookie parameter and the body, with the annotation as declared).
Nothing here starts or freezes the app: a route whose plan is still missing before start-up
is prepared the way start-up would prepare it.

Left out: the HEAD that GET answers and the automatic OPTIONS (neither is a route), the routes
contrib adds for itself (this document, its page, the introspection page), and the routes of
`app.static(...)`: a tail template `{name:path}` whose handler lives in core's own package.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from microapi import MicroAPI
from microapi.exceptions import HTTPException, RequestValidationError
from microapi.params import Param
from microapi.responses import Response
from microapi.routing import Binding, Route

from ._schemas import Schemas, ref

OPENAPI_VERSION = "3.1.0"
NO_CONTENT = frozenset({204, 304})
# Packages of contrib whose routes describe the app rather than belong to it.
OWN_PACKAGES = frozenset({"openapi", "introspection"})

_TEMPLATE_PARAM = re.compile(r"\{([^{}:]+)(?::[^{}]*)?\}")
_NOT_ID = re.compile(r"[^A-Za-z0-9_]+")

VALIDATION_ITEM = {
    "title": "ValidationError",
    "type": "object",
    "properties": {
        "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
        "msg": {"type": "string"},
        "type": {"type": "string"},
    },
    "required": ["loc", "msg", "type"],
}
HTTP_ERROR = {
    "title": "HTTPError",
    "description": 'An HTTPException\'s answer: {"detail": ...}.',
    "type": "object",
    "properties": {"detail": {}},
    "required": ["detail"],
}


def openapi_document(
    app: MicroAPI, *, title: str = "MicroAPI", version: str = "0.1.0"
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`'s routes, as a JSON-ready dict.

    Deterministic: the same app gives the same document, whatever the hash seed. Callable
    before start-up (it neither starts nor freezes the app) as well as after.
    """
    operations = list(_operations(app))
    schemas = Schemas(_types(operations))
    found = iter(schemas.schemas)
    for operation in operations:
        operation.take_schemas(found)
    # A reshaped error (an exception handler of the app's) has a shape only the app knows.
    reshaped_validation = app.exception_handlers.find(RequestValidationError) is not None
    reshaped_errors = app.exception_handlers.find(HTTPException) is not None
    validation: str | None = None
    if not reshaped_validation and any(operation.validates for operation in operations):
        error_item = schemas.add_component("ValidationError", VALIDATION_ITEM)
        validation = schemas.add_component(
            "HTTPValidationError",
            {
                "title": "HTTPValidationError",
                "type": "object",
                "properties": {"detail": {"type": "array", "items": ref(error_item)}},
                "required": ["detail"],
            },
        )
    http_error = None if reshaped_errors else schemas.add_component("HTTPError", HTTP_ERROR)

    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    ids = _operation_ids(operations)
    for operation, operation_id in zip(operations, ids, strict=True):
        described = operation.describe(operation_id, validation=validation, http_error=http_error)
        paths.setdefault(operation.path, {})[operation.method.lower()] = described
        tags.update(dict.fromkeys(operation.route.tags))
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version},
    }
    if tags:
        document["tags"] = [{"name": tag} for tag in tags]
    document["paths"] = paths
    document["components"] = {"schemas": dict(sorted(schemas.components.items()))}
    return document


# --- what is described --------------------------------------------------------------------


@dataclass
class Operation:
    """One method of one route, and the schemas found for it (filled in by `take_schemas`)."""

    route: Route
    method: str
    path: str
    parameters: list[Binding]
    body: Binding | None
    returns: Any  # the return annotation, or EMPTY when there is nothing to describe
    parameter_schemas: list[dict[str, Any]] = field(default_factory=list)
    body_schema: dict[str, Any] | None = None
    return_schema: dict[str, Any] | None = None

    @property
    def validates(self) -> bool:
        """Whether a request can fail validation here (a 422): it reads a parameter or a body."""
        return bool(self.parameters) or self.body is not None

    def types(self) -> list[Any]:
        kinds = [_parameter_type(binding.annotation) for binding in self.parameters]
        if self.body is not None:
            kinds.append(_body_type(self.body.annotation))
        if self.returns is not EMPTY:
            kinds.append(self.returns)
        return kinds

    def take_schemas(self, found: Iterator[dict[str, Any]]) -> None:
        self.parameter_schemas = [next(found) for _ in self.parameters]
        if self.body is not None:
            self.body_schema = next(found)
        if self.returns is not EMPTY:
            self.return_schema = next(found)

    def describe(
        self, operation_id: str, *, validation: str | None, http_error: str | None
    ) -> dict[str, Any]:
        route = self.route
        described: dict[str, Any] = {}
        if route.tags:
            described["tags"] = list(route.tags)
        summary, description = _docstring(route.fn)
        if summary:
            described["summary"] = summary
        if description:
            described["description"] = description
        described["operationId"] = operation_id
        parameters = self._parameters()
        if parameters:
            described["parameters"] = parameters
        if self.body is not None and self.body_schema is not None:
            described["requestBody"] = {
                "required": self.body.required,
                "content": {"application/json": {"schema": self.body_schema}},
            }
        responses: dict[str, Any] = {str(route.status_code): self._success()}
        if self.validates:
            responses["422"] = _json_response(
                "Validation error: the request's parameters or body do not fit.", validation
            )
        responses["default"] = _json_response("Error: an HTTPException's answer.", http_error)
        described["responses"] = responses
        return described

    def _parameters(self) -> list[dict[str, Any]]:
        described: dict[tuple[str, str], dict[str, Any]] = {}
        for name in _TEMPLATE_PARAM.findall(self.route.template):
            # A template parameter nothing declares still appears in the path: a string.
            described[("path", name)] = _parameter(name, "path", True, {"type": "string"})
        declared: set[tuple[str, str]] = set()
        for binding, schema in zip(self.parameters, self.parameter_schemas, strict=True):
            where = (binding.source, binding.key)
            if where in declared:  # asked for by two callables: required if either needs it
                if binding.required:
                    described[where]["required"] = True
                continue
            declared.add(where)
            schema = dict(schema)
            default = _json_default(binding)
            if default is not None:
                schema.setdefault("default", default)
            parameter = _parameter(
                binding.key, binding.source, binding.required or binding.source == "path", schema
            )
            description = _marker_description(binding.annotation)
            if description:
                parameter["description"] = description
            if binding.many:
                parameter["style"] = "form" if binding.source == "query" else "simple"
                parameter["explode"] = binding.source == "query"
            described[where] = parameter
        return list(described.values())

    def _success(self) -> dict[str, Any]:
        status = self.route.status_code
        response: dict[str, Any] = {"description": _phrase(status)}
        if status not in NO_CONTENT and status >= 200 and self.return_schema is not None:
            response["content"] = {"application/json": {"schema": self.return_schema}}
        return response


def _operations(app: MicroAPI) -> Iterator[Operation]:
    for row in app.router.routes():
        route = row.payload
        if _left_out(route):
            continue
        if route.plan is None and app.state == "new":
            route.prepare(app.registry)  # what start-up does first; raises what it would raise
        bindings = route.bindings
        parameters = [binding for binding in bindings if binding.source != "body"]
        body = next((binding for binding in bindings if binding.source == "body"), None)
        returns = _return_annotation(route)
        path = _TEMPLATE_PARAM.sub(lambda match: "{" + match.group(1) + "}", row.template)
        # The router lists registered methods only: GET's automatic HEAD and the automatic
        # OPTIONS never appear; a HEAD or OPTIONS registered on purpose is documented.
        for method in row.methods:
            yield Operation(route, method, path, parameters, body, returns)


def _types(operations: list[Operation]) -> list[Any]:
    return [kind for operation in operations for kind in operation.types()]


def _left_out(route: Route) -> bool:
    module = _module_of(route.fn).split(".")
    if module[0] == "microapi_contrib" and len(module) > 1:
        return module[1].lstrip("_") in OWN_PACKAGES
    # `app.static(...)`: core registers a tail route whose handler is core's own.
    return module[0] == "microapi" and route.template.endswith(":path}")


def _module_of(fn: Callable[..., Any]) -> str:
    module = getattr(fn, "__module__", None)
    if not isinstance(module, str):
        module = type(fn).__module__
    return module


# --- annotations --------------------------------------------------------------------------

EMPTY: Any = inspect.Parameter.empty


def _return_annotation(route: Route) -> Any:
    """What the handler's return annotation says the body is; EMPTY when it says nothing
    usable: no annotation, a `Response` (its content is the handler's business), or an
    annotation that cannot be resolved."""
    fn = route.fn
    target = fn if inspect.isroutine(fn) else type(fn).__call__
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except NameError:  # a local type under `from __future__ import annotations`
        try:
            local = inspect.getclosurevars(target).nonlocals
            hints = typing.get_type_hints(target, localns=dict(local), include_extras=True)
        except Exception:
            return EMPTY
    except Exception:
        return EMPTY
    annotation = hints.get("return", EMPTY)
    if annotation is EMPTY or _mentions_response(annotation):
        return EMPTY
    return annotation


def _mentions_response(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, Response)
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _mentions_response(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return any(_mentions_response(arg) for arg in typing.get_args(annotation))
    return False


def _parameter_type(annotation: Any) -> Any:
    """An unannotated parameter is a string (path parameters by name are)."""
    return str if annotation is EMPTY else annotation


def _body_type(annotation: Any) -> Any:
    return typing.Any if annotation is EMPTY else annotation


def _marker_description(annotation: Any) -> str | None:
    if typing.get_origin(annotation) is not Annotated:
        return None
    for item in annotation.__metadata__:
        if isinstance(item, Param) and item.description:
            return item.description
    return None


def _json_default(binding: Binding) -> Any:
    if binding.required or binding.default is None:
        return None
    try:
        return msgspec.to_builtins(binding.default)
    except (TypeError, ValueError):
        return None


# --- pieces of the document ---------------------------------------------------------------


def _parameter(name: str, where: str, required: bool, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": schema}


def _json_response(description: str, component: str | None) -> dict[str, Any]:
    media: dict[str, Any] = {} if component is None else {"schema": ref(component)}
    return {"description": description, "content": {"application/json": media}}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


def _docstring(fn: Callable[..., Any]) -> tuple[str, str]:
    """The docstring's first line (the summary) and the rest (the description)."""
    doc = inspect.getdoc(fn) if inspect.isroutine(fn) else inspect.getdoc(type(fn))
    if not doc:
        return "", ""
    first, _, rest = doc.strip().partition("\n")
    return first.strip(), rest.strip()


def _operation_ids(operations: list[Operation]) -> list[str]:
    """One id per operation: the handler's name; when several share one, the method is added,
    then a number, in the document's order (so ids are unique and stable)."""
    names = [_identifier(_handler_name(operation.route.fn)) for operation in operations]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    taken = {name for name, count in counts.items() if count == 1}
    chosen: list[str] = []
    for name, operation in zip(names, operations, strict=True):
        if counts[name] == 1:
            chosen.append(name)
            continue
        candidate = base = f"{name}_{operation.method.lower()}"
        number = 2
        while candidate in taken:
            candidate = f"{base}_{number}"
            number += 1
        taken.add(candidate)
        chosen.append(candidate)
    return chosen


def _handler_name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else type(fn).__name__


def _identifier(name: str) -> str:
    cleaned = _NOT_ID.sub("_", name).strip("_")
    return cleaned or "operation"
