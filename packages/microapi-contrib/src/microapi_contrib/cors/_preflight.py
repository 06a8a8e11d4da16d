"""Answering a CORS preflight: an OPTIONS request asking whether the real one may be sent."""

from __future__ import annotations

from microapi import PlainTextResponse, Request, Response

from .._vary import add_vary
from ._policy import CORSPolicy

REQUEST_METHOD = "access-control-request-method"
REQUEST_HEADERS = "access-control-request-headers"


def is_preflight(request: Request) -> bool:
    """An OPTIONS request with `Origin` and `Access-Control-Request-Method`."""
    headers = request.headers
    return request.method == "OPTIONS" and "origin" in headers and REQUEST_METHOD in headers


def answer_preflight(policy: CORSPolicy, request: Request) -> Response:
    """204 with the `Access-Control-Allow-*` headers, or 403 without any of them.

    The refusal's body says what was refused (origin, method or header), for whoever reads
    the network log; the browser itself only sees that the preflight failed.
    """
    origin = request.headers["origin"]
    method = request.headers[REQUEST_METHOD].strip()
    names = requested_headers(request)
    refusal = _refusal(policy, origin, method, names)
    if refusal is not None:
        response: Response = PlainTextResponse(f"CORS preflight refused: {refusal}", 403)
    else:
        response = Response(status_code=204)
        _allow(policy, response, origin, method, names)
    vary = ("Origin",) if policy.varies_by_origin else ()
    add_vary(response, *vary, "Access-Control-Request-Method", "Access-Control-Request-Headers")
    return response


def requested_headers(request: Request) -> list[str]:
    """The header names of `Access-Control-Request-Headers`, lower case, in order."""
    names: dict[str, None] = {}
    for value in request.headers.getlist(REQUEST_HEADERS):
        for name in value.split(","):
            if name.strip():
                names[name.strip().lower()] = None
    return list(names)


def _refusal(policy: CORSPolicy, origin: str, method: str, names: list[str]) -> str | None:
    if not policy.allows_origin(origin):
        return f"origin {origin!r} is not allowed"
    if not policy.allows_method(method):
        return f"method {method!r} is not allowed"
    refused = policy.refused_headers(names)
    if refused:
        return f"header(s) {', '.join(refused)} not allowed"
    return None


def _allow(
    policy: CORSPolicy, response: Response, origin: str, method: str, names: list[str]
) -> None:
    headers = response.headers
    headers["access-control-allow-origin"] = policy.allow_origin_value(origin)
    if policy.credentials:
        headers["access-control-allow-credentials"] = "true"
    # "Any" is answered by echoing what was asked: a literal "*" would not cover
    # credentialed requests or the Authorization header.
    headers["access-control-allow-methods"] = (
        method if policy.methods is None else ", ".join(policy.methods)
    )
    allowed = names if policy.headers is None else list(policy.headers)
    if allowed:
        headers["access-control-allow-headers"] = ", ".join(allowed)
    if policy.max_age is not None:
        headers["access-control-max-age"] = str(policy.max_age)
