"""`CORSPolicy`: a validated CORS configuration, and the decisions it makes per request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

ANY: Literal["*"] = "*"

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ORIGIN = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://"
    r"(?P<host>[^/?#:@\s]+|\[[0-9A-Fa-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class CORSConfigError(ValueError):
    """A CORS configuration that cannot work or would be unsafe; the message says why."""


@dataclass(frozen=True, slots=True)
class CORSPolicy:
    """What the CORS middleware allows. Build it with `CORSPolicy.build(...)`.

    `None` for `origins`, `methods` or `headers` means any. Methods are upper case, header
    names lower case; `origins` are serialized as browsers send them.
    """

    origins: frozenset[str] | None
    methods: tuple[str, ...] | None
    headers: tuple[str, ...] | None
    expose_headers: tuple[str, ...]
    max_age: int | None
    credentials: bool

    @classmethod
    def build(
        cls,
        *,
        allow_origins: Iterable[str] | Literal["*"],
        allow_methods: Iterable[str] | Literal["*"] = ("GET", "HEAD", "POST"),
        allow_headers: Iterable[str] | Literal["*"] = (),
        expose_headers: Iterable[str] | Literal["*"] = (),
        max_age: int | None = 600,
        allow_credentials: bool = False,
    ) -> CORSPolicy:
        """Validate and normalise the options; raises `CORSConfigError` explaining a mistake."""
        origins = _origins(allow_origins)
        if origins is None and allow_credentials:
            raise CORSConfigError(
                "allow_origins='*' cannot be combined with allow_credentials=True: browsers "
                "refuse 'Access-Control-Allow-Origin: *' on requests with cookies, and echoing "
                "every origin instead would let any website act with your users' cookies and "
                "read the answers. List the origins you trust."
            )
        exposed = _names(expose_headers, "expose_headers", str.lower)
        if exposed is None and allow_credentials:
            raise CORSConfigError(
                "expose_headers='*' cannot be combined with allow_credentials=True: for "
                "requests with credentials browsers read '*' as a header literally named '*'. "
                "List the response headers scripts may read."
            )
        if max_age is not None and (isinstance(max_age, bool) or max_age < 0):
            raise CORSConfigError(
                f"max_age must be a number of seconds >= 0 or None, not {max_age!r}"
            )
        return cls(
            origins=origins,
            methods=_names(allow_methods, "allow_methods", str.upper),
            headers=_names(allow_headers, "allow_headers", str.lower),
            expose_headers=("*",) if exposed is None else exposed,
            max_age=max_age,
            credentials=allow_credentials,
        )

    @property
    def varies_by_origin(self) -> bool:
        """Whether answers name the request's origin (so caches must key on `Origin`)."""
        return self.origins is not None or self.credentials

    def allows_origin(self, origin: str) -> bool:
        """Whether `origin` (the request's `Origin` header) may read responses."""
        return self.origins is None or origin in self.origins

    def allow_origin_value(self, origin: str) -> str:
        """The `Access-Control-Allow-Origin` value for an allowed `origin`."""
        return origin if self.varies_by_origin else ANY

    def allows_method(self, method: str) -> bool:
        """Whether a preflight for `method` (compared case-sensitively, as Fetch does) passes."""
        if self.methods is None:
            return bool(_TOKEN.fullmatch(method))
        return method in self.methods

    def refused_headers(self, names: list[str]) -> list[str]:
        """Those of the requested header `names` (lower case) that are not allowed."""
        if self.headers is None:
            return [name for name in names if not _TOKEN.fullmatch(name)]
        return [name for name in names if name not in self.headers]


def _origins(value: Iterable[str] | str) -> frozenset[str] | None:
    items = [value] if isinstance(value, str) else list(value)
    if items == [ANY]:
        return None
    if ANY in items:
        raise CORSConfigError(
            "allow_origins: '*' means any origin and cannot be listed with others"
        )
    return frozenset(_origin(item) for item in items)


def _origin(value: str) -> str:
    """Serialize a configured origin the way browsers send it: lower case, no default port."""
    if value == "null":
        raise CORSConfigError(
            "allow_origins: 'null' is refused: sandboxed iframes, file: pages and redirects all "
            "send 'Origin: null', so allowing it would allow any of them"
        )
    match = _ORIGIN.fullmatch(value)
    if match is None:
        raise CORSConfigError(
            f"allow_origins: {value!r} is not an origin; write scheme://host[:port] with no "
            "path, query or trailing slash, e.g. 'https://app.example.com'"
        )
    scheme, host, port = match["scheme"].lower(), match["host"].lower(), match["port"]
    if port is None:
        return f"{scheme}://{host}"
    if int(port) > 65535:
        raise CORSConfigError(f"allow_origins: {value!r} has a port above 65535")
    if _DEFAULT_PORTS.get(scheme) == str(int(port)):
        return f"{scheme}://{host}"  # browsers leave the scheme's default port out
    return f"{scheme}://{host}:{int(port)}"


def _names(
    value: Iterable[str] | str, option: str, case: Callable[[str], str]
) -> tuple[str, ...] | None:
    items = [value] if isinstance(value, str) else list(value)
    if items == [ANY]:
        return None
    if ANY in items:
        raise CORSConfigError(f"{option}: '*' means any and cannot be listed with others")
    for item in items:
        if not isinstance(item, str) or not _TOKEN.fullmatch(item):
            raise CORSConfigError(f"{option}: {item!r} is not a valid HTTP token")
    return tuple(dict.fromkeys(case(item) for item in items))
