"""How a callable asks for its arguments: the `Depends` marker, and reading parameters.

Reading happens when a graph is planned, never per call. It never calls the callables; string
annotations are evaluated in their module, which is the only user code it may run.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from ._callables import describe

EMPTY: Any = inspect.Parameter.empty


@dataclass(frozen=True, slots=True)
class DependsMarker:
    """Fill a parameter with the result of calling `dependency`.

    With `use_cache` (the default) the dependency runs once per scope and every user in that
    scope shares its value; without it, each use gets a fresh call.
    """

    dependency: Callable[..., Any]
    use_cache: bool = True

    def __repr__(self) -> str:
        suffix = "" if self.use_cache else ", use_cache=False"
        return f"Depends({describe(self.dependency)}{suffix})"


def Depends(dependency: Callable[..., Any], *, use_cache: bool = True) -> Any:
    """Mark a parameter as filled by `dependency`.

    Use it as a default (``db: Db = Depends(get_db)``) or as metadata
    (``db: Annotated[Db, Depends(get_db)]``). Typed as returning `Any` so the default form
    type-checks against any annotation.
    """
    return DependsMarker(dependency, use_cache)


class SignatureProblem(Exception):
    """A parameter (or the whole signature) that cannot be read; the planner adds the chain."""

    def __init__(self, parameter: str | None, problem: str) -> None:
        super().__init__(problem)
        self.parameter = parameter
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Param:
    """One injectable parameter of a callable.

    `annotation` has `Annotated` metadata stripped (it is `EMPTY` when absent); `marker` is the
    `Depends` given as default or as metadata; `default` is `EMPTY` when there is none;
    `declared` is the annotation as written (evaluated, `Annotated` kept) and `metadata` the
    `Annotated` metadata, for parameter hooks.
    """

    name: str
    kind: inspect._ParameterKind
    annotation: Any
    marker: DependsMarker | None
    default: Any
    declared: Any = EMPTY
    metadata: tuple[Any, ...] = ()

    @property
    def positional_only(self) -> bool:
        """Whether the parameter can only be passed by position."""
        return self.kind is inspect.Parameter.POSITIONAL_ONLY

    @property
    def positional(self) -> bool:
        """Whether the parameter can be passed by position."""
        return self.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )


def read_params(call: Callable[..., Any]) -> tuple[Param, ...]:
    """The injectable parameters of `call`, in order; `*args` and `**kwargs` are skipped."""
    try:
        signature = inspect.signature(call)
    except (TypeError, ValueError) as error:
        raise SignatureProblem(None, f"cannot read its signature ({error})") from None
    return tuple(
        _read(call, parameter)
        for parameter in signature.parameters.values()
        if parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    )


def _read(call: Callable[..., Any], parameter: inspect.Parameter) -> Param:
    default = parameter.default
    marker = default if isinstance(default, DependsMarker) else None
    annotation = parameter.annotation
    if isinstance(annotation, str):
        # A parameter filled by its default marker does not need its annotation.
        annotation = _evaluate(call, parameter.name, annotation, required=marker is None)
    declared = annotation
    metadata = tuple(annotation.__metadata__) if typing.get_origin(annotation) is Annotated else ()
    annotation, metadata_marker = _strip_annotated(parameter.name, annotation)
    if metadata_marker is not None:
        if marker is not None:
            raise SignatureProblem(
                parameter.name, "has Depends both in Annotated and as its default; keep one"
            )
        marker = metadata_marker
    return Param(
        name=parameter.name,
        kind=parameter.kind,
        annotation=annotation,
        marker=marker,
        default=EMPTY if isinstance(default, DependsMarker) else default,
        declared=declared,
        metadata=metadata,
    )


def _strip_annotated(name: str, annotation: Any) -> tuple[Any, DependsMarker | None]:
    if typing.get_origin(annotation) is not Annotated:
        return annotation, None
    markers = [item for item in annotation.__metadata__ if isinstance(item, DependsMarker)]
    if len(markers) > 1:
        raise SignatureProblem(name, "has more than one Depends in its Annotated metadata")
    return annotation.__origin__, (markers[0] if markers else None)


@dataclass(frozen=True, slots=True, repr=False)
class Unevaluated:
    """A string annotation that names nothing in its module, such as a class local to a function.

    Resolution then looks for a registered type of that name, then for a value by parameter
    name, and only reports the annotation if neither exists.
    """

    text: str
    error: str

    def __repr__(self) -> str:
        return self.text


def _evaluate(call: Callable[..., Any], name: str, annotation: str, *, required: bool) -> Any:
    """Evaluate a string annotation (postponed evaluation) where it was written."""
    try:
        return eval(annotation, _globals_of(call))
    except Exception as error:
        return Unevaluated(annotation, repr(error)) if required else EMPTY


def _globals_of(call: Callable[..., Any]) -> dict[str, Any]:
    target: Any = call
    if isinstance(target, functools.partial):
        target = target.func
    if isinstance(target, type):
        module = sys.modules.get(target.__module__)
        return vars(module) if module is not None else {}
    if not inspect.isroutine(target) and callable(target):
        target = type(target).__call__
    target = inspect.unwrap(target)
    namespace = getattr(target, "__globals__", None)
    return namespace if isinstance(namespace, dict) else {}
