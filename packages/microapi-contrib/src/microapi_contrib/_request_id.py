"""Request ids: the client's `X-Request-ID` when it is safe to log and echo, else a new one."""

from __future__ import annotations

import string
import uuid

MAX_LENGTH = 128
_ALLOWED = frozenset(string.ascii_letters + string.digits + "-_.")


def new_request_id() -> str:
    """A fresh random id: 32 hexadecimal digits (a UUID4 without dashes)."""
    return uuid.uuid4().hex


def is_acceptable(value: str) -> bool:
    """Whether a client-sent id may be reused: 1-128 ASCII letters, digits, `-`, `_` or `.`.

    Anything else (spaces, quotes, control characters, very long values) could forge or
    garble log lines, so it is replaced by a new id instead.
    """
    return 0 < len(value) <= MAX_LENGTH and _ALLOWED.issuperset(value)


def choose_request_id(incoming: str | None) -> str:
    """`incoming` when acceptable, otherwise a new id."""
    if incoming is not None and is_acceptable(incoming):
        return incoming
    return new_request_id()
