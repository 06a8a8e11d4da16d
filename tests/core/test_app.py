"""What an app declares: routes and their methods, debug, services and overrides.

All of it is frozen once the app has started.
"""

import pytest
from microapi import AppFrozenError, Depends, MicroAPI, Request
from microapi.testing import TestClient
from microapi_di import CyclicDependencyError, FrozenContainerError, ScopeViolationError

from tests.core.services import Database, Session


class A:
    def __init__(self, b: "B") -> None: ...


class B:
    def __init__(self, a: A) -> None: ...


def test_method_names_are_upper_cased_and_a_bare_string_is_refused() -> None:
    app = MicroAPI()

    @app.route("/", methods=["get", "Post"])
    async def handler(request: Request) -> str:
        return request.method

    with pytest.raises(TypeError, match=r"\['GET'\]"):
        app.route("/other", methods="GET")
    with TestClient(app) as client:
        assert client.get("/").json() == "GET"
        assert client.post("/").json() == "POST"


def test_route_conflict_is_an_error_at_registration() -> None:
    app = MicroAPI()

    @app.get("/users/{id}")
    async def first() -> None: ...

    with pytest.raises(Exception, match=r"/users/\{name\}"):

        @app.get("/users/{name}")
        async def second() -> None: ...


def test_debug_set_after_construction_takes_effect_and_is_frozen_after_start_up() -> None:
    app = MicroAPI()

    @app.get("/")
    async def crash() -> None:
        raise RuntimeError("secret internals")

    app.debug = True
    assert app.debug is True
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/")
        assert response.status_code == 500
        assert "secret internals" in response.text
        with pytest.raises(AppFrozenError, match="debug"):
            app.debug = False
    assert app.debug is True


def test_changes_after_start_up_raise() -> None:
    app = MicroAPI()
    with TestClient(app):
        with pytest.raises(RuntimeError, match="already started"):
            app.add_route("/late", lambda: None, ["GET"])
        with pytest.raises(RuntimeError, match="already started"):
            app.add_middleware(lambda r, c: c(r))


def test_frozen_after_start_up() -> None:
    app = MicroAPI()
    with TestClient(app):
        for action in (
            lambda: app.get("/x")(lambda: None),
            lambda: app.on_startup(lambda: None),
            lambda: app.on_shutdown(lambda: None),
            lambda: app.add_middleware(lambda r, c: c(r)),
        ):
            with pytest.raises(RuntimeError, match="already started"):
                action()
        with pytest.raises(FrozenContainerError, match="Database"):
            app.registry.register(Database, lambda: Database([]), scope="app")


def test_overrides_replace_dependencies_and_services_and_are_undone() -> None:
    app = MicroAPI()
    app.registry.register(Database, lambda: Database(["real"]), scope="app")

    def current_user() -> str:
        return "alice"

    @app.get("/")
    async def handler(db: Database, user: str = Depends(current_user)) -> list[str]:
        return [*db.events, user]

    with TestClient(app) as client:
        assert client.get("/").json() == ["real", "alice"]
        with app.override(current_user, lambda: "mallory"):
            assert client.get("/").json() == ["real", "mallory"]
        app.dependency_overrides[current_user] = lambda: "bob"
        assert client.get("/").json() == ["real", "bob"]
        del app.dependency_overrides[current_user]
        assert client.get("/").json() == ["real", "alice"]


def test_service_override_before_start_up() -> None:
    app = MicroAPI()
    app.registry.register(Database, lambda: Database(["real"]), scope="app")

    @app.get("/")
    async def handler(db: Database) -> list[str]:
        return db.events

    with app.override(Database, lambda: Database(["fake"])), TestClient(app) as client:
        assert client.get("/").json() == ["fake"]


def test_two_apps_share_nothing() -> None:
    first, second = MicroAPI(), MicroAPI()
    first.registry.register(Database, lambda: Database(["first"]), scope="app")
    second.registry.register(Database, lambda: Database(["second"]), scope="app")

    def who() -> str:
        return "original"

    @first.get("/only-first")
    async def only_first(db: Database, name: str = Depends(who)) -> list[str]:
        return [*db.events, name]

    @second.get("/only-second")
    async def only_second(db: Database, name: str = Depends(who)) -> list[str]:
        return [*db.events, name]

    first.dependency_overrides[who] = lambda: "overridden"
    with TestClient(first) as a, TestClient(second) as b:
        assert a.get("/only-first").json() == ["first", "overridden"]
        assert b.get("/only-second").json() == ["second", "original"]
        assert a.get("/only-second").status_code == 404
        assert b.get("/only-first").status_code == 404


def test_scope_violation_names_the_chain_at_registration_or_start_up() -> None:
    app = MicroAPI()

    class Pool:
        def __init__(self, session: Session) -> None: ...

    app.registry.register(Session, Session, scope="request")
    with pytest.raises(ScopeViolationError, match=r"Pool.*Session") as info:
        app.registry.register(Pool, Pool, scope="app")
    assert "scope" in str(info.value)
    with TestClient(app) as client:  # the refused service left the app intact
        assert client.get("/missing").status_code == 404


def test_cycle_names_the_chain() -> None:
    app = MicroAPI()
    app.registry.register(A, A, scope="app")
    with pytest.raises(CyclicDependencyError, match=r"\bA\b.*\bB\b.*\bA\b|\bB\b.*\bA\b.*\bB\b"):
        app.registry.register(B, B, scope="app")
