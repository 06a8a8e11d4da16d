"""Request parameters on the introspection page and its JSON: source, key, type, default."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

import msgspec
import pytest
from microapi import Depends, MicroAPI
from microapi.params import Body, Cookie, Header, Path, Query
from microapi.testing import TestClient
from microapi_contrib import collect, enable_introspection
from microapi_contrib.introspection import (
    AppInfo,
    ParameterInfo,
    RouteInfo,
    render_html,
)
from microapi_contrib.introspection._describe import constraints, json_default, type_name


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Item:
    sku: str
    quantity: int


@dataclass
class Order:
    id: int
    items: list[Item]


def current_token(x_token: Annotated[str, Header()]) -> str:
    """A dependency that reads a header: its parameter shows on every route that uses it."""
    return x_token


def typed_app() -> MicroAPI:
    app = MicroAPI()

    @app.get("/items/{item_id}")
    async def item(
        item_id: int,
        limit: Annotated[int, Query(), msgspec.Meta(ge=1, le=100)] = 20,
        q: Annotated[str | None, Query()] = None,
        tags: Annotated[list[str], Query(alias="tag")] = [],  # noqa: B006
        color: Annotated[Color, Query()] = Color.RED,
        price: Annotated[Decimal, Query()] = Decimal("1.5"),
        ratio: Annotated[float, Query()] = float("nan"),
        x_request_id: Annotated[str | None, Header()] = None,
        session: Annotated[str, Cookie(), msgspec.Meta(min_length=8)] = "anonymous",
    ) -> dict[str, Any]:
        return {"item_id": item_id}

    @app.get("/files/{name}")
    async def file(name, version: Annotated[Literal["a", "b"], Path(alias="name")]) -> str:  # type: ignore[no-untyped-def]
        return str(name)

    @app.post("/orders", status_code=201)
    async def create(
        order: Annotated[Order, Body()], token: str = Depends(current_token)
    ) -> dict[str, int]:
        return {"id": order.id}

    @app.get("/plain")
    async def plain() -> str:
        return "plain"

    enable_introspection(app, "/_debug")
    return app


def route(info: AppInfo, template: str) -> RouteInfo:
    [found] = [r for r in info.routes if r.template == template]
    return found


def test_each_parameter_with_its_source_key_type_and_default() -> None:
    parameters = route(collect(typed_app()), "/items/{item_id}").parameters
    assert parameters == (
        ParameterInfo("path", "item_id", "item_id", "int", (), True, None, False),
        ParameterInfo("query", "limit", "limit", "int", (">= 1", "<= 100"), False, 20, False),
        ParameterInfo("query", "q", "q", "str | None", (), False, None, False),
        ParameterInfo("query", "tag", "tags", "list[str]", (), False, (), True),
        ParameterInfo("query", "color", "color", "Color", (), False, "<Color.RED: 'red'>", False),
        ParameterInfo("query", "price", "price", "Decimal", (), False, "Decimal('1.5')", False),
        ParameterInfo("query", "ratio", "ratio", "float", (), False, "nan", False),
        ParameterInfo(
            "header", "x-request-id", "x_request_id", "str | None", (), False, None, False
        ),
        ParameterInfo(
            "cookie", "session", "session", "str", ("length >= 8",), False, "anonymous", False
        ),
    )


def test_unannotated_path_parameters_are_strings_and_aliases_show_the_key() -> None:
    parameters = route(collect(typed_app()), "/files/{name}").parameters
    assert [(p.source, p.key, p.name, p.type) for p in parameters] == [
        ("path", "name", "name", "str"),
        ("path", "name", "version", "Literal['a', 'b']"),
    ]


def test_the_body_and_the_parameters_of_dependencies() -> None:
    parameters = route(collect(typed_app()), "/orders").parameters
    assert parameters == (
        ParameterInfo("header", "x-token", "x_token", "str", (), True, None, False),
        ParameterInfo("body", "order", "order", "Order", (), True, None, False),
    )
    assert route(collect(typed_app()), "/plain").parameters == ()


def test_the_dependency_tree_names_parameters_by_source_and_key() -> None:
    tree = route(collect(typed_app()), "/orders").dependencies
    assert [(node.parameter, node.kind, node.target) for node in tree] == [
        ("order", "value", "body"),
        ("token", "depends", f"{__name__}:current_token"),
    ]
    assert [(n.parameter, n.target) for n in tree[1].children] == [("x_token", "header 'x-token'")]


def test_a_route_that_cannot_be_prepared_lists_no_parameters() -> None:
    app = MicroAPI()

    @app.get("/broken/{item_id}")
    async def broken(item_id: int, mailer: Mailer) -> None: ...

    found = route(collect(app), "/broken/{item_id}")
    assert found.error is not None
    assert found.parameters == ()
    assert "<th>Parameters</th>" in render_html(collect(app))


class Mailer:
    """Never registered."""


def test_the_json_view_carries_the_parameters() -> None:
    app = typed_app()
    with TestClient(app) as client:
        data = client.get("/_debug?format=json").json()
    assert data == json.loads(json.dumps(collect(app).as_dict()))
    (items,) = [r for r in data["routes"] if r["template"] == "/items/{item_id}"]
    assert items["parameters"][1] == {
        "source": "query",
        "key": "limit",
        "name": "limit",
        "type": "int",
        "constraints": [">= 1", "<= 100"],
        "required": False,
        "default": 20,
        "many": False,
    }
    assert items["parameters"][3]["default"] == []
    assert items["parameters"][5]["default"] == "Decimal('1.5')"


def test_the_page_shows_every_parameter() -> None:
    app = typed_app()
    with TestClient(app) as client:
        page = client.get("/_debug").text
    assert "<th>Parameters</th>" in page
    assert (
        '<li><span class="source">query</span> <code>limit</code>: <code>int</code> '
        '<span class="kind">&gt;= 1, &lt;= 100, default 20</span></li>'
    ) in page
    assert (
        '<span class="source">path</span> <code>item_id</code>: <code>int</code> '
        '<span class="kind">required</span>'
    ) in page
    assert (
        '<span class="source">query</span> <code>tag</code>: <code>list[str]</code> '
        '<span class="kind">default [], parameter tags</span>'
    ) in page
    assert (
        '<span class="source">body</span>: <code>Order</code> '
        '<span class="kind">required, parameter order</span>'
    ) in page
    assert "default &quot;Decimal(&#x27;1.5&#x27;)&quot;" in page
    assert '<span class="note">none</span></td></tr>' in page  # /plain reads nothing


def test_parameters_on_the_page_are_escaped() -> None:
    evil = '<script>alert("x")</script>'
    parameter = ParameterInfo("query", evil, evil + "2", evil, (evil,), False, evil, False)
    info = AppInfo(
        routes=(RouteInfo("/a", ("GET",), "h", None, (), (), None, parameters=(parameter,)),),
        middleware=(),
        services=(),
    )
    page = render_html(info)
    assert "<script" not in page
    assert page.count("&lt;script&gt;") == 5


@pytest.mark.parametrize(
    ("annotation", "shown"),
    [
        (int, "int"),
        (list[str], "list[str]"),
        (str | None, "str | None"),
        (Optional[int], "int | None"),  # noqa: UP045
        (dict[str, list[Item]], "dict[str, list[Item]]"),
        (tuple[int, ...], "tuple[int, ...]"),
        (Literal["a", 1], "Literal['a', 1]"),
        (Annotated[int, msgspec.Meta(gt=0)], "Annotated[int, > 0]"),
        (Annotated[int, Query()], "int"),
        (
            list[Annotated[str, msgspec.Meta(pattern="^[a-z]+$")]],
            "list[Annotated[str, matches '^[a-z]+$']]",
        ),
        (Any, "Any"),
        (None, "None"),
        ("Order", "Order"),
    ],
)
def test_types_are_shown_as_written(annotation: Any, shown: str) -> None:
    assert type_name(annotation) == shown


def test_constraints_leave_out_markers_and_documentation() -> None:
    numbers = msgspec.Meta(ge=0, lt=10, multiple_of=2, title="t", description="d")
    lengths = msgspec.Meta(min_length=1, max_length=3, examples=["ab"])
    assert constraints((Query(), numbers, "other", lengths)) == (
        ">= 0",
        "< 10",
        "multiple of 2",
        "length >= 1",
        "length <= 3",
    )
    assert constraints((msgspec.Meta(tz=True),)) == ("timezone-aware",)
    assert constraints((msgspec.Meta(tz=False),)) == ("naive",)


@pytest.mark.parametrize(
    ("default", "shown"),
    [
        (None, None),
        (True, True),
        (3, 3),
        (1.5, 1.5),
        ("a", "a"),
        (["a", 1], ("a", 1)),
        ({"a": [1]}, {"a": [1]}),
        (float("inf"), "inf"),
        ({1: "a"}, "{1: 'a'}"),
        ([Decimal("1")], "[Decimal('1')]"),
        (Color.BLUE, "<Color.BLUE: 'blue'>"),
    ],
)
def test_defaults_json_cannot_carry_are_shown_as_their_repr(default: Any, shown: Any) -> None:
    assert json_default(default) == shown
