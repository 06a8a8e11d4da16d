"""Typed parameters and the validation layer (SPEC 8.2): what is read, converted and refused."""

import dataclasses
import datetime
import decimal
import enum
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypedDict

import msgspec
import pydantic
import pytest
from microapi import (
    Depends,
    HTTPException,
    JSONResponse,
    MicroAPI,
    Request,
    RequestValidationError,
    Response,
)
from microapi.params import Body, Cookie, Header, Path, Query
from microapi.testing import TestClient
from microapi_di import DefaultOnlyError


def client_for(app: MicroAPI) -> TestClient:
    return TestClient(app)


# --- path parameters ------------------------------------------------------------------------


def test_path_parameters_arrive_by_name_converted_to_their_annotation() -> None:
    app = MicroAPI()

    def owner(user_id: int) -> str:  # a dependency receives them too
        return f"user {user_id + 1 - 1}"

    @app.get("/users/{user_id}/posts/{slug}")
    async def post(  # type: ignore[no-untyped-def]
        user_id: int, slug, who: Annotated[str, Depends(owner)], request: Request
    ) -> dict[str, Any]:
        return {"user_id": user_id, "slug": slug, "who": who, "raw": request.path_params}

    with client_for(app) as client:
        assert client.get("/users/7/posts/hello").json() == {
            "user_id": 7,
            "slug": "hello",
            "who": "user 7",
            "raw": {"user_id": "7", "slug": "hello"},  # path_params stay strings
        }
        bad = client.get("/users/seven/posts/hello")
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [
            {"loc": ["path", "user_id"], "msg": "Expected `int`, got `str`", "type": "type_error"}
        ]
    }


def test_an_explicit_path_marker_is_the_same_and_may_alias() -> None:
    app = MicroAPI()

    @app.get("/items/{item_id}")
    async def item(ident: Annotated[uuid.UUID, Path(alias="item_id")]) -> str:
        return ident.hex

    ident = uuid.uuid4()
    with client_for(app) as client:
        assert client.get(f"/items/{ident}").json() == ident.hex
        assert client.get("/items/nope").json()["detail"][0]["loc"] == ["path", "item_id"]


def test_a_dependency_asking_for_a_path_parameter_the_template_lacks_fails_at_start_up() -> None:
    app = MicroAPI()

    def load_user(user_id: Annotated[int, Path()]) -> int:
        return user_id

    async def me(user: Annotated[int, Depends(load_user)]) -> int:
        return user

    with pytest.raises(TypeError) as info:  # at registration: nothing to wait for
        app.add_route("/me", me, ["GET"])
    message = str(info.value)
    assert "route GET /me" in message
    assert "load_user" in message
    assert "'user_id'" in message


# --- query, headers, cookies ----------------------------------------------------------------


def test_query_header_and_cookie_parameters_by_name_alias_and_default() -> None:
    app = MicroAPI()

    @app.get("/search")
    async def search(
        q: Annotated[str, Query()],
        page_size: Annotated[int, Query(alias="page-size")] = 10,
        x_request_id: Annotated[str | None, Header()] = None,
        agent: Annotated[str, Header(alias="User-Agent")] = "?",
        session: Annotated[str | None, Cookie()] = None,
    ) -> dict[str, Any]:
        return {"q": q, "size": page_size, "id": x_request_id, "agent": agent, "session": session}

    with client_for(app) as client:
        got = client.get(
            "/search?q=milk&page-size=5",
            headers={"X-Request-ID": "abc", "user-agent": "tests", "cookie": "session=s1"},
        )
        assert got.json() == {
            "q": "milk",
            "size": 5,
            "id": "abc",
            "agent": "tests",
            "session": "s1",
        }
        defaults = client.get("/search?q=x", headers={"user-agent": "t"}).json()
        assert defaults == {"q": "x", "size": 10, "id": None, "agent": "t", "session": None}


