"""Responses: a status, headers and a body; each response sends itself (`Response.send`).

`Response` sends a complete body in one message. `StreamingResponse` overrides `send` to send
chunks as they come and to finish the request's dependencies after the last one (teardown
follows the body); `FileResponse` streams a file with its validators, conditionals and
ranges. They only call the `send` they are given: the edge (`_asgi.py`) is their one caller.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import mimetypes
import os
import re
import stat
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
)
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from microapi_di import HoldsTeardown, PendingTeardown

from . import _http_files as rules
from ._json import NON_FINITE, encode_json, encode_unchecked, has_non_finite
from .datastructures import quote_cookie_value
from .exceptions import ClientDisconnect, HTTPException, InvalidHeaderError
from .types import Send

if TYPE_CHECKING:
    from ._threads import Lane
    from .datastructures import Headers
    from .requests import Request

_errors = logging.getLogger("microapi.errors")

# Every control character but horizontal tab: CR, LF and NUL would let a value forge headers,
# the others are not allowed in a field value (RFC 9110 section 5.5) and confuse parsers.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]").search
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Cookie attributes (RFC 6265 section 4.1.1): a path is printable ASCII but ";", a domain
# letters, digits, "-" and "." (an internationalised name goes in its ASCII "xn--" form).
_COOKIE_PATH = re.compile("[\x20-\x3a\x3c-\x7e]*").fullmatch
_COOKIE_DOMAIN = re.compile("[A-Za-z0-9.-]+").fullmatch
_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


def encode_header(name: str, value: str) -> tuple[bytes, bytes]:
    """Validate and encode one header: a token name, a latin-1 value with no control character.

    Tab is the one control character a value may hold; CR, LF or NUL would let it forge headers.
    """
    if not name or not _TOKEN.issuperset(name):
        raise InvalidHeaderError(f"invalid header name {name!r}")
    if _CONTROL(value) is not None:
        raise InvalidHeaderError(f"header {name!r} has a control character in its value {value!r}")
    try:
        return name.lower().encode("latin-1"), value.encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidHeaderError(f"header {name!r} value {value!r} is not latin-1") from None


def content_type_header(media_type: str, charset: str) -> tuple[bytes, bytes]:
    """The `content-type` header for `media_type`, with a charset for text types."""
    if media_type.startswith("text/") and "charset=" not in media_type:
        media_type += f"; charset={charset}"
    return encode_header("content-type", media_type)


class MutableHeaders(MutableMapping[str, str]):
    """A case-insensitive, validated view over a response's raw header list."""

    __slots__ = ("raw",)

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.raw = raw

    def __getitem__(self, key: str) -> str:
        name = key.lower().encode("latin-1")
        for k, v in self.raw:
            if k == name:
                return v.decode("latin-1")
        raise KeyError(key)

    def __setitem__(self, key: str, value: str) -> None:
        """Replace every header of that name with one."""
        pair = encode_header(key, value)
        self.raw[:] = [(k, v) for k, v in self.raw if k != pair[0]]
        self.raw.append(pair)

    def __delitem__(self, key: str) -> None:
        name = key.lower().encode("latin-1")
        kept = [(k, v) for k, v in self.raw if k != name]
        if len(kept) == len(self.raw):
            raise KeyError(key)
        self.raw[:] = kept

    def append(self, key: str, value: str) -> None:
        """Add a header, keeping any others of the same name (e.g. `set-cookie`)."""
        self.raw.append(encode_header(key, value))

    def getlist(self, key: str) -> list[str]:
        """Every value of `key`, in order."""
        name = key.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self.raw if k == name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k.decode("latin-1") for k, _ in self.raw))

    def __len__(self) -> int:
        return len({k for k, _ in self.raw})


