"""The `Depends` marker that tells the container how to fill a parameter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DependsMarker:
    """Fill a parameter with the result of calling `dependency`.

    With `use_cache` (the default) the dependency runs once per scope and every user in that
    scope shares its value; without it, each use gets a fresh call.
    """

    dependency: Callable[..., Any]
    use_cache: bool = True

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        suffix = "" if self.use_cache else ", use_cache=False"
        return f"Depends({name}{suffix})"


def Depends(dependency: Callable[..., Any], *, use_cache: bool = True) -> Any:
    """Mark a parameter as filled by `dependency`.

    Use it as a default (``db: Db = Depends(get_db)``) or as metadata
    (``db: Annotated[Db, Depends(get_db)]``). Typed as returning `Any` so the default form
    type-checks against any annotation.
    """
    return DependsMarker(dependency, use_cache)