def test_lists_collect_repeated_query_parameters_and_headers() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler(
        tag: Annotated[list[str], Query()] = [],  # noqa: B006 - never mutated, copied per request
        ids: Annotated[list[int], Query(alias="id")] = [],  # noqa: B006
        x_forwarded_for: Annotated[list[str], Header()] = [],  # noqa: B006
    ) -> dict[str, Any]:
        tag.append("seen")
        return {"tag": tag, "ids": ids, "hops": x_forwarded_for}

    with client_for(app) as client:
        got = client.get(
            "/?tag=a&tag=b&id=1&id=2",
            headers=[("x-forwarded-for", "1.1.1.1"), ("X-Forwarded-For", "2.2.2.2")],
        )
        assert got.json() == {
            "tag": ["a", "b", "seen"],
            "ids": [1, 2],
            "hops": ["1.1.1.1", "2.2.2.2"],
        }
        # Absent and defaulted: an empty list, a fresh one each time.
        assert client.get("/").json() == {"tag": ["seen"], "ids": [], "hops": []}
        assert client.get("/").json() == {"tag": ["seen"], "ids": [], "hops": []}
        bad = client.get("/?id=1&id=x").json()
        assert bad["detail"][0]["loc"] == ["query", "id"]


def test_markers_work_the_same_in_dependencies() -> None:
    app = MicroAPI()

    def paging(
        limit: Annotated[int, Query(), msgspec.Meta(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(), msgspec.Meta(ge=0)] = 0,
    ) -> tuple[int, int]:
        return limit, offset

    def token(authorization: Annotated[str, Header()]) -> str:
        return authorization.removeprefix("Token ")

    @app.get("/articles")
    async def articles(
        page: Annotated[tuple[int, int], Depends(paging)], user: Annotated[str, Depends(token)]
    ) -> dict[str, Any]:
        return {"page": page, "user": user}

    with client_for(app) as client:
        got = client.get("/articles?limit=5", headers={"authorization": "Token ada"})
        assert got.json() == {"page": [5, 0], "user": "ada"}
        bad = client.get("/articles?limit=0&offset=-1")
    assert bad.status_code == 422
    assert [error["loc"] for error in bad.json()["detail"]] == [
        ["query", "limit"],
        ["query", "offset"],
        ["header", "authorization"],
    ]
    assert bad.json()["detail"][2]["type"] == "missing"


def test_every_invalid_parameter_is_reported_at_once() -> None:
    app = MicroAPI()

    @app.get("/items/{item_id}")
    async def item(
        item_id: int,
        limit: Annotated[int, Query()],
        x_api_version: Annotated[int, Header()],
        theme: Annotated[Literal["dark", "light"], Cookie()],
    ) -> None: ...

    with client_for(app) as client:
        got = client.get(
            "/items/x?limit=y", headers={"x-api-version": "v2", "cookie": "theme=blue"}
        )
    assert got.status_code == 422
    assert [error["loc"] for error in got.json()["detail"]] == [
        ["path", "item_id"],
        ["query", "limit"],
        ["header", "x-api-version"],
        ["cookie", "theme"],
    ]
    assert all(set(error) == {"loc", "msg", "type"} for error in got.json()["detail"])


# --- no silent defaults ---------------------------------------------------------------------


def test_a_handler_parameter_only_its_default_fills_is_a_start_up_error() -> None:
    app = MicroAPI()

    @app.get("/articles")
    async def articles(limit: int = 20) -> int:
        return limit

    with pytest.raises(DefaultOnlyError) as info, client_for(app):
        pass
    message = str(info.value)
    assert "route GET /articles" in message
    assert "'limit'" in message
    assert "Annotated[int, Query()] = 20" in message


def test_dependencies_keep_their_defaults() -> None:
    app = MicroAPI()

    def settings(retries: int = 3) -> int:
        return retries

    @app.get("/")
    async def handler(retries: Annotated[int, Depends(settings)]) -> int:
        return retries

    with client_for(app) as client:
        assert client.get("/").json() == 3


# --- types ----------------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@pytest.mark.parametrize(
    ("annotation", "raw", "expected"),
    [
        (str, "x y", "x y"),
        (int, "-42", -42),
        (float, "1.5", 1.5),
        (bool, "TRUE", True),
        (bool, "false", False),
        (bool, "1", True),
        (bool, "0", False),
        (decimal.Decimal, "1.10", "1.10"),
        (uuid.UUID, "12345678-1234-5678-1234-567812345678", "12345678-1234-5678-1234-567812345678"),
        (datetime.date, "2026-12-01", "2026-12-01"),
        (datetime.datetime, "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z"),
        (Color, "green", "green"),
        (Literal["a", "b"], "b", "b"),
        (int | None, "3", 3),
        (Annotated[str, msgspec.Meta(min_length=2, max_length=3, pattern="^[a-z]+$")], "ab", "ab"),
    ],
)
def test_scalar_types_convert(annotation: Any, raw: str, expected: Any) -> None:
    app = MicroAPI()

    async def handler(value: Annotated[annotation, Query()]) -> Any:
        return value

    app.add_route("/", handler, ["GET"])
    with client_for(app) as client:
        response = client.get("/", params={"value": raw})
    assert response.status_code == 200, response.text
    assert response.json() == expected


