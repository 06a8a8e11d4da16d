"""`microapi routes module:app`: the route table in a terminal, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from microapi_contrib import collect
from microapi_contrib.cli import main
from microapi_contrib.introspection import IntrospectionPage

from tests.contrib import sample_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`main` may add the current directory to `sys.path`; undo that after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def run(
    *args: str, cwd: Path = ROOT, module: str = "microapi_contrib"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_prints_the_route_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "tests.contrib.sample_app:app"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Methods", "Path", "Handler", "Source", "Group", "dependencies"]
    assert set(lines[1]) == {"-", " "}
    rows = [[cell.strip() for cell in line.split("  ") if cell.strip()] for line in lines[2:]]
    assert [row[:3] for row in rows] == [
        ["GET", "/", "tests.contrib.sample_app:index"],
        ["GET", "/_debug", "microapi_contrib.introspection._page:IntrospectionPage.respond"],
        ["POST, PUT", "/users", "tests.contrib.sample_app:save_user"],
        ["GET", "/users/{user_id}", "tests.contrib.sample_app:show_user"],
    ]
    line = sample_app.show_user.__code__.co_firstlineno
    assert rows[3][3] == f"tests/contrib/sample_app.py:{line}"
    page_line = IntrospectionPage.respond.__code__.co_firstlineno
    assert rows[1][3].endswith(f"microapi_contrib/introspection/_page.py:{page_line}")
    # Columns line up: every path starts where its heading does.
    assert {line.index("/") for line in lines[2:]} == {lines[0].index("Path")}


def test_the_attribute_defaults_to_app(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "tests.contrib.sample_app"]) == 0
    assert "/users/{user_id}" in capsys.readouterr().out


def test_json_is_the_same_data_as_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "--json", "tests.contrib.sample_app:app"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(collect(sample_app.app).as_dict()))
    assert [m["position"] for m in printed["middleware"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_anywhere:app", "cannot import 'no_such_module_anywhere': no module named"),
        ("tests.contrib.nope:app", "cannot import 'tests.contrib.nope': no module named"),
        (
            "tests.contrib.sample_app:nope",
            "module 'tests.contrib.sample_app' has no attribute 'nope'",
        ),
        (
            "tests.contrib.sample_app:Database",
            "'tests.contrib.sample_app:Database' is a type, not a MicroAPI app",
        ),
        ("tests.contrib.sample_app:build_app", "is a function, not a MicroAPI app"),
        (":app", "is not a module:attribute path"),
        ("a:b:c", "is not a module:attribute path"),
        ("tests.contrib.sample_app:app.", "is not a module:attribute path"),
    ],
)
def test_what_cannot_be_loaded_is_a_clear_error_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    assert main(["routes", target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("microapi: error: ")
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_usage_errors_exit_2_and_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["routes"]) == 2
    assert "usage: microapi" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "routes" in capsys.readouterr().out


def test_as_a_module_from_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "myapp.py").write_text(
        "from microapi import MicroAPI\n"
        "app = MicroAPI()\n"
        "@app.get('/ping')\n"
        "async def ping() -> str:\n"
        "    return 'pong'\n"
    )
    (tmp_path / "broken.py").write_text("import json\nraise RuntimeError('no config file')\n")
    (tmp_path / "needs.py").write_text("import some_missing_dependency\n")
    for module in ("microapi_contrib", "microapi_contrib.cli"):
        ok = run("routes", "myapp:app", cwd=tmp_path, module=module)
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.splitlines()[2].split() == [
            "GET",
            "/ping",
            "myapp:ping",
            "myapp.py:3",
            "-",
        ]
    broken = run("routes", "broken:app", cwd=tmp_path)
    assert broken.returncode == 2
    assert broken.stderr == (
        "microapi: error: importing 'broken' failed: RuntimeError: no config file\n"
    )
    needs = run("routes", "needs", cwd=tmp_path)
    assert needs.returncode == 2
    assert "importing 'needs' failed: No module named 'some_missing_dependency'" in needs.stderr


def test_an_app_without_routes(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("from microapi import MicroAPI\napp = MicroAPI()\n")
    result = run("routes", "empty:app", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "No routes.\n")
