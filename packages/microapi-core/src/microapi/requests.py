"""The incoming request: a lazy view over the ASGI scope and the body stream."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

from ._receiving import receive_within
from .background import BackgroundTasks
from .datastructures import Address, Headers, QueryParams, parse_cookies
from .exceptions import ClientDisconnect, HTTPException
from .types import Message, Receive, Scope

if TYPE_CHECKING:
    from ._threads import Lane
    from .responses import Response
    from .routing import Route

# The states of the body besides its cached bytes: nobody has read it yet; `stream()` is
# reading it; `stream()` read it to its end (nothing kept); the disconnect watcher is reading
# the first message of a request that declares no body.
_UNREAD = object()
_STREAMING = object()
_STREAMED = object()
_WATCHING = object()


class BodyOutcome(NamedTuple):
    """How a response ended, once its body is final (`Request.outcome`).

    `status_code` is the status actually sent (a `FileResponse` may have answered 206, 304 or
    416; a stream that failed before its first chunk was answered with its error's status).
    `complete` is whether the body reached its end; when it did not, `error` is what cut it (a
    `ClientDisconnect` when the client went away mid-stream) and the client saw an incomplete
    response.
    """

    status_code: int
    complete: bool
    error: BaseException | None


class _Rare:
    """Per-request state that most requests never need, kept out of `Request.__init__`."""

    __slots__ = ("callbacks", "pushback", "settled")

    def __init__(self) -> None:
        self.callbacks: list[Callable[[BodyOutcome], None]] = []
        self.pushback: Any = None  # a body message the disconnect watcher read for the reader
        self.settled: asyncio.Future[None] | None = None  # set when the body reader is done


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    """A JSON number as a float; one too large for a float (`1e999`) would be infinity, which
    no JSON response could send back, so it is refused like `Infinity`."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} is out of range")
    return value


_errors = logging.getLogger("microapi.errors")

# Built once (`json.loads` with options builds a decoder per call); it keeps no state.
_decode_json = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float).decode
# A `\u` escape of a UTF-16 surrogate, D800-DFFF in any case: only these can decode to a
# lone surrogate, which no UTF-8 response could send back.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]").search
_SURROGATE = re.compile("[\ud800-\udfff]").search


