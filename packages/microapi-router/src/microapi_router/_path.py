"""Splitting and percent-decoding request paths."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote_to_bytes

from ._errors import InvalidPathError

__all__ = ["split_and_decode"]

# A '%' that is not followed by two hex digits.
_MALFORMED: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


def split_and_decode(path: str) -> list[str]:
    """Split `path` on '/', then percent-decode each segment as UTF-8.

    The slow path of `Router.match`, taken only when the path contains '%' or a non-ASCII
    character. Characters that are not percent-encoded stand for themselves, except lone
    surrogates from `bytes.decode(..., "surrogateescape")`, which stand for the raw bytes they
    escape; those bytes must then be valid UTF-8 too.
    """
    bad = _MALFORMED.search(path)
    if bad is not None:
        raise InvalidPathError(path, f"malformed percent-encoding at offset {bad.start()}")
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if "%" in segment or not segment.isascii():
            try:
                raw = unquote_to_bytes(segment.encode("utf-8", "surrogateescape"))
                segments[index] = raw.decode("utf-8")
            except UnicodeError:
                raise InvalidPathError(
                    path, f"segment {index} is not valid UTF-8 once percent-decoded"
                ) from None
    return segments
