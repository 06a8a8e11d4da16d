"""Compiling a validated graph into one Python function, readable and debuggable.

Resolving by walking the graph on every call costs a loop, a dispatch and a few lookups per
dependency. Instead each graph is turned once into the code a person would write by hand: one
local variable per dependency, in dependency order, calls with their arguments spelled out,
``await`` only where needed, and teardown code only when there is a generator.

The code is meant to be read, in a traceback or in `Prepared.source`:

- the function is named after the callable it resolves (``resolve_handler``), constants after
  the objects they hold (``get_db``, ``Database``, ``Database_service``), variables after the
  parameter that first asks for the value (``db``, ``user``); all sanitised to identifiers and
  made unique;
- each dependency's code starts with a ``# ...`` line saying what it is;
- the source is registered with `linecache` under the function's pseudo-filename, so a traceback
  through it shows the line, for as long as the function's code exists.

The text holds nothing but those names, Python keywords and scope levels: every user object
(callables, keys, defaults) is passed in through the function's namespace, and bound as a
default parameter where the successful path uses it (so it is read as a local), never written
into the source; names are only taken from ``__name__``-like identifiers, never from a repr.

Three shapes are generated, all taking the app scope's values (``av``) and instances (``asv``)
and the request scope's values (``rv``):

- a one-shot call, which sets up, calls, and tears down before returning;
- a call inside an open scope (``cache`` and ``exits`` belong to the scope, which tears down
  when it is exited); cached dependencies are looked up in the scope first;
- the start-up of an app scope, which creates every app service into ``asv``.

The first two also come offloaded (an async function taking ``offload`` last): every synchronous
step goes through ``await offload(fn, *args)`` (a function call, a generator's ``next``, its
teardown), so no user code that may block runs on the event loop. When nothing in the graph
needs the loop, the whole synchronous function is offloaded instead, in one trip.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import linecache
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._callables import CallKind, describe
from ._errors import AsyncInSyncScopeError, MissingValueError
from ._graph import Node, find_async
from ._holding import HoldsTeardown, PendingTeardown
from ._levels import APP, name_of
from ._teardown import (
    add_failure,
    finish_one,
    outcome,
    stray_yield,
    stray_yield_async,
    unwind_async,
    unwind_offloaded,
    unwind_sync,
)

_MISSING = object()

# Only makes pseudo-filenames unique, so two generated functions never share a linecache entry.
_serial = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Mode:
    """What to generate.

    `scoped`: read and fill the scope's cache, leave teardown to the scope. `startup`: build
    app services rather than read them. `offload`: take an ``offload`` argument; async code
    runs every synchronous step through it, synchronous code (the body of a one-trip run) only
    hands it to a held teardown.
    """

    is_async: bool
    scoped: bool
    startup: bool = False
    offload: bool = False


@dataclass(frozen=True, eq=False, slots=True)
class Compiled:
    """A generated function, the source it was compiled from, and the graph it resolves.

    `root` is `None` for an app scope's start-up, which creates several services.
    """

    call: Callable[..., Any]
    source: str
    root: Node | None


def compile_call(
    root: Node,
    mode: Mode,
    stale: frozenset[object],
    suffix: str = "",
    then: Callable[[Any], Any] | None = None,
) -> Compiled:
    """A function that resolves `root`'s arguments and calls it (then `then` on its result).

    `stale` holds the override targets whose app-scoped instances no longer apply, so services
    touching them are built afresh where they are needed. A synchronous `mode` refuses a graph
    that needs an event loop (`AsyncInSyncScopeError`).
    """
    if not mode.is_async:
        _refuse_async(root, ())
    elif mode.offload and not _needs_loop(root, mode, stale):
        return _compile_one_trip(root, mode, stale, then)
    emitter = _Emitter(mode, stale, f"resolve_{identifier(root.call)}{suffix}")
    offloaded = emitter.offloads and root.call_kind is CallKind.SYNC
    if then is not None and offloaded:
        # `then` goes to the worker thread with the call: its work stays off the event loop.
        callee, parts = emitter.call_parts(root)
        then_name = emitter.constant(then)
        called = f"await offload({', '.join(['_then_in_thread', then_name, callee, *parts])})"
        emitter.line(f"# the call itself: {callee}, {root.call_kind.article}")
        emitter.line(f"# and what it returns through {then_name}, in the same trip")
    else:
        call = emitter.call_expression(root)
        called = f"{'await ' if root.call_kind is CallKind.CORO or offloaded else ''}{call}"
        emitter.line(f"# the call itself: {emitter.constant(root.call)}, {root.call_kind.article}")
        if then is not None:
            then_name = emitter.constant(then)
            emitter.line(f"# and what it returns through {then_name}")
            called = f"{then_name}({called})"
    if mode.scoped or not emitter.generators:
        emitter.line(f"return {called}")
        return emitter.build(_wrap_plain, root)
    result = emitter.names.new("result")
    emitter.line(f"{result} = {called}")
    return emitter.build(_wrap_teardown, root, result)


def _needs_loop(
    node: Node, mode: Mode, stale: frozenset[object], seen: set[Node] | None = None
) -> bool:
    """Whether the code for `node` in `mode` awaits anything: an async callable it calls.

    Given values and app services created at start-up are only read, whatever made them. A
    node shared by several dependents is looked at once (`seen`), so the walk is linear.
    """
    if seen is None:
        seen = set()
    if node in seen or node.kind == "value" or _built_instance(node, mode, stale):
        return False
    if node.call_kind.is_async:
        return True
    seen.add(node)
    return any(
        arg.node is not None and _needs_loop(arg.node, mode, stale, seen) for arg in node.args
    )


def _compile_one_trip(
    root: Node, mode: Mode, stale: frozenset[object], then: Callable[[Any], Any] | None
) -> Compiled:
    """A graph with nothing async, offloaded whole: the synchronous function, in one trip.

    Set-up, the call and (for a one-shot call) teardown then run on one thread, one after the
    other, as in a synchronous scope.
    """
    body_mode = Mode(is_async=False, scoped=mode.scoped, offload=True)
    body = compile_call(root, body_mode, stale, "_in_thread", then)
    emitter = _Emitter(mode, stale, f"resolve_{identifier(root.call)}")
    inner = emitter.constant(body.call, body.call.__name__)
    arguments = ", ".join(emitter.arguments())
    emitter.line("# nothing here needs the event loop: the whole call is one trip through offload")
    emitter.line(f"return await offload({inner}, {arguments})")
    compiled = emitter.build(_wrap_plain, root)
    return Compiled(compiled.call, f"{body.source}\n{compiled.source}", root)


def _built_instance(node: Node, mode: Mode, stale: frozenset[object]) -> bool:
    """An app service created when the app scope started, still valid under the overrides."""
    return (
        node.kind == "service"
        and node.level == APP
        and not mode.startup
        and not (node.touches & stale)
    )


def compile_startup(services: Sequence[Node], mode: Mode) -> Compiled:
    """A function that creates `services` (and what they need) into the scope's cache."""
    if not mode.is_async:
        seen: set[Node] = set()
        for node in services:
            _refuse_async(node, (f"service {describe(node.target)}",), seen)
    emitter = _Emitter(mode, frozenset(), "start_app_scope")
    for node in services:
        emitter.value(node, identifier(node.target).lower())
    emitter.line("return None")
    return emitter.build(_wrap_plain, None)


