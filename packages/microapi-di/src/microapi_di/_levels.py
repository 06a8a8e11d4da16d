"""Scope names and their order, widest first.

Scopes are nested levels: a value of a wider scope outlives every narrower one, so anything may
use a wider-scoped value, never a narrower one. The rest of the package compares levels as
integers; a new scope (say a session between app and request) is a new name here plus the scope
object that enters it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import RegistrationError

Values = Mapping[Any, Any]
"""Ready values given to a scope, keyed by type or by parameter name."""

APP = 0
REQUEST = 1
SCOPE_NAMES: tuple[str, ...] = ("app", "request")


def level_of(name: str) -> int:
    """The level of the scope called `name`; an unknown name is a `RegistrationError`."""
    try:
        return SCOPE_NAMES.index(name)
    except ValueError:
        known = ", ".join(repr(known) for known in SCOPE_NAMES)
        raise RegistrationError(f"unknown scope {name!r}; the scopes are {known}") from None


def name_of(level: int) -> str:
    """The name of the scope at `level`."""
    return SCOPE_NAMES[level]
