"""An app using every feature the OpenAPI document describes, for tests/contrib/test_openapi*.

Groups with tags and dependencies, path/query/header/cookie parameters, lists, constraints,
Literal and Enum, bodies of a dataclass, a TypedDict, a Struct and a pydantic model, status
codes, docstrings, two handlers of one name, a Response return, and the routes contrib adds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Annotated, Literal, TypedDict

import msgspec
import pydantic
from microapi import Depends, MicroAPI, Response, RouteGroup
from microapi.params import Body, Cookie, Header, Path, Query
from microapi.responses import PlainTextResponse
from microapi_contrib import enable_introspection
from microapi_contrib.openapi import enable_openapi


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Item:
    """An item of the shop."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    price: Annotated[float, msgspec.Meta(ge=0)]
    tags: list[str] = field(default_factory=list)
    color: Color = Color.RED


class Address(TypedDict):
    street: str
    city: str


class Order(msgspec.Struct):
    items: list[Item]
    ship_to: Address
    express: bool = False


class User(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=1)
    age: int = pydantic.Field(ge=0, le=150)
    friends: list[Friend] = []


class Friend(pydantic.BaseModel):
    name: str


User.model_rebuild()

Limit = Annotated[int, Query(description="How many at most"), msgspec.Meta(ge=1, le=100)]


def tenant(x_tenant: Annotated[str, Header(), msgspec.Meta(pattern="^[a-z]+$")]) -> str:
    """Group dependency: every /shop route reads the x-tenant header."""
    return x_tenant


def shop_routes() -> RouteGroup:
    shop = RouteGroup("/shop", dependencies=[Depends(tenant)], tags=["shop"])
    items = RouteGroup("/items", tags=["items"])

    @items.get("")
    async def list_items(
        limit: Limit = 10,
        tag: Annotated[list[str], Query()] = [],  # noqa: B006
        color: Annotated[Color | None, Query()] = None,
        order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    ) -> list[Item]:
        """List the items.

        Filtered by tag and colour,
        at most `limit` of them.
        """
        return [Item("pen", 1.5, ["office"])][:limit]

    @items.get("/{item_id}")
    async def get_item(item_id: Annotated[int, msgspec.Meta(ge=1)]) -> Item:
        """One item by id."""
        return Item(f"item {item_id}", 2.0)

    @items.post("", status_code=201)
    async def create_item(item: Annotated[Item, Body()]) -> Item:
        """Add an item."""
        return item

    @items.delete("/{item_id}", status_code=204)
    async def delete_item(item_id: int) -> None:
        """Remove an item."""

    shop.include(items)

    @shop.post("/orders", status_code=202)
    async def place_order(
        order: Annotated[Order, Body()],
        session: Annotated[str, Cookie()],
        x_trace: Annotated[list[str], Header()] = [],  # noqa: B006
    ) -> Order:
        """Place an order."""
        return order

    return shop


def create_app() -> MicroAPI:
    app = MicroAPI()
    app.include(shop_routes())

    @app.post("/users")
    async def create_user(user: Annotated[User, Body()]) -> User:
        """Create a user (a pydantic model)."""
        return user

    @app.put("/addresses/{name}")
    async def put_address(
        name: Annotated[str, Path(), msgspec.Meta(max_length=20)],
        address: Annotated[Address | None, Body()] = None,
    ) -> Address | None:
        """Store an address; without a body, forget it."""
        return address

    @app.route("/echo", methods=["GET", "POST"])
    async def echo(word: Annotated[str, Query(alias="w")] = "hi") -> dict[str, str]:
        return {"word": word}

    @app.get("/text")
    async def text() -> PlainTextResponse:
        """Plain text, described without a schema."""
        return PlainTextResponse("hello")

    @app.get("/raw")
    async def raw():  # type: ignore[no-untyped-def]  # no annotation: nothing to describe
        return Response(b"raw")

    # Two handlers of one name: operation ids are made unique.
    def make(path: str) -> None:
        @app.get(path)
        async def ping() -> Literal["pong"]:
            return "pong"

    make("/ping")
    make("/v2/ping")
    enable_introspection(app, path="/_debug")
    enable_openapi(app, title="Shop", version="2.0")
    return app


app = create_app()
