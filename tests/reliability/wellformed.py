"""What a well-formed HTTP response, as ASGI messages, looks like."""

from __future__ import annotations

import re

from microapi.types import Message

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+")
_NO_BODY_STATUSES = frozenset({204, 304})


def check_response(sent: list[Message], method: str) -> None:
    """Assert `sent` is one response start, then body messages ending the body, nothing else.

    The body's length matches `content-length` (HEAD: the header is kept, the body is empty).
    """
    kinds = [message["type"] for message in sent]
    assert kinds[:1] == ["http.response.start"], kinds
    assert kinds.count("http.response.start") == 1, kinds
    assert set(kinds[1:]) <= {"http.response.body"}, kinds
    assert len(kinds) >= 2, "the response body was never sent"
    assert all(m.get("more_body", False) for m in sent[1:-1]), "body went on after its end"
    assert not sent[-1].get("more_body", False), "the body was never finished"
    start = sent[0]
    status = start["status"]
    assert isinstance(status, int)
    assert 100 <= status <= 599
    check_headers(start["headers"])
    body = b"".join(m.get("body", b"") for m in sent[1:])
    lengths = [v for k, v in start["headers"] if k == b"content-length"]
    if status in _NO_BODY_STATUSES:
        assert body == b""
        assert lengths == []
        return
    assert len(lengths) == 1, f"expected one content-length, got {lengths}"
    expected = 0 if method == "HEAD" else int(lengths[0])
    assert len(body) == expected


def check_headers(headers: list[tuple[bytes, bytes]]) -> None:
    """Names are lower-case tokens; values never carry CR, LF or NUL."""
    for name, value in headers:
        assert isinstance(name, bytes)
        assert isinstance(value, bytes)
        assert _TOKEN.fullmatch(name), name
        assert not any(c in value for c in b"\r\n\x00"), value
