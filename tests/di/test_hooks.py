"""Parameter hooks: a caller's own rule for filling parameters, and strict defaults."""

import os
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from microapi_di import (
    Container,
    DefaultOnlyError,
    Depends,
    DependsMarker,
    Given,
    InvalidDependencyError,
    MissingDependencyError,
    MissingValueError,
    Parameter,
)


@dataclass(frozen=True)
class Env:
    """A marker of this test's own: the parameter comes from an environment variable."""

    name: str


def reader(name: str, convert: Any) -> Any:
    def read() -> Any:
        return convert(os.environ[name])

    return read


def env_hook(param: Parameter) -> DependsMarker | None:
    for item in param.metadata:
        if isinstance(item, Env):
            return DependsMarker(reader(item.name, param.annotation))
    return None


def test_a_hook_turns_a_marker_of_your_own_into_a_dependency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_PORT", "8080")

    def settings(port: Annotated[int, Env("TEST_PORT")]) -> dict[str, int]:
        return {"port": port}

    def main(config: Annotated[dict[str, int], Depends(settings)]) -> int:
        return config["port"] + 1

    container = Container()
    prepared = container.prepare(main, hook=env_hook)
    with container.sync_app_scope() as app, app.request() as scope:
        assert scope.call(prepared) == 8081


def test_without_the_hook_the_marker_means_nothing() -> None:
    def main(port: Annotated[int, Env("TEST_PORT")]) -> int:
        return port

    with pytest.raises(MissingDependencyError, match="'port'"):
        Container().prepare(main)


def test_given_reads_what_the_scope_was_given_under_a_key() -> None:
    seen: list[str] = []

    def hook(param: Parameter) -> Given | None:
        seen.append(f"{getattr(param.owner, '__name__', '?')}.{param.name}")
        return Given(("arg", param.name)) if param.name.startswith("arg_") else None

    def helper(arg_b: str) -> str:
        return arg_b.upper()

    def main(arg_a: int, b: Annotated[str, Depends(helper)]) -> str:
        return f"{arg_a}{b}"

    container = Container()
    prepared = container.prepare(main, hook=hook)
    assert seen == ["main.arg_a", "helper.arg_b"]  # asked at prepare time, Depends skipped
    values = {("arg", "arg_a"): 1, ("arg", "arg_b"): "x"}
    with container.sync_app_scope() as app, app.request(values) as scope:
        assert scope.call(prepared) == "1X"
    with (
        container.sync_app_scope() as app,
        app.request({}) as scope,
        pytest.raises(Exception, match="no value"),
    ):
        scope.call(prepared)


def test_the_hook_is_asked_again_when_overrides_change_the_graph() -> None:
    asked: list[str] = []

    def hook(param: Parameter) -> Given | None:
        asked.append(param.name)
        return Given(param.name)

    def original() -> str:
        return "original"

    def replacement(token: str) -> str:
        return f"replaced {token}"

    def main(value: Annotated[str, Depends(original)]) -> str:
        return value

    container = Container()
    prepared = container.prepare(main, hook=hook)
    before = prepared.version
    with container.override(original, replacement):
        assert prepared.version is not before
        with container.sync_app_scope() as app, app.request({"token": "t"}) as scope:
            assert scope.call(prepared) == "replaced t"
    assert "token" in asked
    assert [node.name for node in prepared.dependencies[0].children] == []


def test_a_hook_answering_something_else_is_a_clear_error() -> None:
    def main(x: int) -> int:
        return x

    with pytest.raises(InvalidDependencyError, match=r"main\(x: int\).*hook answered 42"):
        Container().prepare(main, hook=lambda param: 42)  # type: ignore[arg-type,return-value]


def test_strict_defaults_refuse_a_root_parameter_only_its_default_fills() -> None:
    def dependency(page: int = 1) -> int:
        return page

    def main(limit: int = 20, page: Annotated[int, Depends(dependency)] = 0) -> int:
        return limit + page

    container = Container()
    assert container.prepare(main)  # by default a default is fine
    with pytest.raises(DefaultOnlyError) as info:
        container.prepare(main, strict_defaults=True)
    assert info.value.parameter == "limit"
    assert info.value.default == 20
    assert "main(limit: int)" in str(info.value)
    assert isinstance(info.value, MissingDependencyError)


def test_strict_defaults_leave_dependencies_their_defaults() -> None:
    def dependency(page: int = 1) -> int:
        return page

    def main(page: Annotated[int, Depends(dependency)]) -> int:
        return page

    container = Container()
    prepared = container.prepare(main, strict_defaults=True)
    with container.sync_app_scope() as app, app.request() as scope:
        assert scope.call(prepared) == 1


def test_on_change_is_called_after_every_change_that_can_alter_plans() -> None:
    calls: list[str] = []
    container = Container()
    container.on_change(lambda: calls.append("changed"))

    def original() -> int:
        return 1

    container.register(int, original, scope="app")
    assert calls == ["changed"]
    with container.override(int, lambda: 2):
        assert calls == ["changed"] * 2
    assert calls == ["changed"] * 3
    with pytest.raises(TypeError, match="callable"):
        container.on_change("nope")  # type: ignore[arg-type]


def test_a_given_value_missing_at_app_scope_names_the_key() -> None:
    """A hook's `Given` in a callable prepared at app scope is read like a declared app value,
    but nothing checked it when the scope was entered: a clear error, not a bare KeyError."""
    import asyncio

    def job(token: str) -> str:
        return token

    container = Container()
    prepared = container.prepare(job, scope="app", hook=lambda param: Given(param.name))

    async def main() -> None:
        async with container.app_scope() as app:
            with pytest.raises(MissingValueError, match=r"no value for 'token'.*app scope"):
                await app.call(prepared)
        async with container.app_scope({"token": "t"}) as app:
            assert await app.call(prepared) == "t"

    asyncio.run(main())