@pytest.mark.parametrize(
    ("annotation", "raw"),
    [
        (int, "4.5"),
        (int, "\u0663"),  # a digit, but not an ASCII one
        (int, " 4"),
        (int, "007"),  # msgspec's rule for integers, shortcut or not
        (bool, "yes"),
        (Color, "blue"),
        (Literal["a"], "z"),
        (uuid.UUID, "not-a-uuid"),
        (datetime.date, "yesterday"),
        (Annotated[int, msgspec.Meta(ge=1)], "0"),
        (Annotated[str, msgspec.Meta(max_length=2)], "abc"),
        (Annotated[str, msgspec.Meta(pattern="^[0-9]+$")], "12a"),
    ],
)
def test_values_that_do_not_fit_are_422s(annotation: Any, raw: str) -> None:
    app = MicroAPI()

    async def handler(value: Annotated[annotation, Query()]) -> Any:
        return value

    app.add_route("/", handler, ["GET"])
    with client_for(app) as client:
        response = client.get("/", params={"value": raw})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "value"]
    assert error["msg"]


class Opaque:
    """A class the validation layer cannot build from a string."""


class Slug(str):
    """A subclass of a supported type: msgspec would refuse it on every request."""


class Count(int):
    pass


@pytest.mark.parametrize(
    "annotation", [Opaque, dict[str, int], list[list[int]], bytes, Slug, Count | None]
)
def test_an_annotation_the_layer_cannot_convert_is_a_start_up_error(annotation: Any) -> None:
    app = MicroAPI()

    async def handler(value: Annotated[annotation, Query()]) -> None:
        return None

    with pytest.raises(TypeError) as info:
        app.add_route("/", handler, ["GET"])
    assert "handler" in str(info.value)
    assert "'value'" in str(info.value)


# --- bodies ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Item:
    name: str
    price: Annotated[float, msgspec.Meta(gt=0)]


@dataclasses.dataclass
class Order:
    items: list[Item]
    placed: datetime.datetime
    note: str | None = None


class Movie(TypedDict):
    title: str
    year: int


class Point(msgspec.Struct):
    x: int
    y: int


class User(pydantic.BaseModel):
    name: str
    age: int = pydantic.Field(ge=0)


def body_app(annotation: Any, *, default: Any = ...) -> MicroAPI:
    app = MicroAPI()

    async def required(value: Annotated[annotation, Body()]) -> Any:
        return value

    async def optional(value: Annotated[annotation, Body()] = default) -> Any:
        return {"got": value}

    app.add_route("/", required if default is ... else optional, ["POST"])
    return app


