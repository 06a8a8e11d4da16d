"""Responses: a status, headers and a body; each response sends itself (`Response.send`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, Literal
from urllib.parse import quote

from ._json import encode_json
from .datastructures import quote_cookie_value
from .exceptions import InvalidHeaderError
from .types import Send

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
        raw = [encode_header(k, v) for k, v in headers.items()] if headers else []
        if not (raw and any(k == b"content-type" for k, _ in raw)):
            if media_type is not None:
                raw.append(content_type_header(media_type, self.charset))
            elif self._content_type is not None:
                raw.append(self._content_type)
        if status_code >= 200 and status_code not in (204, 304):
            raw.append((b"content-length", b"%d" % len(body)))
        self.raw_headers = raw

    async def send(self, send: Send, *, head: bool = False) -> None:
        """Send this response as ASGI messages: the start, then the body (none for HEAD).

        The one place a response reaches the wire; a streamed or file response overrides it.
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
