"""Each package builds alone; the standalone wheels install into an empty venv and work."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A one-line check that exercises each standalone package from its installed wheel.
SMOKE = {
    "microapi-router": (
        "from microapi_router import Router; r = Router[str](); r.add('GET', '/a/{x}', 'p'); "
        "m = r.match('GET', '/a/1'); assert m.payload == 'p' and m.params == {'x': '1'}, m"
    ),
    "microapi-di": (
        "from microapi_di import Container, Depends\n"
        "def one() -> int: return 1\n"
        "def two(x: int = Depends(one)) -> int: return x + 1\n"
        "c = Container(); p = c.prepare(two)\n"
        "with c.sync_app_scope() as app, app.request() as s: assert s.call(p) == 2"
    ),
    "microapi-middleware": (
        "import asyncio; from microapi_middleware import Pipeline\n"
        "p = Pipeline[int, int]()\n"
        "async def plus(r, call_next): return await call_next(r + 1)\n"
        "async def end(r): return r * 10\n"
        "p.add(plus); assert asyncio.run(p.build(end)(1)) == 20"
    ),
}
STANDALONE = list(SMOKE)


def build_wheel(package: str, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "uv", "build", "--package", package, "--wheel", "--out-dir", out],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob(f"{package.replace('-', '_')}-*.whl")
    return wheel


def requires_dist(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(name).decode())
    return metadata.get_all("Requires-Dist") or []


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    names = [*STANDALONE, "microapi-core", "microapi-contrib"]
    return {name: build_wheel(name, out) for name in names}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("package", STANDALONE)
def test_standalone_wheel_declares_no_dependencies(wheels: dict[str, Path], package: str) -> None:
    assert requires_dist(wheels[package]) == []


@pytest.mark.timeout(180)
def test_core_depends_on_the_three_standalone_packages_and_msgspec(
    wheels: dict[str, Path],
) -> None:
    required = [req for req in requires_dist(wheels["microapi-core"]) if "extra ==" not in req]
    names = sorted(req.split(">")[0].split("<")[0].strip() for req in required)
    assert names == sorted([*STANDALONE, "msgspec"])
    ours = [req for req in required if req.startswith("microapi-")]
    assert all("<" in req and ">=" in req for req in ours)
    extras = [req for req in requires_dist(wheels["microapi-core"]) if "extra ==" in req]
    assert [req.split(">")[0] for req in extras] == ["httpx"]
    assert all("extra == 'testing'" in req or 'extra == "testing"' in req for req in extras)


@pytest.mark.timeout(180)
def test_contrib_depends_on_core_only(wheels: dict[str, Path]) -> None:
    """prometheus-client only through the optional `metrics` extra."""
    required = requires_dist(wheels["microapi-contrib"])
    (req,) = [req for req in required if "extra ==" not in req]
    assert req.startswith("microapi-core")
    extras = [req for req in required if "extra ==" in req]
    assert [req.split(">")[0] for req in extras] == ["prometheus-client"]
    assert all("extra == 'metrics'" in req or 'extra == "metrics"' in req for req in extras)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("package", STANDALONE)
def test_standalone_wheel_installs_alone_and_works(
    wheels: dict[str, Path], package: str, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "--offline",
            "--no-deps",
            "--no-index",
            "--python",
            python,
            wheels[package],
        ],
        check=True,
        capture_output=True,
    )
    wheel_files = zipfile.ZipFile(wheels[package]).namelist()
    assert any(name.endswith("/py.typed") for name in wheel_files)
    result = subprocess.run(
        [python, "-I", "-c", SMOKE[package]], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr


def install(python: Path, *requirements: str | Path, find_links: Path) -> None:
    """Install our built wheels, and their third-party dependencies from the package index."""
    subprocess.run(
        [sys.executable, "-m", "uv", "pip", "install"]
        + ["--find-links", str(find_links), "--python", str(python)]
        + [str(requirement) for requirement in requirements],
        check=True,
        capture_output=True,
    )


TEST_CLIENT_SMOKE = (
    "from microapi import MicroAPI\n"
    "from microapi.testing import TestClient\n"
    "app = MicroAPI()\n"
    "app.get('/')(lambda: 'ok')\n"
    "with TestClient(app) as client: assert client.get('/').json() == 'ok'"
)


@pytest.mark.timeout(180)
def test_the_test_client_needs_the_testing_extra_and_says_so(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    core = wheels["microapi-core"]
    install(python, core, find_links=core.parent)
    plain = subprocess.run(
        [python, "-I", "-c", "import microapi.testing"], capture_output=True, text=True
    )
    assert plain.returncode == 1
    assert "ModuleNotFoundError" in plain.stderr
    assert "pip install 'microapi-core[testing]'" in plain.stderr
    install(python, f"microapi-core[testing] @ {core.as_uri()}", find_links=core.parent)
    with_extra = subprocess.run(
        [python, "-I", "-c", TEST_CLIENT_SMOKE], capture_output=True, text=True, cwd=tmp_path
    )
    assert with_extra.returncode == 0, with_extra.stderr


@pytest.mark.parametrize("package", [*STANDALONE, "microapi-core", "microapi-contrib"])
def test_each_package_reports_the_version_it_is_built_as(package: str) -> None:
    import importlib
    import tomllib

    project = tomllib.loads((ROOT / "packages" / package / "pyproject.toml").read_text())
    module = {"microapi-core": "microapi"}.get(package, package.replace("-", "_"))
    assert importlib.import_module(module).__version__ == project["project"]["version"]
    changelog = (ROOT / "packages" / package / "CHANGELOG.md").read_text()
    assert f"## {project['project']['version']} " in changelog  # the CHANGELOG names it
