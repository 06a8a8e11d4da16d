"""The generated code is readable: golden sources, linecache, tracebacks that show the line.

The golden sources pin the shape of what `_codegen` emits for a few representative graphs.
A change to them is a change to the hot path: update them deliberately, and run
`benchmarks/di.py`.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import linecache
import textwrap
import traceback
from collections.abc import Iterator
from typing import Annotated

import pytest
from microapi_di import Container, Depends
from microapi_di._codegen import Mode, compile_call, identifier
from microapi_di._graph import Planner
from microapi_di._levels import REQUEST
from microapi_di._registry import Registry


class Request:
    pass


class Database:
    pass


class User:
    def __init__(self, name: str) -> None:
        self.name = name


def make_database() -> Database:
    return Database()


def get_user(request: Request, db: Database) -> User:
    return User("ada")


def handler(user: Annotated[User, Depends(get_user)]) -> str:
    return user.name


def chain_container() -> Container:
    container = Container()
    container.register(Database, make_database)
    container.provide(Request)
    return container


def golden(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_a_plain_chain_reads_like_hand_written_code() -> None:
    prepared = chain_container().prepare(handler)
    assert prepared.source == golden(
        """
        async def resolve_handler(
            av, asv, rv,
            # the objects it uses, bound once: read as local variables
            get_user=get_user, Request=Request, Database_service=Database_service,
            handler=handler,
        ):
            # request: the value given to the request scope for Request
            try:
                request = rv[Request]
            except KeyError:
                raise _no_value(Request, 1) from None
            # db: app service Database, created at start-up
            db = asv[Database_service]
            # user: Depends(get_user), a function
            user = get_user(request, db)
            # the call itself: handler, a function
            return handler(user)
        """
    )


def open_session(db: Database) -> Iterator[str]:
    yield "session"


async def save(session: Annotated[str, Depends(open_session)], name: str = "x") -> str:
    return session


def test_a_successful_call_reads_nothing_from_the_namespace() -> None:
    """What the successful path uses is bound as defaults; only error paths read the namespace."""
    container = Container()
    container.register(Database, make_database)
    prepared = container.prepare(save)

    async def main() -> None:
        async with container.app_scope() as app:
            assert await app.run(prepared) == "session"
            run = app.runner(prepared)
            assert isinstance(run, functools.partial)  # the generated function, state bound
            namespace = run.func.__globals__
            kept = {name: namespace[name] for name in ("_no_value", "_no_yield", "_unwind")}
            namespace.clear()
            assert await run({}) == "session"
            namespace.update(kept)

    asyncio.run(main())


def test_a_generator_is_finished_inline_by_a_one_shot_call() -> None:
    container = Container()
    container.register(Database, make_database)
    prepared = container.prepare(save)
    assert prepared.source == golden(
        """
        async def resolve_save(
            av, asv, rv,
            # the objects it uses, bound once: read as local variables
            _Holds=_Holds, open_session=open_session, Database_service=Database_service,
            save=save,
        ):
            exits = []
            try:
                # db: app service Database, created at start-up
                db = asv[Database_service]
                # session: Depends(open_session), a generator; torn down after the call
                session_gen = open_session(db)
                try:
                    session = next(session_gen)
                except StopIteration:
                    raise _no_yield(open_session) from None
                exits.append(session_gen)
                # the call itself: save, a coroutine function
                result = await save(session)
            except BaseException as error:
                # throw the error into the generators set up so far, last first
                problem = await _unwind(exits, error)
                if problem is None:
                    raise
                raise problem from None
            if isinstance(result, _Holds):
                # the result holds the teardown: it finishes the generators when it is done
                result.hold_teardown(_Pending(exits))
                return result
            # success: finish every generator, last set up first, collecting failures
            failures = None
            try:
                next(session_gen)
            except StopIteration:
                pass
            except BaseException as failure:
                failures = _add(failures, failure)
            else:
                failures = _add(failures, _stray_sync(session_gen))
            if failures is not None:
                raise _outcome(None, failures)
            return result
        """
    )


def counter() -> int:
    return 1


def twice(
    first: Annotated[int, Depends(counter)],
    again: Annotated[int, Depends(counter, use_cache=False)],
    user: Annotated[User, Depends(get_user)],
) -> int:
    return first + again


def test_a_call_in_an_open_scope_reads_and_fills_its_cache() -> None:
    registry = Registry()
    registry.add_service(Database, make_database, REQUEST)
    registry.add_value(Request, REQUEST)
    root = Planner(registry, {}).root(twice, REQUEST)
    compiled = compile_call(root, Mode(is_async=True, scoped=True), frozenset())
    assert compiled.source == golden(
        """
        async def resolve_twice(
            av, asv, rv, cache, exits,
            # the objects it uses, bound once: read as local variables
            _MISSING=_MISSING, counter=counter, Request=Request,
            Database_service=Database_service, make_database=make_database, get_user=get_user,
            twice=twice,
        ):
            # first: Depends(counter), a function; cached in the scope
            first = cache.get(counter, _MISSING)
            if first is _MISSING:
                first = counter()
                cache[counter] = first
            # again: Depends(counter), a function; not cached (use_cache=False)
            again = counter()
            # request: the value given to the request scope for Request
            try:
                request = rv[Request]
            except KeyError:
                raise _no_value(Request, 1) from None
            # db: request service Database, made by make_database, a function; cached in the scope
            db = cache.get(Database_service, _MISSING)
            if db is _MISSING:
                db = make_database()
                cache[Database_service] = db
            # user: Depends(get_user), a function; cached in the scope
            user = cache.get(get_user, _MISSING)
            if user is _MISSING:
                user = get_user(request, db)
                cache[get_user] = user
            # the call itself: twice, a function
            return twice(first, again, user)
        """
    )


def test_a_synchronous_app_scope_gets_a_synchronous_function() -> None:
    container = chain_container()
    prepared = container.prepare(handler)
    with container.sync_app_scope() as app:
        assert app.run(prepared, {Request: Request()}) == "ada"
        assert prepared.source.startswith("def resolve_handler(\n    av, asv, rv,\n")
        assert "await" not in prepared.source
    assert prepared.source.startswith("async def resolve_handler(")


def test_source_follows_overrides() -> None:
    container = chain_container()
    prepared = container.prepare(handler)

    def fake_user() -> User:
        return User("fake")

    with container.override(get_user, fake_user):
        assert "# user: Depends(get_user), overridden by fake_user, a function" in prepared.source
        assert "user = fake_user()" in prepared.source
    assert "user = get_user(request, db)" in prepared.source


class Broken(Exception):
    pass


def failing_user(db: Database) -> User:
    raise Broken("no user")


def greet(user: Annotated[User, Depends(failing_user)]) -> str:
    return user.name


def test_a_traceback_through_generated_code_shows_its_line() -> None:
    container = Container()
    container.register(Database, make_database)
    prepared = container.prepare(greet)

    sources: list[str] = []

    async def main() -> None:
        async with container.app_scope() as app:
            sources.append(prepared.source)
            await app.run(prepared)

    with pytest.raises(Broken) as caught:
        asyncio.run(main())
    text = "".join(traceback.format_exception(caught.value))
    frames = traceback.extract_tb(caught.value.__traceback__)
    [generated] = [frame for frame in frames if frame.name == "resolve_greet"]
    assert generated.filename.startswith("<microapi_di: resolve_greet")
    assert generated.line == "user = failing_user(db)"
    assert f'{generated.filename}", line {generated.lineno}, in resolve_greet\n' in text
    assert "    user = failing_user(db)\n" in text
    # The lines registered for the failing function are the source `Prepared.source` gave.
    assert "".join(linecache.getlines(generated.filename)) == sources[0]


def db() -> Database:  # a dependency with the name its users give their parameter
    return Database()


def named_next() -> str:
    return "next"


named_next.__qualname__ = "next"  # the generated code's own `next()` must stay the builtin


def uses(db: Annotated[Database, Depends(db)], other: Annotated[str, Depends(named_next)]) -> str:
    return other


def test_names_are_identifiers_and_unique() -> None:
    prepared = Container().prepare(uses)
    source = prepared.source
    assert "db = db_2()" in source  # the variable took the name first
    assert "other = next_2()" in source
    assert "return uses(db, other)" in source
    assert identifier(lambda: None) == "lambda_"
    assert identifier("not an identifier!") == "key"
    assert identifier(object()) == "key"
    assert identifier("request") == "request"


def test_code_looking_names_never_reach_the_source_as_code() -> None:
    class Tricky:
        __qualname__ = '"); raise SystemExit("injected") #'

        def __call__(self) -> str:
            return "called"

    def target(value: str = Depends(Tricky())) -> str:
        return value

    source = Container().prepare(target).source
    assert '"' not in source
    assert "SystemExit(" not in source


def test_a_linecache_entry_lives_as_long_as_its_function() -> None:
    container = chain_container()
    prepared = container.prepare(handler)
    before = set(linecache.cache)
    assert prepared.source
    [filename] = set(linecache.cache) - before
    assert filename.startswith("<microapi_di: resolve_handler")
    container.provide("unrelated")  # any change drops the compiled functions
    gc.collect()
    assert filename not in linecache.cache


def test_a_parameter_named_like_a_helper_does_not_hide_it() -> None:
    """`_unwind` (and every other namespace name) is reserved: the parameter's variable gets
    another name, and an error is still thrown into the generators."""
    log: list[str] = []

    def session() -> Iterator[str]:
        try:
            yield "s"
        except ValueError:
            log.append("rolled back")
            raise

    def value() -> str:
        return "v"

    def handler(_unwind: str = Depends(value), s: str = Depends(session)) -> str:
        raise ValueError("boom")

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> None:
        async with container.app_scope() as app:
            with pytest.raises(ValueError, match="boom"):
                await app.run(prepared)

    asyncio.run(main())
    assert log == ["rolled back"]
    assert "_unwind_2 = value()" in prepared.source
