"""The public surface of microapi_contrib: its `__init__`s; everything else is underscored."""

from __future__ import annotations

import importlib
import pkgutil

import microapi_contrib
import pytest

PUBLIC_MODULES = {
    "microapi_contrib",
    "microapi_contrib.__main__",
    "microapi_contrib.cli",
    "microapi_contrib.cors",
    "microapi_contrib.introspection",
    "microapi_contrib.openapi",
}


def all_modules() -> set[str]:
    found = {"microapi_contrib"}
    for module in pkgutil.walk_packages(microapi_contrib.__path__, "microapi_contrib."):
        if module.name != "microapi_contrib.__main__":  # importing it runs the CLI
            found.add(module.name)
    return found


def test_every_internal_module_is_underscored() -> None:
    for name in all_modules() - PUBLIC_MODULES:
        assert name.rsplit(".", 1)[1].startswith("_"), name


@pytest.mark.parametrize("name", sorted(PUBLIC_MODULES - {"microapi_contrib.__main__"}))
def test_public_modules_import_and_export_what_they_list(name: str) -> None:
    module = importlib.import_module(name)
    for exported in getattr(module, "__all__", ()):
        assert hasattr(module, exported), f"{name}.{exported}"


def test_the_public_classes_are_the_ones_the_packages_re_export() -> None:
    from microapi_contrib import cors, introspection

    assert microapi_contrib.CORSMiddleware is cors.CORSMiddleware
    assert microapi_contrib.CORSPolicy is cors.CORSPolicy
    assert microapi_contrib.enable_introspection is introspection.enable_introspection


def test_contrib_imports_no_private_module_or_name_of_core() -> None:
    import ast
    from pathlib import Path

    import microapi_contrib

    root = Path(microapi_contrib.__file__).parent
    offences = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("microapi"):
                module = node.module or ""
                if module.split(".")[0] != "microapi":
                    continue
                private = [part for part in module.split(".") if part.startswith("_")]
                names = [alias.name for alias in node.names if alias.name.startswith("_")]
                if private or names:
                    offences.append(f"{path.name}: from {module} import {names or '...'}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("microapi.") and "._" in alias.name:
                        offences.append(f"{path.name}: import {alias.name}")
    assert offences == []
