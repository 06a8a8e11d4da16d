"""The HTTP rules files are served by: validators, conditional requests, ranges, encodings.

Pure functions over header values and a file's size and modification time; no IO here (the
reading is `responses.FileResponse`'s, the path checks `staticfiles`'). The RFCs they follow:
RFC 9110 section 8.8 (validators), 13 (conditional requests, in its section 13.2.2 order),
14 (ranges), 12.5.3 (accept-encoding), and RFC 6266 / RFC 8187 (content-disposition).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal
from urllib.parse import quote

# An entity tag in a list: W/"..." or "..."; the opaque part is any etagc (no '"').
_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", re.IGNORECASE)
# RFC 8187 attr-char, besides ASCII letters and digits.
_ATTR_CHAR = "!#$&+-.^_`|~"


def etag_for(size: int, mtime_ns: int, suffix: str = "") -> str:
    """A strong entity tag from the file's size and modification time (nanoseconds).

    Strong, because ranges and `If-Range` need one (a weak tag never matches them): a byte
    range served under it must come from the same bytes. Size and nanosecond mtime change
    with every write on the file systems in use; a file rewritten in place with the same size
    within the clock's granularity would keep its tag (as with nginx's and Apache's tags).
    `suffix` tells the representations of one name apart (`-br`, `-gz`).
    """
    return f'"{mtime_ns:x}-{size:x}{suffix}"'


def http_date(timestamp: float) -> str:
    """An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) for a POSIX timestamp."""
    return format_datetime(datetime.fromtimestamp(int(timestamp), UTC), usegmt=True)


def parse_http_date(value: str) -> int | None:
    """The POSIX time of an HTTP-date in any of its three forms; None when it is not one."""
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # the obsolete forms carry no zone: GMT
    return int(parsed.timestamp())


def _tags(value: str) -> list[tuple[bool, str]] | None:
    """The entity tags of a list (weak flag, opaque tag); None when the value is not a list."""
    tags: list[tuple[bool, str]] = []
    position = 0
    while position < len(value):
        match = _ENTITY_TAG.match(value, position)
        if match is None:
            return None if value[position:].strip(" ,") else tags
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
    return tags


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether `If-None-Match` matches `etag`: `*`, or a tag equal under weak comparison."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")[1:-1]
    tags = _tags(if_none_match)
    return tags is not None and any(tag == opaque for _, tag in tags)


Conditional = Literal["not-modified", "go-on"]


def evaluate_conditionals(
    if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: float
) -> Conditional:
    """RFC 9110 section 13.2.2 for GET and HEAD: `If-None-Match` first; when it is absent,
    `If-Modified-Since` (a date that does not parse is ignored). `not-modified` is a 304."""
    if if_none_match is not None:
        return "not-modified" if none_match(if_none_match, etag) else "go-on"
    if if_modified_since is not None:
        since = parse_http_date(if_modified_since)
        if since is not None and int(mtime) <= since:
            return "not-modified"
    return "go-on"


def if_range_allows(if_range: str | None, etag: str, mtime: float) -> bool:
    """Whether a `Range` may be honoured under `If-Range` (RFC 9110 section 13.1.5).

    An entity tag must match strongly (a weak one never does); a date must equal the file's
    `last-modified` exactly. Anything else sends the whole file.
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return not value.startswith("W/") and not etag.startswith("W/") and value == etag
    date = parse_http_date(value)
    return date is not None and date == int(mtime)


ByteRange = tuple[int, int]  # first and last byte positions, inclusive


def parse_range(value: str, size: int) -> ByteRange | Literal["ignore", "unsatisfiable"]:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range against a representation of `size`.

    `ignore` (send the whole file with 200) for anything else: another unit, a syntax error,
    or several ranges (allowed by RFC 9110 section 14.2, and simpler than multipart). A last
    position past the end is clamped; a first position at or past the end, a suffix of 0, or
    any range of an empty file is `unsatisfiable` (a 416).
    """
    match = _RANGE.fullmatch(value)
    if match is None:
        return "ignore"
    first, last = match.groups()
    if not first:
        if not last:
            return "ignore"
        suffix = int(last)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return "ignore"
    if start >= size:
        return "unsatisfiable"
    end = size - 1 if not last else min(int(last), size - 1)
    return (start, end)


def content_disposition(filename: str, kind: str = "attachment") -> str:
    """`attachment; filename="..."`, with `filename*=UTF-8''...` for a non-ASCII name.

    RFC 6266: the plain `filename` is an ASCII fallback (non-ASCII characters become `_`,
    quotes and backslashes are escaped), and the extended `filename*` (RFC 8187) carries the
    real name percent-encoded as UTF-8, which clients that know it prefer.
    """
    fallback = "".join(c if " " <= c <= "~" else "_" for c in filename)
    quoted = fallback.replace("\\", "\\\\").replace('"', '\\"')
    value = f'{kind}; filename="{quoted}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHAR)}"
    return value


def encoding_qualities(accept_encoding: str) -> dict[str, float]:
    """`accept-encoding` as coding -> quality (lower-case; `x-gzip` is `gzip`).

    A malformed quality counts as 0 (refused). RFC 9110 section 12.5.3.
    """
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, raw = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(raw.strip())
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:
                    quality = 0.0
        qualities["gzip" if coding == "x-gzip" else coding] = quality
    return qualities


def accepts(qualities: dict[str, float], coding: str) -> float:
    """The quality the client gives `coding`: its own, else `*`'s, else 0 (not acceptable)."""
    if coding in qualities:
        return qualities[coding]
    return qualities.get("*", 0.0)
