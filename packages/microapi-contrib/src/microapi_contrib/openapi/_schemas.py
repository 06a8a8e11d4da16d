"""JSON Schemas for the types a document mentions, shared ones under `components/schemas`.

msgspec generates the schemas of everything it knows (dataclasses, TypedDicts, Structs, enums,
constraints from `msgspec.Meta`); pydantic models, which msgspec does not know, are described
by pydantic itself (`models_json_schema`) when pydantic is installed. Every type of a document
is generated in one pass, so two types of the same name get distinct, stable component names.
A type neither can describe is given a schema that allows any value rather than failing the
whole document.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import msgspec

REF_PREFIX = "#/components/schemas/"


class Schemas:
    """The schemas of `types` (in order) and the components they refer to."""

    def __init__(self, types: Sequence[Any]) -> None:
        models = _pydantic_models(types)
        refs, self.components = _pydantic_components(models)

        def hook(kind: type) -> dict[str, Any]:
            return dict(refs.get(kind) or _any_value(kind))

        schemas, found = msgspec.json.schema_components(
            types, schema_hook=hook, ref_template=REF_PREFIX + "{name}"
        )
        self.schemas: tuple[dict[str, Any], ...] = schemas
        for name, schema in found.items():
            if name in self.components and self.components[name] != schema:
                raise ValueError(
                    f"two types share the schema name {name!r} (one a pydantic model); "
                    "rename one of them"
                )
            self.components[name] = schema

    def add_component(self, name: str, schema: dict[str, Any]) -> str:
        """Add a schema of contrib's own under `name`, or a prefixed name if that is taken."""
        chosen = name if name not in self.components else f"microapi.{name}"
        self.components[chosen] = schema
        return chosen


def ref(name: str) -> dict[str, Any]:
    return {"$ref": REF_PREFIX + name}


def _any_value(kind: type) -> dict[str, Any]:
    """The schema of a type nothing here can describe: any value (msgspec refuses `{}`)."""
    return {"title": getattr(kind, "__qualname__", None) or repr(kind)}


def _pydantic_models(types: Sequence[Any]) -> list[type]:
    """The pydantic models msgspec meets in `types`, in the order it meets them."""
    base = _base_model()
    if base is None:
        return []
    seen: dict[type, None] = {}

    def collect(kind: type) -> dict[str, Any]:
        if isinstance(kind, type) and issubclass(kind, base):
            seen[kind] = None
        return _any_value(kind)

    msgspec.json.schema_components(types, schema_hook=collect)
    return list(seen)


def _pydantic_components(
    models: list[type],
) -> tuple[dict[type, dict[str, Any]], dict[str, dict[str, Any]]]:
    if not models:
        return {}, {}
    from pydantic.json_schema import models_json_schema

    keyed, top = models_json_schema(
        [(model, "validation") for model in models],
        ref_template=REF_PREFIX + "{model}",
    )
    refs = {model: dict(keyed[(model, "validation")]) for model in models}
    components: dict[str, dict[str, Any]] = dict(top.get("$defs", {}))
    return refs, components


def _base_model() -> type | None:
    """pydantic's `BaseModel` if pydantic has been imported (an app using it has done so)."""
    pydantic = sys.modules.get("pydantic")
    base = getattr(pydantic, "BaseModel", None)
    return base if isinstance(base, type) else None