def identifier(thing: object) -> str:
    """A Python identifier naming `thing` in generated code (not yet unique).

    Taken from the name `describe` gives a callable or a type (its last dotted part), or from a
    string key that is already an identifier; anything else is just ``key``, so a repr never
    reaches the source.
    """
    if isinstance(thing, str):
        text = thing if thing.isidentifier() else "key"
    elif callable(thing):
        text = describe(thing).rsplit(".", 1)[-1]
    else:
        text = "key"
    text = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_") or "key"
    if text[0].isdigit():
        text = f"_{text}"
    return f"{text}_" if keyword.iskeyword(text) else text


class _Names:
    """The names of one generated function: every one an identifier, none used twice."""

    def __init__(self, reserved: Sequence[str]) -> None:
        self._used = {*dir(builtins), *reserved}

    def new(self, wanted: str) -> str:
        name = wanted
        for number in itertools.count(2):
            if name not in self._used:
                break
            name = f"{wanted}_{number}"
        self._used.add(name)
        return name


def _then_in_thread(
    then: Callable[[Any], Any], fn: Callable[..., Any], /, *args: Any, **kwargs: Any
) -> Any:
    """`then(fn(...))`: an offloaded plain call and its `then` in one trip to the thread."""
    return then(fn(*args, **kwargs))


