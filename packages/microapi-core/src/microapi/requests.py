"""The incoming request: a lazy view over the ASGI scope and the body stream."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .background import BackgroundTasks
from .datastructures import Address, Headers, QueryParams, parse_cookies
from .exceptions import ClientDisconnect, HTTPException
from .types import Receive, Scope

if TYPE_CHECKING:
    from .routing import Route

_UNREAD = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# Built once (`json.loads` with options builds a decoder per call); it keeps no state.
_decode_json = json.JSONDecoder(parse_constant=_refuse_constant).decode
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

    Two attributes carry what the framework decided about this request, for middleware to
    observe: `background` (the `BackgroundTasks` to run once the response is sent, or None),
    `exception` (the exception that was answered with a 500, or None) and `route` (the
    `microapi.routing.Route` the path matched, or None for a 404 or 405: its `template` is the
    bounded-cardinality name of what was asked, for logs and metrics).
    """

    __slots__ = (
        "_body",
        "_cookies",
        "_headers",
        "_query",
        "_receive",
        "_state",
        "background",
        "exception",
        "max_body_size",
        "path_params",
        "route",
        "scope",
    )

    def __init__(self, scope: Scope, receive: Receive, max_body_size: int = 1 << 20) -> None:
        self.scope = scope
        self._receive = receive
        self.max_body_size = max_body_size
        self.path_params: dict[str, str] = {}
        self._state: SimpleNamespace | None = None
        self._headers: Headers | None = None
        self._query: QueryParams | None = None
        self._cookies: dict[str, str] | None = None
        self._body: Any = _UNREAD
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
        """The whole body; read once, then cached."""
        if self._body is _UNREAD:
            self._body = await self._read_body()
        return self._body  # type: ignore[no-any-return]

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

    async def _read_body(self) -> bytes:
        limit = self.max_body_size
        declared = self.headers.get("content-length")
        if declared is not None and _exceeds(declared, limit):
            raise HTTPException(413, f"Request body larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect(f"client disconnected during {self.method} {self.path}")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"Request body larger than {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

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
