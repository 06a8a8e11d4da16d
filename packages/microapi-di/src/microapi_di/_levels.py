"""Scope names and their order, widest first. Imports nothing from the package.

Scopes are nested levels: a value of a wider scope outlives every narrower one, so anything may
use a wider-scoped value, never a narrower one. The rest of the package compares levels as
integers; a new scope (say a session between app and request) is a new name here plus the scope
object that enters it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Values = Mapping[Any, Any]
"""Ready values given to a scope, keyed by type or by parameter name."""

APP = 0
REQUEST = 1
SCOPE_NAMES: tuple[str, ...] = ("app", "request")


def name_of(level: int) -> str:
    """The name of the scope at `level`."""
    return SCOPE_NAMES[level]