# The names generated code itself uses: the signature, the teardown code, the helpers.
_PARAMETERS = ("av", "asv", "rv", "cache", "exits")  # and "offload" in offloaded code
_LOCALS = ("error", "problem", "failures", "failure")


_HELPERS: dict[str, Any] = {
    "_MISSING": _MISSING,
    "_then_in_thread": _then_in_thread,
    "_add": add_failure,
    "_outcome": outcome,
    "_stray_async": stray_yield_async,
    "_stray_sync": stray_yield,
    "_finish_sync": finish_one,
    "_Holds": HoldsTeardown,
    "_Pending": PendingTeardown,
}


def _refuse_async(node: Node, chain: tuple[str, ...], seen: set[Node] | None = None) -> None:
    """Raise `AsyncInSyncScopeError` naming the path to the first async callable under `node`."""
    found = find_async(node, chain, set() if seen is None else seen)
    if found is None:
        return
    where = " -> ".join(found[:-1])
    problem = f"{found[-1]}, which needs an event loop"
    raise AsyncInSyncScopeError(
        f"{where + ': ' if where else ''}{problem}; use the async app_scope, or make it synchronous"
    )


def _no_value(key: object, level: int) -> MissingValueError:
    return MissingValueError(
        f"no value for {describe(key)} was given to this {name_of(level)} scope, though it "
        "was declared with provide() or a parameter hook answered Given for it"
    )


def _no_yield(call: object) -> RuntimeError:
    return RuntimeError(f"generator dependency {describe(call)} finished without yielding a value")