@pytest.mark.parametrize(
    ("annotation", "body"),
    [
        (
            Order,
            {
                "items": [{"name": "a", "price": 1.5}],
                "placed": "2026-12-01T10:00:00Z",
                "note": None,
            },
        ),
        (Movie, {"title": "Heat", "year": 1995}),
        (Point, {"x": 1, "y": 2}),
        (User, {"name": "Ada", "age": 36}),
        (list[Item], [{"name": "a", "price": 1.0}, {"name": "b", "price": 2.0}]),
        (dict[str, int], {"a": 1, "b": 2}),
        (list[User], [{"name": "Grace", "age": 85}]),
    ],
)
def test_bodies_decode_into_their_type_and_encode_back(annotation: Any, body: Any) -> None:
    with client_for(body_app(annotation)) as client:
        response = client.post("/", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == body


def test_a_body_that_does_not_fit_names_the_json_path() -> None:
    with client_for(body_app(Order)) as client:
        response = client.post(
            "/",
            json={"items": [{"name": "a", "price": 1}, {"name": "b", "price": -1}], "placed": "x"},
        )
        missing = client.post("/", json={"items": [{"name": "a"}], "placed": "2026-01-01"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]  # msgspec stops at the first problem in a body
    assert error["loc"] == ["body", "items", 1, "price"]
    assert missing.json()["detail"][0]["loc"] == ["body", "items", 0, "price"]
    assert missing.json()["detail"][0]["type"] == "missing"


def test_a_pydantic_body_reports_every_field_with_its_path() -> None:
    with client_for(body_app(User)) as client:
        response = client.post("/", json={"age": -1})
    assert response.status_code == 422
    assert sorted(tuple(error["loc"]) for error in response.json()["detail"]) == [
        ("body", "age"),
        ("body", "name"),
    ]


def test_invalid_json_is_a_400_and_a_non_json_content_type_a_415() -> None:
    with client_for(body_app(Point)) as client:
        broken = client.post("/", content=b"{broken", headers={"content-type": "application/json"})
        plain = client.post(
            "/", content=b'{"x": 1, "y": 2}', headers={"content-type": "text/plain"}
        )
        untyped = client.post("/", content=b'{"x": 1, "y": 2}')
        vendor = client.post(
            "/", content=b'{"x": 1, "y": 2}', headers={"content-type": "application/vnd.api+json"}
        )
        charset = client.post(
            "/",
            content=b'{"x": 1, "y": 2}',
            headers={"content-type": "application/json; charset=utf-8"},
        )
    assert broken.status_code == 400
    assert plain.status_code == 415  # a no-cors text/plain POST never reaches the handler
    assert untyped.status_code == 415
    assert vendor.json() == {"x": 1, "y": 2}
    assert charset.json() == {"x": 1, "y": 2}


def test_no_body_bytes_is_a_missing_body_whatever_the_content_type() -> None:
    with client_for(body_app(Point)) as client:
        required = client.post("/", headers={"content-type": "text/plain"})
    assert required.status_code == 422
    assert required.json()["detail"] == [
        {"loc": ["body"], "msg": "Field required", "type": "missing"}
    ]
    with client_for(body_app(Point | None, default=None)) as client:
        assert client.post("/", headers={"content-type": "text/plain"}).json() == {"got": None}


def test_a_route_declares_at_most_one_body() -> None:
    app = MicroAPI()

    def other(extra: Annotated[Point, Body()]) -> Point:
        return extra

    async def handler(
        value: Annotated[Point, Body()], more: Annotated[Point, Depends(other)]
    ) -> None:
        return None

    with pytest.raises(TypeError, match="one Body"):
        app.add_route("/", handler, ["POST"])


# --- the order of things --------------------------------------------------------------------


def test_an_invalid_request_opens_no_dependency() -> None:
    app = MicroAPI()
    opened: list[str] = []

    def transaction() -> Iterator[None]:
        opened.append("begin")
        yield
        opened.append("commit")

    @app.post("/items/{item_id}")
    async def save(
        _: Annotated[None, Depends(transaction)],
        item_id: int,
        body: Annotated[Item, Body()],
    ) -> str:
        return body.name

    with client_for(app) as client:
        assert client.post("/items/x", json={"name": "a", "price": 1}).status_code == 422
        assert client.post("/items/1", json={"name": "a", "price": 0}).status_code == 422
        assert (
            client.post(
                "/items/1", content=b"{", headers={"content-type": "application/json"}
            ).status_code
            == 400
        )
        assert opened == []
        assert client.post("/items/1", json={"name": "a", "price": 1}).json() == "a"
    assert opened == ["begin", "commit"]


def test_a_route_without_body_leaves_the_body_to_the_handler() -> None:
    app = MicroAPI()

    @app.post("/raw")
    async def raw(request: Request) -> int:
        return len(await request.body())

    with client_for(app) as client:
        assert (
            client.post("/raw", content=b"12345", headers={"content-type": "text/plain"}).json()
            == 5
        )


# --- reshaping the 422 ----------------------------------------------------------------------


def test_an_exception_handler_can_reshape_validation_errors() -> None:
    app = MicroAPI()

    @app.exception_handler(RequestValidationError)
    async def realworld(request: Request, exc: RequestValidationError) -> Response:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(str(error["loc"][-1]), []).append(error["msg"])
        return JSONResponse({"errors": fields}, status_code=422)

    @app.get("/")
    async def handler(limit: Annotated[int, Query()]) -> int:
        return limit

    with client_for(app) as client:
        response = client.get("/?limit=x")
    assert response.status_code == 422
    assert response.json() == {"errors": {"limit": ["Expected `int`, got `str`"]}}


def test_request_validation_error_is_an_http_exception_with_errors() -> None:
    errors = [{"loc": ["query", "q"], "msg": "Field required", "type": "missing"}]
    exc = RequestValidationError(errors)
    assert isinstance(exc, HTTPException)
    assert (exc.status_code, exc.detail, exc.errors) == (422, errors, errors)
    assert str(exc) == "query.q: Field required"


def test_an_override_that_reads_other_parameters_is_bound_on_the_next_request() -> None:
    app = MicroAPI()

    def current_user() -> str:
        return "real"

    def fake_user(as_user: Annotated[str, Query()]) -> str:
        return f"fake {as_user}"

    @app.get("/me")
    async def me(user: Annotated[str, Depends(current_user)]) -> str:
        return user

    with client_for(app) as client:
        assert client.get("/me").json() == "real"
        with app.override(current_user, fake_user):
            assert client.get("/me?as_user=ada").json() == "fake ada"
            assert client.get("/me").status_code == 422  # the replacement's parameter is required
        assert client.get("/me").json() == "real"


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "NaN", "1e999"])
def test_a_float_parameter_refuses_what_json_could_not_send_back(raw: str) -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler(ratio: Annotated[float | None, Query()] = None) -> Any:
        return ratio

    with client_for(app) as client:
        response = client.get("/", params={"ratio": raw})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "ratio"]
        assert client.get("/", params={"ratio": "0.5"}).json() == 0.5