class Response:
    """A complete response: `body` is sent in one piece with a correct `content-length`.

    `headers` are validated on the way in: a value with a control character other than tab
    (CR, LF, NUL, DEL, ...) raises `InvalidHeaderError` here, at construction, rather than
    reaching the wire.
    """

    media_type: str | None = None
    charset = "utf-8"
    # The class's own content-type header, encoded once per class rather than per response.
    _content_type: tuple[bytes, bytes] | None = None
    # What cut the body short (a stream's error or disconnect); a complete response: None.
    cut: BaseException | None = None

    __slots__ = ("body", "raw_headers", "status_code")

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if cls.media_type is not None:
            cls._content_type = content_type_header(cls.media_type, cls.charset)

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status_code = status_code
        body = self.body = self.render(content)
        raw = self._header_list(headers, media_type)
        if status_code >= 200 and status_code not in (204, 304):
            raw.append((b"content-length", b"%d" % len(body)))
        self.raw_headers = raw

    def _header_list(
        self, headers: Mapping[str, str] | None, media_type: str | None
    ) -> list[tuple[bytes, bytes]]:
        """The validated headers given, with a content type unless they hold one."""
        raw = [encode_header(k, v) for k, v in headers.items()] if headers else []
        if not (raw and any(k == b"content-type" for k, _ in raw)):
            if media_type is not None:
                raw.append(content_type_header(media_type, self.charset))
            elif self._content_type is not None:
                raw.append(self._content_type)
        return raw

    async def send(self, send: Send, *, head: bool = False, request: Request | None = None) -> None:
        """Send this response as ASGI messages: the start, then the body (none for HEAD).

        How a response reaches the wire (the edge sends a complete body the same way inline,
        for speed, when a class keeps this method); a streamed or file response overrides it
        (and uses `request`: its headers, its disconnect, its outcome).
        """
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": b"" if head else self.body})

    def render(self, content: Any) -> bytes:
        """Turn the content given to the constructor into the body bytes."""
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode(self.charset)
        raise TypeError(f"{type(self).__name__} content must be bytes or str, not {type(content)}")

    @property
    def headers(self) -> MutableHeaders:
        """The response headers, editable until the response is sent."""
        return MutableHeaders(self.raw_headers)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        max_age: int | None = None,
        expires: datetime | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        """Add a `Set-Cookie` header; `request.cookies` reads `value` back unchanged.

        The value is percent-encoded as UTF-8 where it is not an RFC 6265 cookie-octet (and
        "%" itself), so any string is sent as a valid cookie. A `key` that is not a token, or a
        `path`, `domain` or `samesite` that could add attributes, raises `InvalidHeaderError`
        and adds no header.
        """
        if not key or not _TOKEN.issuperset(key):
            raise InvalidHeaderError(f"cookie key {key!r} is not an HTTP token")
        if path is not None and not _COOKIE_PATH(path):
            raise InvalidHeaderError(
                f"cookie path {path!r} may only hold printable ASCII characters other than ';'"
            )
        if domain is not None and not _COOKIE_DOMAIN(domain):
            raise InvalidHeaderError(
                f"cookie domain {domain!r} may only hold ASCII letters, digits, '-' and '.'"
            )
        if samesite is not None and samesite.lower() not in _SAMESITE:
            raise InvalidHeaderError(
                f"cookie samesite {samesite!r} is not one of 'lax', 'strict' or 'none'"
            )
        parts = [f"{key}={quote_cookie_value(value)}"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if expires is not None:
            parts.append(f"Expires={format_datetime(expires.astimezone(UTC), usegmt=True)}")
        if path is not None:
            parts.append(f"Path={path}")
        if domain is not None:
            parts.append(f"Domain={domain}")
        if secure:
            parts.append("Secure")
        if httponly:
            parts.append("HttpOnly")
        if samesite is not None:
            parts.append(f"SameSite={_SAMESITE[samesite.lower()]}")
        self.raw_headers.append(encode_header("set-cookie", "; ".join(parts)))

    def delete_cookie(self, key: str, *, path: str = "/", domain: str | None = None) -> None:
        """Tell the client to drop a cookie by expiring it."""
        past = datetime.now(UTC) - timedelta(days=1)
        self.set_cookie(key, max_age=0, expires=past, path=path, domain=domain)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code})"


class PlainTextResponse(Response):
    """A `text/plain; charset=utf-8` response."""

    media_type = "text/plain"
    __slots__ = ()


class HTMLResponse(Response):
    """A `text/html; charset=utf-8` response."""

    media_type = "text/html"
    __slots__ = ()


