"""Read-only, multi-valued views of headers and query strings; the cookie value encoding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple, TypeVar, overload
from urllib.parse import parse_qsl, quote, unquote

T = TypeVar("T")


class Address(NamedTuple):
    """A network peer: the client or the server of a connection."""

    host: str
    port: int


class Headers(Mapping[str, str]):
    """Request headers: names compare case-insensitively, a name may repeat.

    `headers[name]` is the first value, `getlist(name)` every value in order.
    Values are decoded as latin-1, the encoding HTTP/1.1 fields are defined in.
    """

    __slots__ = ("_items", "raw")

    def __init__(self, raw: list[tuple[bytes, bytes]] | None = None) -> None:
        self.raw: list[tuple[bytes, bytes]] = list(raw or ())
        self._items = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in self.raw]

    def __getitem__(self, key: str) -> str:
        name = key.lower()
        for k, v in self._items:
            if k == name:
                return v
        raise KeyError(key)

    @overload
    def get(self, key: str) -> str | None: ...

    @overload
    def get(self, key: str, default: str | T) -> str | T: ...

    def get(self, key: str, default: object = None) -> object:
        """The first value of `key`, or `default`: one pass, no `KeyError` raised and caught
        (the binder reads every header parameter this way, most of them absent)."""
        name = key.lower()
        for k, v in self._items:
            if k == name:
                return v
        return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        name = key.lower()
        return any(k == name for k, _ in self._items)

    def getlist(self, key: str) -> list[str]:
        """Every value of `key`, in the order received."""
        name = key.lower()
        return [v for k, v in self._items if k == name]

    def multi_items(self) -> list[tuple[str, str]]:
        """All (name, value) pairs, names lower-cased, repeats kept."""
        return list(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k for k, _ in self._items))

    def __len__(self) -> int:
        return len(dict.fromkeys(k for k, _ in self._items))

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class QueryParams(Mapping[str, str]):
    """Query string parameters: `params[key]` is the last value, `getlist(key)` all of them."""

    __slots__ = ("_items", "_last")

    def __init__(self, query: str | bytes = "") -> None:
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        self._items = _split_query(query)
        self._last = dict(self._items)

    def __getitem__(self, key: str) -> str:
        return self._last[key]

    @overload
    def get(self, key: str) -> str | None: ...

    @overload
    def get(self, key: str, default: str | T) -> str | T: ...

    def get(self, key: str, default: object = None) -> object:
        """The last value of `key`, or `default` (one dict lookup: the binder reads every
        query parameter this way)."""
        return self._last.get(key, default)

    def getlist(self, key: str) -> list[str]:
        """Every value of `key`, in the order given."""
        return [v for k, v in self._items if k == key]

    def multi_items(self) -> list[tuple[str, str]]:
        """All (key, value) pairs, repeats kept."""
        return list(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)

    def __repr__(self) -> str:
        return f"QueryParams({self._items!r})"


# RFC 6265 cookie-octets, except "%" which escapes everything else; `quote` always keeps
# letters, digits and "_.-~" besides these.
_COOKIE_SAFE = "!#$&'()*+/:<=>?@[]^`{|}"


def quote_cookie_value(value: str) -> str:
    """Percent-encode (as UTF-8) what is not a cookie-octet, and "%" itself.

    The result is a valid RFC 6265 cookie-value; `unquote_cookie_value` gives `value` back.
    """
    return quote(value, safe=_COOKIE_SAFE)


def unquote_cookie_value(value: str) -> str:
    """Undo `quote_cookie_value`; a "%" not followed by two hex digits is kept as is."""
    return unquote(value) if "%" in value else value


def _split_query(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query, keep_blank_values=True)`, with a shortcut when nothing needs decoding
    (no `%` and no `+`): the same pairs at a fraction of the cost."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def parse_cookies(header: str) -> dict[str, str]:
    """Parse a `Cookie` request header leniently, as browsers send it.

    Values are percent-decoded, the inverse of how `Response.set_cookie` writes them.
    """
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        name, sep, value = chunk.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        cookies[name] = unquote_cookie_value(value)
    return cookies
