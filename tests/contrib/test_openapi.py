"""The OpenAPI document (SPEC 8.5): valid, complete, deterministic, and served with its page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pytest
from microapi import HTTPException, JSONResponse, MicroAPI, Request, Response
from microapi.exceptions import RequestValidationError
from microapi.params import Query
from microapi.testing import TestClient
from microapi_contrib.openapi import enable_openapi, openapi_document
from openapi_spec_validator import validate

from examples.app import create_app as create_example_app
from tests.contrib.openapi_app import create_app

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): item[method]
        for path, item in doc["paths"].items()
        for method in METHODS
        if method in item
    }


def refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs(item)


@pytest.fixture
def doc() -> dict[str, Any]:
    return openapi_document(create_app(), title="Shop", version="2.0")


def test_the_documents_are_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    validate(doc)
    validate(openapi_document(create_example_app(), title="Notes", version="1"))
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Shop", "version": "2.0"}


def test_every_route_and_method_but_head_options_and_contribs_own() -> None:
    app = create_app()
    doc = openapi_document(app)
    assert sorted(operations(doc)) == [
        ("DELETE", "/shop/items/{item_id}"),
        ("GET", "/echo"),
        ("GET", "/ping"),
        ("GET", "/raw"),
        ("GET", "/shop/items"),
        ("GET", "/shop/items/{item_id}"),
        ("GET", "/text"),
        ("GET", "/v2/ping"),
        ("POST", "/echo"),
        ("POST", "/shop/items"),
        ("POST", "/shop/orders"),
        ("POST", "/users"),
        ("PUT", "/addresses/{name}"),
    ]
    served = {row.template for row in app.router.routes()}
    assert {"/_debug", "/openapi.json", "/docs"} <= served  # there, but not described


def test_the_example_apps_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_DEBUG", "1")  # with its introspection page, to leave out
    app = create_example_app()
    assert "/_debug" in {row.template for row in app.router.routes()}
    doc = openapi_document(app)
    found = operations(doc)
    assert ("GET", "/notes") in found
    assert ("GET", "/_debug") not in found
    assert not any(path.startswith("/ui") for _, path in found)  # its static files
    assert all(method != "HEAD" for method, _ in found)
    delete = next(op for (method, _), op in found.items() if method == "DELETE")
    assert "content" not in delete["responses"]["204"]


def test_neither_starts_nor_freezes_the_app() -> None:
    app = create_app()
    openapi_document(app)
    assert app.state == "new"

    @app.get("/later")
    async def later() -> int:
        return 1

    assert ("GET", "/later") in operations(openapi_document(app))
    with TestClient(app) as client:
        assert client.get("/later").json() == 1
        assert ("GET", "/later") in operations(openapi_document(app))  # after start-up too


def test_parameters_with_schemas_constraints_and_required(doc: dict[str, Any]) -> None:
    listing = operations(doc)[("GET", "/shop/items")]
    by_name = {p["name"]: p for p in listing["parameters"]}
    assert by_name["limit"] == {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "How many at most",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
    }
    assert by_name["tag"]["schema"]["type"] == "array"
    assert (by_name["tag"]["style"], by_name["tag"]["explode"]) == ("form", True)
    assert by_name["order"]["schema"]["enum"] == ["asc", "desc"]  # a Literal
    assert {"$ref": "#/components/schemas/Color"} in by_name["color"]["schema"]["anyOf"]
    assert doc["components"]["schemas"]["Color"]["enum"] == ["green", "red"]
    # The group dependency's header, with its pattern.
    assert by_name["x-tenant"]["in"] == "header"
    assert by_name["x-tenant"]["required"] is True
    assert by_name["x-tenant"]["schema"] == {"type": "string", "pattern": "^[a-z]+$"}

    one = operations(doc)[("GET", "/shop/items/{item_id}")]
    (item_id,) = [p for p in one["parameters"] if p["in"] == "path"]
    assert item_id == {
        "name": "item_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
    order = operations(doc)[("POST", "/shop/orders")]
    where = {(p["in"], p["name"]): p for p in order["parameters"]}
    assert where[("cookie", "session")]["required"] is True
    assert where[("header", "x-trace")]["schema"]["type"] == "array"
    echo = operations(doc)[("GET", "/echo")]
    assert [p["name"] for p in echo["parameters"]] == ["w"]  # the alias, as looked up


def test_bodies_of_every_kind_under_application_json(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    schemas = doc["components"]["schemas"]

    def body(method: str, path: str) -> dict[str, Any]:
        request_body: dict[str, Any] = ops[(method, path)]["requestBody"]
        return request_body

    assert body("POST", "/shop/items") == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
    }
    assert schemas["Item"]["properties"]["name"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 40,
    }
    assert body("POST", "/shop/orders")["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Order"
    }
    assert schemas["Order"]["properties"]["ship_to"] == {"$ref": "#/components/schemas/Address"}
    assert set(schemas["Address"]["required"]) == {"street", "city"}  # a TypedDict
    # pydantic, its refs rewritten into components.
    assert body("POST", "/users")["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/User"
    }
    assert schemas["User"]["properties"]["age"]["maximum"] == 150
    assert schemas["User"]["properties"]["friends"]["items"] == {
        "$ref": "#/components/schemas/Friend"
    }
    # A defaulted body is optional.
    assert body("PUT", "/addresses/{name}")["required"] is False
    assert "$defs" not in json.dumps(doc)
    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas


def test_responses_status_schema_and_validation_error(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    created = ops[("POST", "/shop/items")]["responses"]
    assert created["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"
    }
    assert created["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"
    }
    assert ops[("POST", "/shop/orders")]["responses"]["202"]["description"] == "Accepted"
    assert "content" not in ops[("DELETE", "/shop/items/{item_id}")]["responses"]["204"]
    assert ops[("GET", "/shop/items")]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] == {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
    # Response returns (or none declared) have no schema; nothing validated, no 422.
    for path in ("/text", "/raw", "/ping"):
        responses = ops[("GET", path)]["responses"]
        assert "422" not in responses
        if path != "/ping":
            assert "content" not in responses["200"]
    assert ops[("GET", "/ping")]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "enum": ["pong"]
    }
    error = doc["components"]["schemas"]["HTTPValidationError"]["properties"]["detail"]
    assert error == {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
    assert doc["components"]["schemas"]["ValidationError"]["required"] == ["loc", "msg", "type"]
    assert all("default" in op["responses"] for op in ops.values())


def test_the_validation_error_schema_fits_a_real_422() -> None:
    app = create_app()
    schema = openapi_document(app)["components"]["schemas"]
    with TestClient(app) as client:
        response = client.get("/shop/items", params={"limit": "0"}, headers={"x-tenant": "BAD"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == set(schema["HTTPValidationError"]["required"])
    for error in body["detail"]:
        assert set(error) == set(schema["ValidationError"]["required"])


def test_a_reshaped_validation_error_has_no_schema() -> None:
    app = MicroAPI()

    @app.get("/n")
    async def number(n: Annotated[int, Query()]) -> int:
        return n

    @app.exception_handler(RequestValidationError)
    async def reshape(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"problems": len(exc.errors)}, status_code=422)

    doc = openapi_document(app)
    assert operations(doc)[("GET", "/n")]["responses"]["422"]["content"] == {"application/json": {}}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    validate(doc)


def test_tags_summaries_descriptions_and_operation_ids(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    listing = ops[("GET", "/shop/items")]
    assert listing["tags"] == ["shop", "items"]
    assert listing["summary"] == "List the items."
    assert listing["description"] == "Filtered by tag and colour,\nat most `limit` of them."
    assert ops[("GET", "/shop/items/{item_id}")]["summary"] == "One item by id."
    assert "description" not in ops[("GET", "/shop/items/{item_id}")]
    assert "tags" not in ops[("POST", "/users")]
    assert [tag["name"] for tag in doc["tags"]] == ["shop", "items"]
    ids = [op["operationId"] for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert ops[("GET", "/shop/items")]["operationId"] == "list_items"
    assert ops[("GET", "/echo")]["operationId"] == "echo_get"
    assert ops[("POST", "/echo")]["operationId"] == "echo_post"
    assert ops[("GET", "/ping")]["operationId"] == "ping_get"
    assert ops[("GET", "/v2/ping")]["operationId"] == "ping_get_2"


def test_static_routes_are_left_out_and_a_users_tail_route_is_described() -> None:
    app = MicroAPI()

    async def serve_file(path: str) -> Response:
        return Response(path)

    serve_file.__module__ = "microapi.staticfiles"  # as `app.static(...)` registers it
    app.add_route("/assets/{path:path}", serve_file, ["GET"])

    @app.get("/files/{name:path}")
    async def read_file(name: str) -> str:
        return name

    doc = openapi_document(app)
    validate(doc)
    assert list(operations(doc)) == [("GET", "/files/{name}")]
    (parameter,) = operations(doc)[("GET", "/files/{name}")]["parameters"]
    assert parameter["name"] == "name"


def test_template_parameters_nothing_declares_are_still_path_parameters() -> None:
    app = MicroAPI()

    @app.get("/things/{thing_id}")
    async def thing(request: Request) -> str:
        return str(request.path_params["thing_id"])

    doc = openapi_document(app)
    validate(doc)
    op = operations(doc)[("GET", "/things/{thing_id}")]
    assert op["parameters"] == [
        {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert "422" not in op["responses"]


def test_a_route_prepared_late_is_described_before_start_up() -> None:
    class Store:
        pass

    app = MicroAPI()

    @app.get("/count")
    async def count(store: Store, limit: Annotated[int, Query()] = 5) -> int:
        return limit

    app.registry.register(Store, Store)  # after the route: its plan waited for this
    op = operations(openapi_document(app))[("GET", "/count")]
    assert [p["name"] for p in op["parameters"]] == ["limit"]
    assert app.state == "new"


class Opaque:
    """A type neither msgspec nor pydantic knows."""


def test_types_msgspec_cannot_describe_allow_any_value() -> None:
    app = MicroAPI()

    @app.get("/opaque")
    async def opaque() -> Opaque:
        raise HTTPException(404)

    doc = openapi_document(app)
    validate(doc)
    schema = operations(doc)[("GET", "/opaque")]["responses"]["200"]["content"]
    assert schema["application/json"]["schema"] == {"title": Opaque.__qualname__}


def test_schema_names_from_two_modules_do_not_collide() -> None:
    first = msgspec.defstruct("Point", [("x", int)], module="geo.flat")
    second = msgspec.defstruct("Point", [("lat", float)], module="geo.round")
    app = MicroAPI()

    @app.get("/flat")
    async def flat() -> Any:
        return first(1)

    @app.get("/round")
    async def round_() -> Any:
        return second(1.0)

    # Local types under `from __future__ import annotations` resolve when the handler uses them.
    flat.__annotations__["return"] = "first"
    round_.__annotations__["return"] = "second"

    doc = openapi_document(app)
    validate(doc)
    assert len([name for name in doc["components"]["schemas"] if "Point" in name]) == 2


DUMP = """
import msgspec
from examples.app import create_app as example
from microapi_contrib.openapi import openapi_document
from tests.contrib.openapi_app import create_app
print(msgspec.json.encode([openapi_document(create_app()), openapi_document(example())]).decode())
"""


def test_byte_identical_across_runs_and_hash_seeds() -> None:
    """The bytes as served (msgspec keeps insertion order: key order is compared too)."""
    here = msgspec.json.encode(
        [openapi_document(create_app()), openapi_document(create_example_app())]
    ).decode()
    assert (
        here
        == msgspec.json.encode(
            [openapi_document(create_app()), openapi_document(create_example_app())]
        ).decode()
    )
    outputs = []
    for seed in ("1", "4242"):
        result = subprocess.run(
            [sys.executable, "-c", DUMP],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=50,
            check=True,
        )
        outputs.append(result.stdout.strip())
    assert outputs[0] == outputs[1] == here


def test_served_once_from_bytes_with_a_page() -> None:
    app = create_app()
    with TestClient(app) as client:
        first = client.get("/openapi.json")
        second = client.get("/openapi.json")
        page = client.get("/docs")
        head = client.head("/openapi.json")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/json")
    assert first.content == second.content
    assert first.json() == openapi_document(app, title="Shop", version="2.0")
    assert head.status_code == 200
    assert head.content == b""
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'data-openapi="/openapi.json"' in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere


def test_enable_openapi_paths_and_no_page() -> None:
    app = MicroAPI()

    @app.get("/")
    async def home() -> dict[str, str]:
        return {}

    enable_openapi(app, path="/api/schema.json", docs_path=None, title="T <&>")
    with TestClient(app) as client:
        assert client.get("/api/schema.json").json()["info"]["title"] == "T <&>"
        assert client.get("/docs").status_code == 404
    app = MicroAPI()
    enable_openapi(app, docs_path="/reference", title="T <&>")
    with TestClient(app) as client:
        page = client.get("/reference").text
    assert "<title>T &lt;&amp;&gt; · API</title>" in page
    assert list(openapi_document(app)["paths"]) == []


def test_an_explicit_head_route_is_documented_and_an_unannotated_path_parameter_is_a_string() -> (
    None
):
    from microapi import MicroAPI
    from microapi_contrib.openapi import openapi_document

    app = MicroAPI()

    @app.head("/ping")
    async def ping() -> None: ...

    @app.get("/items/{item_id}")
    async def read(item_id) -> str:  # type: ignore[no-untyped-def]
        return str(item_id)

    doc = openapi_document(app)
    assert set(doc["paths"]["/ping"]) == {"head"}
    assert "head" not in doc["paths"]["/items/{item_id}"]  # GET's automatic HEAD is not a route
    (parameter,) = doc["paths"]["/items/{item_id}"]["get"]["parameters"]
    assert parameter["schema"] == {"type": "string"}