class JSONResponse(Response):
    """A JSON body, compact and UTF-8, refusing NaN and infinities (not valid JSON).

    Encoded with msgspec: dataclasses, TypedDicts, Structs, pydantic models, datetimes, dates,
    UUIDs, Decimals (as strings) and Enums (by value) anywhere inside the content too.
    """

    media_type = "application/json"
    __slots__ = ()

    def render(self, content: Any) -> bytes:
        return encode_json(content)


def to_response(content: Any, status_code: int = 200) -> Response:
    """A handler's return value as its response: a `Response` as it is; anything else as
    `JSONResponse(content, status_code)`, built directly.

    Every request of a JSON route comes through here, in one call: it skips what the
    constructor checks for headers the caller could pass (there are none, the content type is
    the class's own, encoded once, and only the length is new) and encodes as `encode_json`
    does, inline. `status_code` has a body (>= 200, not 204/304).
    """
    if isinstance(content, Response):
        return content
    body = encode_unchecked(content)
    if b"null" in body and has_non_finite(content):
        raise ValueError(NON_FINITE)
    response = _new(JSONResponse)
    response.status_code = status_code
    response.body = body
    response.raw_headers = [_JSON_CONTENT_TYPE, (b"content-length", b"%d" % len(body))]
    return response


_new = object.__new__


_JSON_CONTENT_TYPE = content_type_header(JSONResponse.media_type, JSONResponse.charset)