class Request:
    """One HTTP request.

    Headers, query parameters and cookies are parsed on first use; the body is
    read on demand, at most `max_body_size` bytes (413 beyond that, detected from
    `content-length` up front or while streaming, without reading the rest).
    `state` is a free namespace for middleware and handlers to share per-request data.

    Three attributes carry what the framework decided about this request, for middleware to
    observe: `background` (the `BackgroundTasks` to run once the response is sent, or None),
    `exception` (the exception that was answered with a 500, or that cut a stream after its
    start, or None) and `route` (the
    `microapi.routing.Route` the path matched, or None for a 404 or 405: its `template` is the
    bounded-cardinality name of what was asked, for logs and metrics).

    When the response body is final (sent completely, or cut by an error or a disconnect),
    the edge sets `outcome` (a `BodyOutcome`) and calls the callbacks given to `on_outcome`:
    the way for middleware to act after a streamed body, which is sent after they returned.
    """

    __slots__ = (
        "_body",
        "_cookies",
        "_final",
        "_headers",
        "_lane",
        "_query",
        "_rare",
        "_receive",
        "_state",
        "background",
        "body_timeout",
        "exception",
        "max_body_size",
        "path_params",
        "route",
        "scope",
    )

    _final: Response  # the response whose body is final, set by the edge; unset until then

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        max_body_size: int = 1 << 20,
        body_timeout: float | None = None,
    ) -> None:
        self.scope = scope
        self._receive = receive
        self.max_body_size = max_body_size
        self.body_timeout = body_timeout
        self._lane: Lane | None = None
        self.path_params: dict[str, str] = {}
        self._state: SimpleNamespace | None = None
        self._headers: Headers | None = None
        self._query: QueryParams | None = None
        self._cookies: dict[str, str] | None = None
        self._body: Any = _UNREAD
        self._rare: _Rare | None = None
        # `_final` is left unset until the edge sets it (read with a default) to keep this short.
        self.background: BackgroundTasks | None = None
        self.exception: BaseException | None = None
        self.route: Route | None = None

    @property
    def state(self) -> SimpleNamespace:
        """A free namespace for middleware and handlers to share per-request data."""
        if self._state is None:
            self._state = SimpleNamespace()
        return self._state

    @property
    def method(self) -> str:
        """The request method, as sent (`GET`, `POST`, ...)."""
        return self.scope["method"]  # type: ignore[no-any-return]

    @property
    def path(self) -> str:
        """The percent-decoded path, without the query string."""
        return self.scope["path"]  # type: ignore[no-any-return]

    @property
    def headers(self) -> Headers:
        """Case-insensitive, multi-valued request headers."""
        if self._headers is None:
            self._headers = Headers(self.scope["headers"])
        return self._headers

    @property
    def query_params(self) -> QueryParams:
        """Query string parameters; `getlist` returns repeated ones."""
        if self._query is None:
            self._query = QueryParams(self.scope.get("query_string", b""))
        return self._query

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies from every `Cookie` header."""
        if self._cookies is None:
            self._cookies = {}
            for header in self.headers.getlist("cookie"):
                self._cookies.update(parse_cookies(header))
        return self._cookies

    @property
    def client(self) -> Address | None:
        """The client's address, when the server knows it."""
        client = self.scope.get("client")
        return Address(client[0], client[1]) if client else None

    async def body(self) -> bytes:
        """The whole body; read once, then cached.

        Raises `RuntimeError` after `stream()` began: a streamed body is not kept.
        """
        body = self._body
        if type(body) is bytes:
            return body
        if body is _WATCHING:
            await self._settle()
            return await self.body()
        if body is not _UNREAD:
            raise RuntimeError(
                f"{self.method} {self.path}: request.body() after request.stream(): a streamed "
                "body is not kept; read it one way only"
            )
        # Read here rather than through `_chunks`: most bodies arrive in one message, and an
        # async generator per request cost more than the read itself.
        self._refuse_declared_excess()
        limit = self.max_body_size
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self._next_message()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"Request body larger than {limit} bytes")
            if not message.get("more_body", False):
                break
            chunks.append(chunk)
        if chunks:
            chunks.append(chunk)
            chunk = b"".join(chunks)
        elif type(chunk) is not bytes:  # a server's bytearray or memoryview: kept as bytes
            chunk = bytes(chunk)
        self._body = chunk
        self._settled()
        return chunk

    async def stream(self) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive, none kept, at most `max_body_size` bytes in all.

        Past the limit (or when `content-length` declares more, before reading anything) it
        raises a 413 `HTTPException`; a disconnect raises `ClientDisconnect`. After `body()`
        it yields the cached body once; a second `stream()` raises `RuntimeError`.
        """
        body = self._body
        if body is _WATCHING:
            await self._settle()
            body = self._body
        if type(body) is bytes:
            if body:
                yield body
            return
        if body is not _UNREAD:
            raise RuntimeError(
                f"{self.method} {self.path}: the request body was already streamed; "
                "request.stream() can be read once"
            )
        self._body = _STREAMING
        try:
            async for chunk in self._chunks():
                if chunk:
                    yield chunk
        finally:
            self._body = _STREAMED
            self._settled()

    async def _chunks(self) -> AsyncIterator[bytes]:
        """Receive the body's messages, within the size limit (see `stream`).

        With a `body_timeout`, a wait of more than that many seconds for the next message is
        a 408 (with `connection: close`): the body is abandoned.
        """
        self._refuse_declared_excess()
        limit = self.max_body_size
        size = 0
        while True:
            message = await self._next_message()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"Request body larger than {limit} bytes")
            yield chunk
            if not message.get("more_body", False):
                return

    def _refuse_declared_excess(self) -> None:
        """A 413 before reading anything when `content-length` declares more than the limit."""
        declared = self._header(b"content-length")
        if declared is not None and _exceeds(declared, self.max_body_size):
            raise HTTPException(413, f"Request body larger than {self.max_body_size} bytes")

    async def _next_message(self) -> Message:
        """The next body message (one the disconnect watcher pushed back first); a wait of
        more than `body_timeout` is a 408 (with `connection: close`), a disconnect raises
        `ClientDisconnect`."""
        rare = self._rare
        timeout = self.body_timeout
        if rare is not None and rare.pushback is not None:
            message: Message = rare.pushback
            rare.pushback = None
        elif timeout is None:
            message = await self._receive()
        else:
            try:
                message = await receive_within(self._receive, timeout)
            except TimeoutError:
                raise HTTPException(
                    408,
                    f"Request body timeout: no body data for {timeout} s",
                    headers={"connection": "close"},
                ) from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnect(f"client disconnected during {self.method} {self.path}")
        return message

    def _header(self, name: bytes) -> str | None:
        """`headers.get(name)` for a lower-case `name`, read from the scope's raw pairs.

        The body path reads two headers; building `Headers` decodes and lower-cases all of
        them, so it looks these up without it (same first match, same latin-1 value).
        """
        for key, value in self.scope["headers"]:
            if key.lower() == name:
                return value.decode("latin-1")  # type: ignore[no-any-return]
        return None

    # --- the end of the response, for the edge and for middleware ---------------

    @property
    def outcome(self) -> BodyOutcome | None:
        """How the response ended, once its body is final; None until then."""
        response: Response | None = getattr(self, "_final", None)
        if response is None:
            return None
        error = response.cut
        return BodyOutcome(response.status_code, error is None, error)

    def on_outcome(self, callback: Callable[[BodyOutcome], None]) -> None:
        """Call `callback(outcome)` once the response body is final (at once if it is).

        Callbacks run in the order given, on the event loop, right after the last body
        message (or the cut); one that raises is logged on `microapi.errors` and the others
        still run. For a streamed response this is after the middleware returned.
        """
        outcome = self.outcome
        if outcome is not None:
            callback(outcome)
            return
        self._rare_state().callbacks.append(callback)

    def _run_callbacks(self) -> None:
        """Run the `on_outcome` callbacks; the edge set `_final` (the response sent) first."""
        rare = self._rare_state()
        if rare.callbacks:
            outcome = self.outcome
            assert outcome is not None
            for callback in rare.callbacks:
                try:
                    callback(outcome)
                except Exception:
                    _errors.exception("on_outcome callback %r failed for %r", callback, self)

    # --- disconnect watching, for a streamed response ------------------------------

    async def wait_disconnect(self) -> None:
        """Return once the client has disconnected; used while a response streams.

        It receives only when no body reader can need the message: after the body was read
        to its end, or for a request that declares no body (no `content-length` or 0, no
        `transfer-encoding`), whose one empty message it keeps as the body. While a reader is
        streaming the body, or a declared body is still unread, it waits for that reader.
        A request whose declared body is never read is therefore not watched (read it, or
        `await request.body()`, before streaming).
        """
        while True:
            body = self._body
            if body is _UNREAD:
                rare = self._rare
                if self._declares_body() or (rare is not None and rare.pushback is not None):
                    # a body is coming (declared, or one already arrived undeclared): its
                    # reader receives it, and this waits for that reader
                    await self._settle()
                    continue
                self._body = _WATCHING
                try:
                    message = await self._receive()
                except BaseException:
                    self._body = _UNREAD
                    self._settled()
                    raise
                if message["type"] == "http.disconnect":
                    self._body = b""
                    self._settled()
                    return
                if message.get("body") or message.get("more_body", False):
                    self._body = _UNREAD
                    self._rare_state().pushback = message
                else:
                    self._body = b""
                self._settled()
                continue
            if body is _STREAMING or body is _WATCHING:
                await self._settle()
                continue
            message = await self._receive()
            if message["type"] == "http.disconnect":
                return

    def _declares_body(self) -> bool:
        headers = self.headers
        length = headers.get("content-length")
        return (length is not None and length.strip("0 ") != "") or "transfer-encoding" in headers

    def _rare_state(self) -> _Rare:
        rare = self._rare
        if rare is None:
            rare = self._rare = _Rare()
        return rare

    async def _settle(self) -> None:
        """Wait until the current body reader (the watcher or `stream()`) is done."""
        rare = self._rare_state()
        if rare.settled is None or rare.settled.done():
            rare.settled = asyncio.get_running_loop().create_future()
        await asyncio.shield(rare.settled)

    def _settled(self) -> None:
        rare = self._rare
        if rare is not None and rare.settled is not None and not rare.settled.done():
            rare.settled.set_result(None)

    async def json(self) -> Any:
        """The body parsed as JSON; invalid JSON is a 400.

        So is what RFC 8259 does not allow and a JSON response could not send back: `NaN`,
        `Infinity`, `-Infinity`, and a lone surrogate, escaped (`"\\ud800"`) or encoded.
        """
        body = await self.body()
        try:
            # Strict decoding, unlike `json.loads` ("surrogatepass"): refuses encoded surrogates.
            text = body.decode(json.detect_encoding(body))
            value = _decode_json(text)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            raise HTTPException(400, f"Invalid JSON body: {exc}") from exc
        # Cheap on the common path: a memchr for a backslash, then a scan only if one is there.
        if "\\" in text and _SURROGATE_ESCAPE(text) and _has_lone_surrogate(value):
            raise HTTPException(400, "Invalid JSON body: a string holds a lone surrogate")
        return value

    def __repr__(self) -> str:
        return f"Request({self.method} {self.path})"


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a parsed JSON value holds a lone surrogate in any string, key or value.

    Iterative, so a body nested as deeply as the parser allows cannot overflow the stack here;
    `json` builds exact dicts, lists and strs, and an ASCII string holds no surrogate.
    """
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() and _SURROGATE(item) is not None:
                return True
        elif kind is dict:
            extend(item)
            extend(item.values())
        elif kind is list:
            extend(item)
    return False


def _exceeds(declared: str, limit: int) -> bool:
    """Whether a `content-length` declares more than `limit` bytes; a non-number never does.

    Only ASCII digits count (`str.isdigit` accepts "\u00b2" too), and lengths are compared
    before `int`, which refuses strings of more than 4300 digits.
    """
    if not (declared.isascii() and declared.isdigit()):
        return False
    digits = declared.lstrip("0")
    return len(digits) > len(str(limit)) or int(digits or "0") > limit
