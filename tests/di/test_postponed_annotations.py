"""String annotations (postponed evaluation) are evaluated where the function was written."""

from __future__ import annotations

import asyncio
from typing import Annotated

from microapi_di import Container, Depends


class Db:
    """Stands in for a database handle."""


def get_name() -> str:
    return "name"


class Repo:
    """A class whose constructor has string annotations."""

    def __init__(self, db: Db, name: Annotated[str, Depends(get_name)]) -> None:
        self.db = db
        self.name = name


def handler(repo: Annotated[Repo, Depends(Repo)], db: Db | None = None) -> tuple[Repo, Db | None]:
    return repo, db


def test_string_annotations_resolve_types_and_annotated_markers() -> None:
    container = Container()
    container.register(Db, Db)
    prepared = container.prepare(handler)

    async def main() -> tuple[Repo, Db | None]:
        async with container.app_scope() as app:
            return await app.run(prepared)

    repo, db = asyncio.run(main())
    assert isinstance(repo.db, Db)
    assert repo.name == "name"
    assert db is None