class RedirectResponse(Response):
    """A redirect (307 by default, which keeps the method and body) to `url`."""

    __slots__ = ()

    def __init__(
        self,
        url: str,
        status_code: int = 307,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(b"", status_code, headers)
        self.headers["location"] = quote(url, safe=":/%#?=@[]!$&'()*+,;~")


class StreamNotStarted(Exception):
    """Raised by a streamed response's `send` when it failed before sending anything.

    Its `error` is answered like a handler's failure (a 500, or its `HTTPException`; a
    `TeardownError` when teardown failed too); the dependencies already saw it.
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


_END = object()


def _next(iterator: Iterator[Any]) -> Any:
    return next(iterator, _END)


class _InThread:
    """A synchronous iterator advanced in a worker thread, one `next` at a time.

    With the request's `Lane` (a plain handler's request keeps its worker until the body's
    teardown), on that very thread, where its request-scoped sync session was opened;
    otherwise in the loop's default executor. A cancelled `next` keeps running in its thread;
    `aclose` waits for it before closing the iterator (a generator cannot be closed while it
    runs), also in that thread.
    """

    __slots__ = ("_context", "_iterator", "_lane", "_pending")

    def __init__(self, iterable: Iterable[Any], lane: Lane | None) -> None:
        self._iterator = iter(iterable)
        self._lane = lane
        self._pending: asyncio.Future[Any] | None = None
        self._context = contextvars.copy_context()

    def _in_thread(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        if self._lane is None:
            return asyncio.get_running_loop().run_in_executor(None, self._context.run, fn, *args)
        return asyncio.ensure_future(self._lane(self._context.run, fn, *args))

    def __aiter__(self) -> _InThread:
        return self

    async def __anext__(self) -> Any:
        future = self._in_thread(_next, self._iterator)
        self._pending = future
        value = await asyncio.shield(future)
        self._pending = None
        if value is _END:
            raise StopAsyncIteration
        return value

    async def aclose(self) -> None:
        if self._pending is not None and not self._pending.done():
            await asyncio.wait([self._pending])
        close = getattr(self._iterator, "close", None)
        if close is not None:
            await self._in_thread(close)


class StreamingResponse(Response, HoldsTeardown):
    """A body sent as it is produced, from an async or sync iterable of `bytes` or `str`.

    Each chunk is sent as it comes (never gathered), with no `content-length` unless one is
    given; a sync iterable is advanced in a worker thread. Status and headers stay editable
    until sending starts (middleware may change them), which is when the first chunk is
    ready: a stream that fails before its first chunk is answered like a failed handler.
    HEAD sends the headers only and never iterates. A client disconnect stops the iteration
    and closes the iterator (`aclose()` / `close()`, so a generator's `finally` runs).

    Teardown follows the body: returned by a handler, it holds the request's dependencies
    (`microapi_di.HoldsTeardown`) and finishes them after the last chunk, so a stream may read
    from a request-scoped session. A failure after the first chunk (a disconnect too) is
    logged on `microapi.errors`, cuts the stream (the final body message is never sent: the
    client sees an incomplete response) and is thrown into the dependencies (they roll back);
    a teardown that fails after the last chunk cuts it the same way. Only a body that
    completed runs the background tasks.
    """

    __slots__ = ("content", "cut", "teardown")

    def __init__(
        self,
        content: AsyncIterable[bytes | str] | Iterable[bytes | str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        if isinstance(content, bytes | str) or not (
            hasattr(content, "__aiter__") or hasattr(content, "__iter__")
        ):
            raise TypeError(
                f"{type(self).__name__} content must be an async or sync iterable of bytes or "
                f"str, not {type(content).__name__}"
            )
        self.content = content
        self.status_code = status_code
        self.body = b""
        self.cut: BaseException | None = None
        self.teardown: PendingTeardown | None = None
        self.raw_headers = self._header_list(headers, media_type)

    def hold_teardown(self, teardown: PendingTeardown) -> None:
        """Keep the request's dependencies open until the body is final (see the class)."""
        self.teardown = teardown

    async def send(self, send: Send, *, head: bool = False, request: Request | None = None) -> None:
        """Send the start with the first chunk, each chunk as it comes, then the end.

        Raises `StreamNotStarted` when it fails before anything was sent.
        """
        if head:
            await _close(self.content)
            await self._finish_unstarted(None)
            await send(self._start())
            await send({"type": "http.response.body", "body": b""})
            return
        lane = None if request is None else request._lane
        await self._stream(send, request, _iterate(self.content, lane))

    def _start(self) -> dict[str, Any]:
        return {
            "type": "http.response.start",
            "status": self.status_code,
            "headers": self.raw_headers,
        }

    async def _finish_unstarted(self, error: Exception | None) -> None:
        """Finish the dependencies before anything was sent; raise to have it answered."""
        if error is not None:
            self.cut = error
        teardown = self.teardown
        if teardown is not None:
            try:
                await teardown.finish(error)
            except Exception as failure:  # a failed commit, or a TeardownError
                self.cut = failure
                raise StreamNotStarted(failure) from None
        if error is not None:
            raise StreamNotStarted(error)

    async def _stream(
        self, send: Send, request: Request | None, iterator: AsyncIterator[Any]
    ) -> None:
        """The streaming loop, with the disconnect watcher cancelling it when the client goes."""
        task = asyncio.current_task()
        assert task is not None
        watching = [True]  # while true, a disconnect cancels this task (only inside the loop)
        gone: list[ClientDisconnect] = []

        def disconnected(watcher: asyncio.Future[None]) -> None:
            if watching[0] and not watcher.cancelled() and watcher.exception() is None:
                gone.append(ClientDisconnect("client disconnected while the response streamed"))
                task.cancel()

        watcher: asyncio.Task[None] | None = None
        if request is not None:
            watcher = asyncio.ensure_future(request.wait_disconnect())
            watcher.add_done_callback(disconnected)
        started = False
        error: Exception | None = None
        charset = self.charset
        try:
            async for chunk in iterator:
                if type(chunk) is not bytes:
                    chunk = _encode_chunk(chunk, charset)
                if not started:
                    started = True
                    await send(self._start())
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except asyncio.CancelledError:
            watching[0] = False
            if not gone:
                raise
            task.uncancel()
            error = gone[0]
        except Exception as exc:
            error = exc
        finally:
            watching[0] = False
            if watcher is not None:
                watcher.remove_done_callback(disconnected)
                watcher.cancel()
        if error is not None:
            await _close(iterator)
            if not started:
                await self._finish_unstarted(error)
            await self._cut(request, error)
            return
        if not started:  # an empty stream: nothing sent yet, so teardown can still be answered
            await self._finish_unstarted(None)
            await send(self._start())
            await send({"type": "http.response.body", "body": b""})
            return
        teardown = self.teardown
        if teardown is not None:
            try:
                await teardown.finish(None)
            except Exception as failure:
                self._log_cut(request, failure, "teardown failed after the last chunk")
                self.cut = failure
                return
        await send({"type": "http.response.body", "body": b""})

    async def _cut(self, request: Request | None, error: Exception) -> None:
        """The stream failed after its start: log, throw into the dependencies, send no end."""
        self.cut = error
        if isinstance(error, ClientDisconnect):
            _errors.warning("%s: stream cut, the client disconnected", _where(request))
        else:
            self._log_cut(request, error, "stream cut after its first chunk")
            if request is not None:
                request.exception = error
        if request is not None:
            request.background = None
        teardown = self.teardown
        if teardown is not None:
            try:
                await teardown.finish(error)
            except Exception as failure:
                self._log_cut(request, failure, "teardown also failed")

    def _log_cut(self, request: Request | None, error: BaseException, what: str) -> None:
        _errors.error("%s: %s: %s", _where(request), what, type(error).__name__, exc_info=error)
        if request is not None:
            request.background = None


def _where(request: Request | None) -> str:
    return "streamed response" if request is None else f"{request.method} {request.path}"


def _encode_chunk(chunk: Any, charset: str) -> bytes:
    if isinstance(chunk, str):
        return chunk.encode(charset)
    if isinstance(chunk, bytes | bytearray | memoryview):
        return bytes(chunk)
    raise TypeError(f"a streamed chunk must be bytes or str, not {type(chunk).__name__}")


def _iterate(content: Any, lane: Lane | None) -> AsyncIterator[Any]:
    if hasattr(content, "__aiter__"):
        return aiter(content)
    return _InThread(content, lane)


async def _close(iterator: Any) -> None:
    """Close an iterator the way its kind is closed: `aclose()` or `close()`."""
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()
        return
    close = getattr(iterator, "close", None)
    if close is not None:
        await asyncio.to_thread(close)


CHUNK_SIZE = 64 * 1024


class _FilePlan:
    """What a `FileResponse` sends, decided in one worker-thread visit."""

    __slots__ = ("body", "first", "last", "path")

    def __init__(self, path: str, body: bytes | None, first: int = 0, last: int = -1) -> None:
        self.path = path
        self.body = body  # the whole body when it was small enough (or empty); else None
        self.first = first
        self.last = last


class FileResponse(StreamingResponse):
    """A file, streamed in chunks read off the event loop; memory does not grow with it.

    Sets `content-type` (guessed from the name when `media_type` is not given),
    `content-length`, `last-modified`, a strong `etag` (size and nanosecond mtime),
    `accept-ranges: bytes`, and `content-disposition: attachment` when `filename` is given
    (RFC 6266; a non-ASCII name also as `filename*=UTF-8''...`). For status 200 it answers
    `If-None-Match` (weak comparison; it wins over `If-Modified-Since`) and `If-Modified-Since`
    with 304, a single `Range: bytes=...` with 206 and `content-range` (honouring `If-Range`),
    an unsatisfiable range with 416 and `content-range: bytes */size`; several ranges get the
    whole file with 200.

    The file is looked at when the response is sent, not when it is built (no IO in the
    handler): a missing file, or a directory, raises a 404 `HTTPException` then, which is
    answered like a handler's (exception handlers apply). So `status_code` and the headers
    above are final only once it is sent; `request.outcome` has the status that was sent.
    """

    __slots__ = ("_plan", "_stat", "path")

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        filename: str | None = None,
    ) -> None:
        self.path = os.fspath(path)
        if media_type is None:
            media_type = guess_media_type(filename or self.path)
        super().__init__((), status_code, headers, media_type)
        if filename is not None:
            self.raw_headers.append(
                encode_header("content-disposition", rules.content_disposition(filename))
            )
        self._stat: os.stat_result | None = None
        self._plan: _FilePlan | None = None

    def prepare(
        self,
        headers: Headers | None,
        head: bool,
        *,
        known: os.stat_result | None = None,
        suffix: str = "",
    ) -> None:
        """Look at the file and decide what to send (blocking: call it in a worker thread).

        `send` calls it unless it was called already (`staticfiles` does, in its own thread
        visit); `known` is a stat already taken of the path, `suffix` tells its etag apart.
        """
        info = known
        if info is None:
            try:
                info = os.stat(self.path)
            except (FileNotFoundError, NotADirectoryError):
                raise HTTPException(404) from None
        if not stat.S_ISREG(info.st_mode):
            raise HTTPException(404)
        size = info.st_size
        etag = rules.etag_for(size, info.st_mtime_ns, suffix)
        mtime = info.st_mtime
        raw = self.raw_headers
        names = {k for k, _ in raw}
        if b"last-modified" not in names:
            raw.append((b"last-modified", rules.http_date(mtime).encode("latin-1")))
        if b"etag" not in names:
            raw.append((b"etag", etag.encode("latin-1")))
        else:
            etag = self.headers["etag"]
        if self.status_code != 200:
            self._set_plan(size, 0, size - 1, head)
            return
        get = headers.get if headers is not None else _no_header
        if (
            rules.evaluate_conditionals(get("if-none-match"), get("if-modified-since"), etag, mtime)
            == "not-modified"
        ):
            self.status_code = 304
            self.raw_headers = [(k, v) for k, v in raw if k not in _NOT_IN_304]
            self._plan = _FilePlan(self.path, b"")
            return
        raw.append((b"accept-ranges", b"bytes"))
        requested = get("range")
        if (
            requested is not None
            and not head
            and rules.if_range_allows(get("if-range"), etag, mtime)
        ):
            found = rules.parse_range(requested, size)
            if found == "unsatisfiable":
                self.status_code = 416
                raw.append((b"content-range", b"bytes */%d" % size))
                raw.append((b"content-length", b"0"))
                self._plan = _FilePlan(self.path, b"")
                return
            if found != "ignore":
                first, last = found
                self.status_code = 206
                raw.append((b"content-range", b"bytes %d-%d/%d" % (first, last, size)))
                self._set_plan(size, first, last, head)
                return
        self._set_plan(size, 0, size - 1, head)

    def _set_plan(self, size: int, first: int, last: int, head: bool) -> None:
        length = last - first + 1
        self.raw_headers.append((b"content-length", b"%d" % length))
        if head or length <= 0:
            self._plan = _FilePlan(self.path, b"")
        elif length <= CHUNK_SIZE:
            with open(self.path, "rb") as file:
                file.seek(first)
                self._plan = _FilePlan(self.path, file.read(length))
        else:
            self._plan = _FilePlan(self.path, None, first, last)

    async def send(self, send: Send, *, head: bool = False, request: Request | None = None) -> None:
        if self._plan is None:
            headers = request.headers if request is not None else None
            try:
                await asyncio.to_thread(self.prepare, headers, head)
            except Exception as error:  # a 404, or the file could not be read
                await self._finish_unstarted(error)
        plan = self._plan
        assert plan is not None
        if plan.body is not None:  # complete: teardown before sending, as for any response
            await self._finish_unstarted(None)
            await send(self._start())
            await send({"type": "http.response.body", "body": b"" if head else plan.body})
            return
        await self._stream(send, request, _read_chunks(plan.path, plan.first, plan.last))


def guess_media_type(name: str) -> str:
    """The media type for a file name (`mimetypes`); `application/octet-stream` if unknown.

    A compressed name (`x.tar.gz`, `app.js.br`) is the compressed file itself, not its content
    under a `content-encoding`: `application/gzip`, or `application/octet-stream`.
    """
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if encoding is not None:
        return "application/gzip" if encoding == "gzip" else "application/octet-stream"
    return guessed or "application/octet-stream"


_NOT_IN_304 = frozenset({b"content-type", b"content-length", b"content-disposition"})


def _no_header(name: str) -> None:
    return None


async def _read_chunks(path: str, first: int, last: int) -> AsyncIterator[bytes]:
    """The bytes `first` to `last` of the file, in chunks each read in a worker thread."""
    file = await asyncio.to_thread(open, path, "rb")
    try:
        if first:
            await asyncio.to_thread(file.seek, first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = await asyncio.to_thread(file.read, min(CHUNK_SIZE, remaining))
            if not chunk:
                raise OSError(f"{path} ended {remaining} bytes early: it changed while sent")
            remaining -= len(chunk)
            yield chunk
    finally:
        await asyncio.to_thread(file.close)
