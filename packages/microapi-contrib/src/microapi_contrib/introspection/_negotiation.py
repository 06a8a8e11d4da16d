"""Choosing between the page's HTML and JSON: `?format=` first, then `Accept`."""

from __future__ import annotations

from typing import Literal

from microapi import HTTPException, Request

Format = Literal["html", "json"]
FORMATS: dict[str, Format] = {"html": "html", "json": "json"}
MEDIA_TYPES: dict[Format, str] = {"html": "text/html", "json": "application/json"}


def choose_format(request: Request) -> Format:
    """`?format=json|html` if given (anything else is a 400), else the better `Accept` match.

    A tie, or no `Accept` at all, gives HTML.
    """
    asked = request.query_params.get("format")
    if asked is not None:
        try:
            return FORMATS[asked]
        except KeyError:
            raise HTTPException(400, "format must be 'html' or 'json'") from None
    accept = ",".join(request.headers.getlist("accept")) or "*/*"
    ranges = parse_accept(accept)
    if quality(ranges, MEDIA_TYPES["json"]) > quality(ranges, MEDIA_TYPES["html"]):
        return "json"
    return "html"


def parse_accept(header: str) -> list[tuple[str, float]]:
    """`(media range, q)` pairs of an `Accept` header; malformed entries are skipped."""
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.count("/") != 1:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The q of the most specific range matching `media_type` (`type/sub` > `type/*` > `*/*`)."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for media, q in ranges:
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media, -1)
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]
