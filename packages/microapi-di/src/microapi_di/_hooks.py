"""Parameter hooks: a caller's own rule for filling parameters, applied when preparing.

A hook is asked about every parameter in a prepared callable's graph that has no `Depends`,
before the container's own rules (a service by annotation, a declared value by type or name).
It answers with a `Depends(...)` to call, a `Given(key)` to read the value the scope was given
under `key`, or `None` to leave the parameter to those rules. It runs when plans are built (at
prepare time and when overrides change), never per call. A framework uses it to fill request
parameters; a CLI can use it to read settings (see the README's `Env` example).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeAlias

from ._signature import DependsMarker


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter, as a hook is told about it.

    `annotation` has `Annotated` stripped; `declared` is the annotation as written (with
    `Annotated` and its `metadata`, where markers of your own live); `default` is
    `inspect.Parameter.empty` when there is none; `owner` is the callable declaring it.
    """

    name: str
    annotation: Any
    declared: Any
    metadata: tuple[Any, ...]
    default: Any
    owner: Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Given:
    """A hook's answer: the parameter is the value the scope was given under `key`."""

    key: Hashable


ParameterHook: TypeAlias = Callable[[Parameter], DependsMarker | Given | None]
