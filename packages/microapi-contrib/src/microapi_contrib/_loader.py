"""Finding a MicroAPI app from a `module:attribute` string, as the CLI is given it."""

from __future__ import annotations

import importlib
from typing import Any

from microapi import MicroAPI


class AppLoadError(Exception):
    """The target could not be imported or is not a MicroAPI app; the message says which."""


def load_app(target: str) -> MicroAPI:
    """Import `module:attribute` (the attribute defaults to `app`, and may be dotted)."""
    module_name, _, attribute = target.partition(":")
    attribute = attribute or "app"
    if not module_name or ":" in attribute or not all(attribute.split(".")):
        raise AppLoadError(f"{target!r} is not a module:attribute path, e.g. 'myproject.main:app'")
    module = _import(module_name)
    found: Any = module
    for name in attribute.split("."):
        try:
            found = getattr(found, name)
        except AttributeError:
            raise AppLoadError(f"module {module_name!r} has no attribute {attribute!r}") from None
    if not isinstance(found, MicroAPI):
        kind = type(found).__name__
        raise AppLoadError(f"'{module_name}:{attribute}' is a {kind}, not a MicroAPI app")
    return found


def _import(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise AppLoadError(
                f"cannot import {module_name!r}: no module named {missing!r} "
                "(run from the directory that contains it, or install it)"
            ) from None
        raise AppLoadError(f"importing {module_name!r} failed: {exc}") from exc
    except Exception as exc:
        raise AppLoadError(
            f"importing {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
