"""`Vary`: name the request headers a response depends on, merged with what is there."""

from __future__ import annotations

from microapi import Response


def add_vary(response: Response, *names: str) -> None:
    """Add `names` to the response's `Vary`, keeping its entries and dropping duplicates.

    Names compare case-insensitively. Several `Vary` headers are merged into one. A `Vary: *`
    already present is left alone: it covers every header.
    """
    headers = response.headers
    merged: dict[str, str] = {}
    for value in headers.getlist("vary"):
        for item in value.split(","):
            if item.strip():
                merged.setdefault(item.strip().lower(), item.strip())
    if "*" in merged:
        return
    for name in names:
        merged.setdefault(name.lower(), name)
    if merged:
        headers["vary"] = ", ".join(merged.values())
