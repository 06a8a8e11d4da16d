"""What every benchmark app shares: the routes, and the dependency chain's framework-free parts.

Every framework module in this folder (`raw_app`, `microapi_app`, ...) exposes the same three
factories, used by both benchmarks (`benchmarks/app_bench.py` in process, `run.py` end to end):

- `create_app()`: `GET /hello` -> `{"hello": "world"}`; `GET /users/{user_id}` ->
  `{"id": user_id}`; `GET /deps` -> `{"hello": "world"}` through the dependency chain below.
- `create_middleware_app(count, probe)`: `GET /hello` behind `count` pass-through middlewares;
  `probe`, when given, is called by every middleware on every request (only to check the wiring).
- `create_many_routes_app(count)`: `GET /res{i}/{item_id}` -> `{"id": item_id}` for each `i`.

Each module also has `app = create_app()`, which the end-to-end runner serves with uvicorn.

The dependency chain (the `/deps` route): the handler needs `current_user` (level 3), which
needs a `Service` (level 2), which needs a `Repo` (level 1); every level and the handler's chain
share one `Session` per request, made by an async generator that is torn down after the handler.
Frameworks with dependency injection declare this graph; the others write the calls by hand
(`by_hand`), with the same teardown.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

Probe = Callable[[], None]

MIDDLEWARES = 5
MANY_ROUTES = 1_000


class Session:
    """Stands in for a database session; counts how many were opened and closed."""

    __slots__ = ("user",)

    opened = 0
    closed = 0

    def __init__(self) -> None:
        Session.opened += 1
        self.user = "world"

    def close(self) -> None:
        Session.closed += 1


class Repo:
    __slots__ = ("session",)

    def __init__(self, session: Session) -> None:
        self.session = session


class Service:
    __slots__ = ("repo", "session")

    def __init__(self, repo: Repo, session: Session) -> None:
        self.repo = repo
        self.session = session

    def current_user(self, session: Session) -> str:
        return session.user if session is self.repo.session else "?"


# The framework-free chain; Litestar provides these by parameter name, `by_hand` calls them.


async def session() -> AsyncGenerator[Session, None]:
    db = Session()
    try:
        yield db
    finally:
        db.close()


async def repo(session: Session) -> Repo:
    return Repo(session)


async def service(repo: Repo, session: Session) -> Service:
    return Service(repo, session)


async def user(service: Service, session: Session) -> str:
    return service.current_user(session)


async def by_hand() -> str:
    """The chain written out: one session, three levels, teardown (errors thrown in)."""
    generator = session()
    db = await generator.__anext__()
    try:
        found = await user(await service(await repo(db), db), db)
    except BaseException as exc:
        await generator.athrow(exc)
        raise
    try:
        await generator.__anext__()
    except StopAsyncIteration:
        return found
    raise RuntimeError("session() yielded twice")
