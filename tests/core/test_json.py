"""Return values of typed objects become JSON (SPEC 8.2), keeping JSON's rules."""

import dataclasses
import datetime
import decimal
import enum
import uuid
from typing import Any, TypedDict

import msgspec
import pydantic
from microapi import JSONResponse, MicroAPI
from microapi.testing import TestClient


class Color(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    LARGE = 3


@dataclasses.dataclass
class Point:
    x: int
    when: datetime.datetime


class Movie(TypedDict):
    title: str
    year: int


class Tag(msgspec.Struct):
    name: str
    price: decimal.Decimal


class Person(pydantic.BaseModel):
    name: str
    born: datetime.date


def served(value: Any) -> Any:
    app = MicroAPI()

    @app.get("/")
    async def handler() -> Any:
        return value

    with TestClient(app) as client:
        response = client.get("/")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response


def test_dataclasses_typeddicts_structs_and_pydantic_models_are_encoded() -> None:
    when = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    value = {
        "point": Point(1, when),
        "movie": Movie(title="Heat", year=1995),
        "tags": [Tag("a", decimal.Decimal("1.50"))],
        "person": Person(name="Ada", born=datetime.date(1815, 12, 10)),
    }
    assert served(value).json() == {
        "point": {"x": 1, "when": "2026-12-01T09:30:00Z"},
        "movie": {"title": "Heat", "year": 1995},
        "tags": [{"name": "a", "price": "1.50"}],
        "person": {"name": "Ada", "born": "1815-12-10"},
    }


def test_scalars_inside_any_json_value_are_encoded() -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    value = [
        datetime.date(2020, 1, 2),
        datetime.time(3, 4, 5),
        ident,
        decimal.Decimal("0.1"),
        Color.RED,
        Size.LARGE,
        {"nested": {"deeper": [ident]}},
    ]
    assert served(value).json() == [
        "2020-01-02",
        "03:04:05",
        str(ident),
        "0.1",
        "red",
        3,
        {"nested": {"deeper": [str(ident)]}},
    ]


def test_a_returned_struct_is_compact_utf8() -> None:
    response = served({"name": "ünï", "list": [1, 2]})
    assert response.content == '{"name":"ünï","list":[1,2]}'.encode()


def test_json_response_encodes_typed_values_and_null_stays_null() -> None:
    response = JSONResponse({"point": Point(2, datetime.datetime(2000, 1, 1)), "none": None})
    assert response.body == b'{"point":{"x":2,"when":"2000-01-01T00:00:00"},"none":null}'
