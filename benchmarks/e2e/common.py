"""What every benchmark app shares: the routes, and the dependency chain's framework-free parts.

Every framework module in this folder (`raw_app`, `microapi_app`, ...) exposes the same three
factories, used by both benchmarks (`benchmarks/app_bench.py` in process, `run.py` end to end):

- `create_app()`: `GET /hello` -> `{"hello": "world"}`; `GET /users/{user_id}` ->
  `{"id": user_id}`; `GET /deps` -> `{"hello": "world"}` through the dependency chain below;
  `GET /items/{item_id}?limit=&q=` -> `{"item_id": int, "limit": int (20), "q": str or None}`
  (typed parameters, 422 when one does not convert); `POST /orders` with an order (`ORDER_BODY`)
  -> 201 `{"id": ..., "total": ..., "items": ...}` (the JSON body decoded and validated into a
  typed object; 400 for bad JSON, 422 for an order that does not fit).
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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

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


# -- the typed-parameter row: GET /items/42?limit=10&q=abc ----------------------------------

ITEM_PATH = "/items/42"
ITEM_QUERY = "limit=10&q=abc"
ITEM_ANSWER = {"item_id": 42, "limit": 10, "q": "abc"}


# -- the body row: POST /orders with a JSON order ----------------------------------------------

# 10 fields: 3 nested items, a datetime, a nullable note, a list of tags (about 300 bytes).
ORDER_BODY = (
    b'{"id":1001,"customer":"Ada Lovelace","email":"ada@example.com",'
    b'"created_at":"2026-01-15T10:30:00+00:00","currency":"EUR","paid":true,'
    b'"items":[{"sku":"BOOK-001","quantity":2,"price":2.5},'
    b'{"sku":"PEN-002","quantity":1,"price":10.0},'
    b'{"sku":"INK-003","quantity":4,"price":4.25}],'
    b'"note":null,"tags":["gift","express"],"shipping":4.9}'
)
ORDER_ANSWER = {"id": 1001, "total": 32.0, "items": 3}


class Item(msgspec.Struct):
    """The order's line, as msgspec decodes it (raw ASGI, MicroAPI and Litestar)."""

    sku: str
    quantity: int
    price: float


class Order(msgspec.Struct):
    id: int
    customer: str
    email: str
    created_at: datetime
    currency: str
    paid: bool
    items: list[Item]
    note: str | None
    tags: list[str]
    shipping: float


def order_answer(id: int, items: list[Any]) -> dict[str, Any]:
    """What every app answers for an order whose items have `quantity` and `price`."""
    return {"id": id, "total": sum(i.quantity * i.price for i in items), "items": len(items)}


# Validation by hand, for the frameworks without a typed body (Starlette, Falcon): what their
# users write after `json.loads`: check each field's type, parse the datetime, build objects.


class Invalid(ValueError):
    """An order that does not fit; `errors` as `{"loc": [...], "msg": ...}` dicts."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(slots=True)
class HandItem:
    sku: str
    quantity: int
    price: float


@dataclass(slots=True)
class HandOrder:
    id: int
    customer: str
    email: str
    created_at: datetime
    currency: str
    paid: bool
    items: list[HandItem]
    note: str | None
    tags: list[str]
    shipping: float


def _field(
    data: dict[str, Any],
    name: str,
    kind: type | tuple[type, ...],
    loc: list[Any],
    errors: list[Any],
) -> Any:
    value = data.get(name)
    if name not in data:
        errors.append({"loc": [*loc, name], "msg": "Field required"})
    elif not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        errors.append({"loc": [*loc, name], "msg": f"Expected {kind}"})
    return value


def _number(value: Any) -> Any:
    return value if isinstance(value, float) else float(value) if type(value) is int else value


def validate_order(data: Any) -> HandOrder:
    """`json.loads`'s result checked field by field into a `HandOrder`; raises `Invalid`."""
    if not isinstance(data, dict):
        raise Invalid([{"loc": ["body"], "msg": "Expected an object"}])
    errors: list[dict[str, Any]] = []
    loc = ["body"]
    number = (int, float)
    order_id = _field(data, "id", int, loc, errors)
    customer = _field(data, "customer", str, loc, errors)
    email = _field(data, "email", str, loc, errors)
    created = _field(data, "created_at", str, loc, errors)
    currency = _field(data, "currency", str, loc, errors)
    paid = _field(data, "paid", bool, loc, errors)
    raw_items = _field(data, "items", list, loc, errors)
    note = data.get("note")
    if "note" not in data:
        errors.append({"loc": ["body", "note"], "msg": "Field required"})
    elif note is not None and not isinstance(note, str):
        errors.append({"loc": ["body", "note"], "msg": "Expected str or null"})
    tags = _field(data, "tags", list, loc, errors)
    shipping = _field(data, "shipping", number, loc, errors)
    created_at = None
    if isinstance(created, str):
        try:
            created_at = datetime.fromisoformat(created)
        except ValueError:
            errors.append({"loc": ["body", "created_at"], "msg": "Invalid datetime"})
    if isinstance(tags, list) and not all(isinstance(tag, str) for tag in tags):
        errors.append({"loc": ["body", "tags"], "msg": "Expected a list of str"})
    items: list[HandItem] = []
    if isinstance(raw_items, list):
        for index, raw in enumerate(raw_items):
            where = ["body", "items", index]
            if not isinstance(raw, dict):
                errors.append({"loc": where, "msg": "Expected an object"})
                continue
            sku = _field(raw, "sku", str, where, errors)
            quantity = _field(raw, "quantity", int, where, errors)
            price = _field(raw, "price", number, where, errors)
            items.append(HandItem(sku, quantity, _number(price)))
    if errors:
        raise Invalid(errors)
    return HandOrder(
        order_id,
        customer,
        email,
        created_at,  # type: ignore[arg-type]
        currency,
        paid,
        items,
        note,
        tags,
        _number(shipping),
    )