class _Emitter:
    """Accumulates the body of one generated function."""

    def __init__(self, mode: Mode, stale: frozenset[object], function: str) -> None:
        self.mode = mode
        self.stale = stale
        self.lines: list[str] = []
        self.depth = 0
        # Generators set up, in order, with their kinds: a one-shot call finishes them inline.
        self.generators: list[tuple[str, CallKind]] = []
        self.namespace: dict[str, Any] = {
            **_HELPERS,
            "_no_value": _no_value,
            "_no_yield": _no_yield,
            "_unwind": (
                (unwind_offloaded if mode.offload else unwind_async)
                if mode.is_async
                else unwind_sync
            ),
        }
        # Every name the namespace holds is taken: a parameter cannot hide a helper.
        reserved = [*_PARAMETERS, *_LOCALS, *self.namespace]
        self.names = _Names([*reserved, "offload"] if mode.offload else reserved)
        self.function = self.names.new(function)
        # Whether synchronous steps go through `await offload(...)`.
        self.offloads = mode.offload and mode.is_async
        # The name of each constant, by the identity of the object it holds.
        self.constants: dict[int, str] = {}
        # Variables already holding a node's value, per nested block: a value computed inside
        # an ``if missing:`` block is unknown after it.
        self.known: list[dict[Node, str]] = [{}]

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def constant(self, value: object, name: str | None = None) -> str:
        """The namespace name holding `value` (one name per object), named after it by default."""
        known = self.constants.get(id(value))
        if known is not None:
            return known
        chosen = self.names.new(name or identifier(value))
        self.namespace[chosen] = value
        self.constants[id(value)] = chosen
        return chosen

    def value(self, node: Node, wanted: str) -> str:
        """The variable holding `node`'s value, emitting the code that computes it if needed.

        `wanted` names the variable when it is new: the parameter that asks for the value.
        """
        for block in reversed(self.known):
            if node in block:
                return block[node]
        var = self.names.new(wanted)
        if node.kind == "value":
            self._read_value(node, var)
        elif self._is_built_instance(node):
            record = self._service_constant(node)
            self.line(f"# {var}: app service {identifier(node.target)}, created at start-up")
            self.line(f"{var} = asv[{record}]")
        elif self.mode.scoped and node.cache_key is not None:
            self._cached(node, var)
        else:
            self._build(node, var, f"# {var}: {self._describe(node)}")
        self.known[-1][node] = var
        return var

    def arguments(self) -> list[str]:
        """The parameters of the function being generated, in order."""
        names = ["av", "asv", "rv"]
        if self.mode.scoped:
            names += ["cache", "exits"]
        if self.mode.offload:
            names.append("offload")
        return names

    def call_expression(self, node: Node) -> str:
        """``f(a, b, name=c)`` for `node`, emitting its arguments first.

        Offloaded, a plain function's call is ``offload(f, a, b, name=c)`` (to await).
        """
        callee, parts = self.call_parts(node)
        if self.offloads and node.call_kind is CallKind.SYNC:
            return f"offload({', '.join([callee, *parts])})"
        return f"{callee}({', '.join(parts)})"

    def call_parts(self, node: Node) -> tuple[str, list[str]]:
        """The callee's name and the argument expressions, emitting the arguments first."""
        parts = []
        for arg in node.args:
            if arg.node is not None:
                expr = self.value(arg.node, arg.name)
            else:
                expr = self.names.new(f"{arg.name}_default")
                self.namespace[expr] = arg.default
            parts.append(expr if arg.positional else f"{arg.name}={expr}")
        return self.constant(node.call), parts

    def _service_constant(self, node: Node) -> str:
        """The name of a service's record, which keys the scope caches."""
        return self.constant(node.cache_key, f"{identifier(node.target)}_service")

    def _describe(self, node: Node) -> str:
        """What `node` is, for its comment line: only generated names, never a user value."""
        kind = node.call_kind.article
        call = self.constant(node.call)
        if node.kind == "service":
            level = name_of(node.level)
            text = f"{level} service {identifier(node.target)}, made by {call}, {kind}"
        else:
            target = self.constant(node.target)
            made = kind if call == target else f"overridden by {call}, {kind}"
            text = f"Depends({target}), {made}"
        if node.cache_key is None:
            text += "; not cached (use_cache=False)"
        if node.call_kind.has_teardown:
            when = "with the scope" if self.mode.scoped else "after the call"
            text += f"; torn down {when}"
        return text

    def _is_built_instance(self, node: Node) -> bool:
        """An app service created when the app scope started, still valid under the overrides."""
        return _built_instance(node, self.mode, self.stale)

    def _read_value(self, node: Node, var: str) -> None:
        given = node.cache_key
        # A name key ("request") would otherwise take the name its variable wants.
        key = self.constant(given, f"{identifier(given)}_key" if isinstance(given, str) else None)
        self.line(f"# {var}: the value given to the {name_of(node.level)} scope for {key}")
        # App values declared with provide() are checked when the app scope is entered, but
        # a parameter hook's `Given` is not declared: every read says what is missing.
        self.line("try:")
        self.line(f"    {var} = {'av' if node.level == APP else 'rv'}[{key}]")
        self.line("except KeyError:")
        self.line(f"    raise _no_value({key}, {node.level}) from None")

    def _cached(self, node: Node, var: str) -> None:
        """Look `node` up in the scope's cache, computing and storing it when absent.

        Cached dependencies are emitted once each at the top level, before the first block that
        needs them, so blocks never nest and the code stays linear in the size of the graph.
        Only `use_cache=False` dependencies are computed inside the block, so they do not run
        when their user comes from the cache.
        """
        self._prefetch(node)
        key = (
            self._service_constant(node)
            if node.kind == "service"
            else self.constant(node.cache_key)
        )
        self.line(f"# {var}: {self._describe(node)}; cached in the scope")
        self.line(f"{var} = cache.get({key}, _MISSING)")
        self.line(f"if {var} is _MISSING:")
        self.depth += 1
        self.known.append({})
        self._build(node, var, None)
        self.line(f"cache[{key}] = {var}")
        self.known.pop()
        self.depth -= 1

    def _prefetch(self, node: Node) -> None:
        """Emit the cached dependencies of `node`, looking through uncached ones."""
        for arg in node.args:
            child = arg.node
            if child is None:
                continue
            if child.cache_key is not None:
                self.value(child, arg.name)
            else:
                self._prefetch(child)

    def _build(self, node: Node, var: str, comment: str | None) -> None:
        """Compute `node` into `var`: its arguments first, then `comment`, then the call."""
        call = self.call_expression(node)
        if comment is not None:
            self.line(comment)
        kind = node.call_kind
        if kind is CallKind.SYNC:
            self.line(f"{var} = await {call}" if self.offloads else f"{var} = {call}")
        elif kind is CallKind.CORO:
            self.line(f"{var} = await {call}")
        else:
            self._setup_generator(node, var, call)

    def _setup_generator(self, node: Node, var: str, call: str) -> None:
        generator = self.names.new(f"{var}_gen")
        if self.offloads and node.call_kind is CallKind.GEN:
            # Making the generator runs none of its code; its set-up is the first `next`.
            self.line(f"{generator} = {call}")
            self.line(f"{var} = await offload(next, {generator}, _MISSING)")
            self.line(f"if {var} is _MISSING:")
            self.line(f"    raise _no_yield({self.constant(node.call)})")
            self.line(f"exits.append({generator})")
            self.generators.append((generator, node.call_kind))
            return
        first, stop = (
            (f"await {generator}.__anext__()", "StopAsyncIteration")
            if node.call_kind is CallKind.AGEN
            else (f"next({generator})", "StopIteration")
        )
        self.line(f"{generator} = {call}")
        self.line("try:")
        self.line(f"    {var} = {first}")
        self.line(f"except {stop}:")
        self.line(f"    raise _no_yield({self.constant(node.call)}) from None")
        self.line(f"exits.append({generator})")
        self.generators.append((generator, node.call_kind))

    def build(
        self, wrap: Callable[[_Emitter], list[str]], root: Node | None, result: str = ""
    ) -> Compiled:
        """Compile the function, register its source for tracebacks, and return both."""
        self.result = result
        source = "\n".join(wrap(self)) + "\n"
        filename = f"<microapi_di: {self.function} #{next(_serial)}>"
        code = compile(source, filename, "exec")
        exec(code, self.namespace)
        function: Callable[..., Any] = self.namespace[self.function]
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        # Frames keep the function's code alive, so a traceback can show lines until it is gone.
        weakref.finalize(function.__code__, linecache.cache.pop, filename, None)
        return Compiled(function, source, root)