def test_a_body_error_inside_a_dict_names_the_key() -> None:
    @dataclasses.dataclass
    class Box:
        sizes: dict[str, int]

    with client_for(body_app(dict[str, int])) as client:
        flat = client.post("/", json={"a": 1, "b": "x", "c": 3}).json()["detail"]
    with client_for(body_app(Box)) as client:
        nested = client.post("/", json={"sizes": {"small": 1, "large": "big"}}).json()["detail"]
    assert [error["loc"] for error in flat] == [["body", "b"]]
    assert [error["loc"] for error in nested] == [["body", "sizes", "large"]]


# --- pinned by SPEC 8.2 sentences (markers anywhere, aliases in loc, planned at start-up) -----


@dataclasses.dataclass
class Note:
    text: str


def test_cookie_and_body_markers_work_in_a_dependency_as_in_the_handler() -> None:
    """Every marker works the same in the handler and in any dependency of its graph."""
    app = MicroAPI()

    def session_user(session: Annotated[str, Cookie()]) -> str:
        return f"user of {session}"

    def note_text(note: Annotated[Note, Body()]) -> str:
        return note.text

    @app.post("/notes")
    async def create(
        user: str = Depends(session_user), text: str = Depends(note_text)
    ) -> dict[str, str]:
        return {"user": user, "text": text}

    with TestClient(app) as client:
        client.cookies.set("session", "s1")
        ok = client.post("/notes", json={"text": "hi"})
        client.cookies.clear()
        bad = client.post("/notes", json={"text": 3})
    assert (ok.status_code, ok.json()) == (200, {"user": "user of s1", "text": "hi"})
    assert bad.status_code == 422
    locs = sorted(error["loc"] for error in bad.json()["detail"])
    assert locs == [["body", "text"], ["cookie", "session"]]


def test_an_alias_is_the_loc_and_a_header_is_named_dashed_and_lower_case() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler(
        token: Annotated[int, Header(alias="X-Token")],
        user_agent: Annotated[int, Header()],
        sid: Annotated[int, Cookie(alias="session-id")],
    ) -> None:
        return None

    with TestClient(app) as client:
        client.cookies.set("session-id", "nope")
        response = client.get("/", headers={"x-token": "nope", "user-agent": "nope"})
    assert response.status_code == 422
    locs = sorted(error["loc"] for error in response.json()["detail"])
    assert locs == [["cookie", "session-id"], ["header", "user-agent"], ["header", "x-token"]]


def test_conversion_is_planned_at_start_up_not_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Conversion and decoding are planned at start-up; per request only the conversions run."""
    from microapi import routing

    planned: list[str] = []
    plan = routing.plan_binding  # type: ignore[attr-defined]

    def counting(*args: Any, **kwargs: Any) -> Any:
        planned.append(args[1])
        return plan(*args, **kwargs)

    monkeypatch.setattr(routing, "plan_binding", counting)
    app = MicroAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int, limit: Annotated[int, Query()] = 5) -> list[int]:
        return [item_id, limit]

    with TestClient(app) as client:
        route = next(r.payload for r in app.router.routes())
        assert route.binder is not None  # planned before the first request
        at_start = list(planned)
        for number in range(3):
            assert client.get(f"/items/{number}", params={"limit": 2}).json() == [number, 2]
    assert sorted(set(at_start)) == ["item_id", "limit"]
    assert planned == at_start  # nothing planned again per request
