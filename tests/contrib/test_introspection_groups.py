"""Route groups on the introspection page, its JSON and `microapi routes` (SPEC 8.1)."""

import sys
import types

import pytest
from microapi import Depends, MicroAPI, RouteGroup
from microapi.testing import TestClient
from microapi_contrib import enable_introspection
from microapi_contrib.cli import main


def require_admin() -> None:
    """A guard every admin route runs."""


def stats() -> dict[str, int]:
    return {"notes": 1}


def grouped_app() -> MicroAPI:
    app = MicroAPI()
    api = RouteGroup("/api", tags=["api"])
    admin = RouteGroup("/admin", dependencies=[Depends(require_admin)], tags=["admin"])
    admin.get("/stats")(stats)
    api.include(admin)
    app.include(api)
    enable_introspection(app, "/_debug")
    return app


GUARD = "tests.contrib.test_introspection_groups:require_admin (group '/admin')"


def test_the_json_shows_full_templates_and_group_dependencies() -> None:
    with TestClient(grouped_app()) as client:
        routes = client.get("/_debug?format=json").json()["routes"]
    (route,) = [r for r in routes if r["template"] == "/api/admin/stats"]
    assert route["group_dependencies"] == [GUARD]
    assert route["tags"] == ["api", "admin"]
    assert [d["parameter"] for d in route["dependencies"]] == ["group_dependency_1"]
    assert route["dependencies"][0]["target"].endswith(":require_admin")


def test_the_page_shows_them_too() -> None:
    with TestClient(grouped_app()) as client:
        page = client.get("/_debug", headers={"accept": "text/html"}).text
    assert "/api/admin/stats" in page
    assert "from groups:" in page
    assert "require_admin (group &#x27;/admin&#x27;)" in page


def test_the_route_table_shows_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("grouped_app_module")
    module.app = grouped_app()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "grouped_app_module", module)
    assert main(["routes", "grouped_app_module:app"]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if "/api/admin/stats" in line]
    assert row.rstrip().endswith(GUARD)
