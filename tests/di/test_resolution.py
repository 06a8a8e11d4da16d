"""How parameters are filled: the order of sources, every kind of callable, how they are passed."""

import asyncio
import functools
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from microapi_di import Container, Depends, Prepared


class Request:
    """Stands in for a request object a framework would give the scope."""


DEFAULT_REQUEST = Request()


class Db:
    """Stands in for a database handle."""


def call(container: Container, prepared: Prepared[Any], values: dict[Any, Any]) -> Any:
    async def main() -> Any:
        async with container.app_scope() as app:
            return await app.run(prepared, values)

    return asyncio.run(main())


def test_depends_beats_type_which_beats_name() -> None:
    container = Container()
    container.provide(Request)
    container.provide("request")
    by_type, by_name = Request(), Request()

    def marked() -> str:
        return "marker"

    def handler(
        request: Annotated[Request, Depends(marked)],  # marker wins over the provided type
        other: Request | None = None,  # `Request | None` is not a key: the default stays
        req: Request = DEFAULT_REQUEST,  # annotation `Request` wins over the default
    ) -> tuple[object, object, object]:
        return request, other, req

    prepared = container.prepare(handler)
    result = call(container, prepared, {Request: by_type, "request": by_name})
    assert result == ("marker", None, by_type)


def test_name_is_used_when_the_type_has_no_provider() -> None:
    container = Container()
    container.provide("request")
    given = Request()

    def handler(request: Request) -> Request:
        return request

    assert call(container, container.prepare(handler), {"request": given}) is given


def test_a_service_keyed_by_a_string_fills_a_parameter_of_that_name() -> None:
    container = Container()
    container.register("settings", lambda: {"debug": True})

    def handler(settings: dict[str, bool]) -> bool:
        return settings["debug"]

    assert call(container, container.prepare(handler), {}) is True


def test_unprovided_parameters_with_defaults_keep_their_defaults() -> None:
    container = Container()

    def handler(limit: int = 10, *args: int, flag: bool = False, **kwargs: int) -> Any:
        return limit, args, flag, kwargs

    assert call(container, container.prepare(handler), {}) == (10, (), False, {})


def test_every_kind_of_callable_is_resolved() -> None:
    events: list[str] = []

    def plain() -> str:
        return "plain"

    async def coroutine() -> str:
        return "coroutine"

    def generator() -> Iterator[str]:
        events.append("gen up")
        yield "generator"
        events.append("gen down")

    async def async_generator() -> AsyncIterator[str]:
        events.append("agen up")
        yield "async generator"
        events.append("agen down")

    class Built:
        def __init__(self, name: Annotated[str, Depends(plain)]) -> None:
            self.name = name

    class CallableObject:
        async def __call__(self, name: Annotated[str, Depends(coroutine)]) -> str:
            return f"object({name})"

    def scaled(factor: int, base: int = 1) -> int:
        return factor * base

    instance = CallableObject()
    partial = functools.partial(scaled, 3)

    async def handler(
        a: Annotated[str, Depends(plain)],
        b: Annotated[str, Depends(coroutine)],
        c: Annotated[str, Depends(generator)],
        d: Annotated[str, Depends(async_generator)],
        e: Annotated[Built, Depends(Built)],
        f: Annotated[str, Depends(instance)],
        g: Annotated[int, Depends(partial)],
    ) -> list[object]:
        events.append("handler")
        return [a, b, c, d, e.name, f, g]

    container = Container()
    result = call(container, container.prepare(handler), {})
    assert result == [
        "plain",
        "coroutine",
        "generator",
        "async generator",
        "plain",
        "object(coroutine)",
        3,
    ]
    assert events == ["gen up", "agen up", "handler", "agen down", "gen down"]


def test_positional_only_and_keyword_only_parameters() -> None:
    def first() -> int:
        return 1

    def handler(
        a: int = Depends(first),
        skipped: int = 5,
        /,
        b: int = Depends(first),
        *,
        c: int = 7,
    ) -> tuple[int, int, int, int]:
        return a, skipped, b, c

    def later_positional(skipped: int = 5, a: int = Depends(first), /) -> tuple[int, int]:
        return skipped, a

    container = Container()
    assert call(container, container.prepare(handler), {}) == (1, 5, 1, 7)
    other = Container()
    assert call(other, other.prepare(later_positional), {}) == (5, 1)


def test_annotated_metadata_other_than_depends_is_ignored() -> None:
    container = Container()
    db = Db()
    container.register(Db, lambda: db)

    def handler(handle: Annotated[Db, "documentation only"]) -> Db:
        return handle

    assert call(container, container.prepare(handler), {}) is db


def test_generator_functions_are_returned_not_driven_when_prepared_directly() -> None:
    def stream() -> Iterator[int]:
        yield from (1, 2, 3)

    container = Container()
    result = call(container, container.prepare(stream), {})
    assert list(result) == [1, 2, 3]


PAYLOAD = '"); raise SystemExit("injected") #'


class Tricky:
    """An object whose name and repr look like code."""

    __qualname__ = PAYLOAD

    def __repr__(self) -> str:
        return PAYLOAD

    def __call__(self) -> str:
        return "called"


def test_user_objects_never_become_source_code() -> None:
    """Names and reprs that look like code reach the generated function only as objects."""
    tricky = Tricky()
    default = Tricky()

    def handler(skipped: Tricky = default, value: str = Depends(tricky), /) -> object:
        return skipped, value

    container = Container()
    assert call(container, container.prepare(handler), {}) == (default, "called")