def _header(emitter: _Emitter, body: list[str]) -> list[str]:
    """The ``def`` line, with the namespace objects `body` uses on success bound as defaults.

    A default is read as a local: a successful call touches no namespace dictionary, which
    matters most when an app's many routes' functions are not in the CPU's caches. What only
    an error path uses stays in the namespace, so a call does not copy it into its frame.
    """
    keyword_ = "async def" if emitter.mode.is_async else "def"
    arguments = ", ".join(emitter.arguments())
    code = "\n".join(line.partition("#")[0] for line in body)  # no strings: "#" starts a comment
    named = set(_IDENTIFIER.findall(code)) - _ERROR_PATH
    bound = [name for name in emitter.namespace if name in named]
    if not bound:
        return [f"{keyword_} {emitter.function}({arguments}):"]
    lines = [f"{keyword_} {emitter.function}(", f"    {arguments},"]
    lines.append("    # the objects it uses, bound once: read as local variables")
    line = "   "
    for name in bound:
        item = f" {name}={name},"
        if len(line) + len(item) > 88 and line.strip():
            lines.append(line)
            line = "   "
        line += item
    return [*lines, line, "):"]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The helpers only raising, unwinding or handing a teardown over use (read from the namespace).
_ERROR_PATH = frozenset(
    {
        "_no_value",
        "_no_yield",
        "_unwind",
        "_outcome",
        "_add",
        "_stray_async",
        "_stray_sync",
        "_Pending",
    }
)


