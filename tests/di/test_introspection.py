"""What a prepared callable and a container tell about themselves."""

from collections.abc import AsyncIterator
from typing import Annotated

from microapi_di import Container, DependencyNode, Depends


class Request:
    """Stands in for a request."""


class Db:
    """Stands in for a database handle."""


async def get_db(request: Request) -> AsyncIterator[Db]:
    yield Db()


def current_user(request: Request, db: Annotated[Db, Depends(get_db)]) -> str:
    return "alice"


def make_settings() -> dict[str, str]:
    return {}


async def handler(
    user: Annotated[str, Depends(current_user)],
    db: Annotated[Db, Depends(get_db, use_cache=False)],
    settings: Annotated[dict[str, str], Depends(make_settings)],
    limit: int = 10,
) -> str:
    return user


def test_prepared_exposes_fn_scope_and_asyncness() -> None:
    container = Container()
    container.provide(Request)
    prepared = container.prepare(handler)
    assert prepared.fn is handler
    assert prepared.scope == "request"
    assert prepared.is_async
    assert "handler" in repr(prepared)


def test_dependency_tree_lists_parameters_recursively() -> None:
    container = Container()
    container.provide(Request)
    prepared = container.prepare(handler)
    request_node = DependencyNode("request", "value", Request, "request", True, None, ())
    db_node = DependencyNode("db", "depends", get_db, "request", True, get_db, (request_node,))
    assert prepared.dependencies == [
        DependencyNode(
            "user", "depends", current_user, "request", True, current_user, (request_node, db_node)
        ),
        DependencyNode("db", "depends", get_db, "request", False, get_db, (request_node,)),
        DependencyNode("settings", "depends", make_settings, "request", True, make_settings, ()),
    ]


def test_tree_shows_services_and_active_replacements() -> None:
    container = Container()
    container.register(Db, Db, scope="app")

    def use(db: Db) -> Db:
        return db

    def fake() -> Db:
        return Db()

    prepared = container.prepare(use)
    [node] = prepared.dependencies
    assert (node.name, node.kind, node.target, node.scope, node.factory) == (
        "db",
        "service",
        Db,
        "app",
        Db,
    )
    with container.override(Db, fake):
        assert prepared.dependencies[0].factory is fake
    assert prepared.dependencies[0].factory is Db