def _indent(lines: list[str], depth: int) -> list[str]:
    return ["    " * depth + line for line in lines]


def _wrap_plain(emitter: _Emitter) -> list[str]:
    body = _indent(emitter.lines, 1)
    return [*_header(emitter, body), *body]


def _wrap_teardown(emitter: _Emitter) -> list[str]:
    """Set-up and call guarded by unwinding on error, then every generator finished inline.

    On success the generators are known statically, so they are finished in reverse order
    without a helper call; the error path hands the set-up ones to `_unwind`.
    """
    awaits = "await " if emitter.mode.is_async else ""
    offload = ", offload" if emitter.mode.offload else ""
    result = emitter.result
    lines = [
        "    exits = []",
        "    try:",
        *_indent(emitter.lines, 2),
        "    except BaseException as error:",
        "        # throw the error into the generators set up so far, last first",
        f"        problem = {awaits}_unwind(exits, error{offload if emitter.offloads else ''})",
        "        if problem is None:",
        "            raise",
        "        raise problem from None",
        f"    if isinstance({result}, _Holds):",
        "        # the result holds the teardown: it finishes the generators when it is done",
        f"        {result}.hold_teardown(_Pending(exits{offload}))",
        f"        return {result}",
        "    # success: finish every generator, last set up first, collecting failures",
        "    failures = None",
    ]
    for generator, kind in reversed(emitter.generators):
        finish = _finish_offloaded if emitter.offloads and kind is CallKind.GEN else _finish
        lines.extend(_indent(finish(generator, kind), 1))
    lines.extend(
        [
            "    if failures is not None:",
            "        raise _outcome(None, failures)",
            f"    return {emitter.result}",
        ]
    )
    return [*_header(emitter, lines), *lines]


def _finish(generator: str, kind: CallKind) -> list[str]:
    """Finish one generator, collecting (never raising) what goes wrong."""
    if kind is CallKind.AGEN:
        step, stop = f"await {generator}.__anext__()", "StopAsyncIteration"
        stray = f"await _stray_async({generator})"
    else:
        step, stop, stray = f"next({generator})", "StopIteration", f"_stray_sync({generator})"
    return [
        "try:",
        f"    {step}",
        f"except {stop}:",
        "    pass",
        "except BaseException as failure:",
        "    failures = _add(failures, failure)",
        "else:",
        f"    failures = _add(failures, {stray})",
    ]


def _finish_offloaded(generator: str, kind: CallKind) -> list[str]:
    """Finish one synchronous generator through offload, collecting what goes wrong."""
    return [
        "try:",
        f"    problem = await offload(_finish_sync, {generator})",
        "except BaseException as failure:",
        "    failures = _add(failures, failure)",
        "else:",
        "    if problem is not None:",
        "        failures = _add(failures, problem)",
    ]
