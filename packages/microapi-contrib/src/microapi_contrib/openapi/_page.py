"""`enable_openapi(app)`: the document at `path`, and a page for people at `docs_path`.

The document is built once, on the first request for it (the app has started by then, so
every route is prepared), and then served from the same bytes. Building it at start-up
instead would need a start-up hook, and a hook would change the app: an app with hooks is no
longer started implicitly by a server that runs without lifespan.
"""

from __future__ import annotations

from typing import Any

import msgspec
from microapi import MicroAPI
from microapi.responses import HTMLResponse, Response

from ._document import openapi_document
from ._html import CSP, render_page


class OpenAPIEndpoints:
    """The handlers behind the document and its page, for one app."""

    def __init__(self, app: MicroAPI, *, path: str, title: str, version: str) -> None:
        self.app = app
        self.path = path
        self.title = title
        self.version = version
        self._body: bytes | None = None

    def document(self) -> dict[str, Any]:
        return openapi_document(self.app, title=self.title, version=self.version)

    def body(self) -> bytes:
        """The encoded document, built on first use and kept."""
        body = self._body
        if body is None:
            body = self._body = msgspec.json.encode(self.document())
        return body

    async def openapi_json(self) -> Response:
        """The OpenAPI document, as JSON."""
        return Response(self.body(), media_type="application/json")

    async def docs_page(self) -> Response:
        """The page that lists the document's operations."""
        response = HTMLResponse(render_page(self.title, self.path))
        response.headers["content-security-policy"] = CSP
        return response


def enable_openapi(
    app: MicroAPI,
    path: str = "/openapi.json",
    docs_path: str | None = "/docs",
    *,
    title: str = "MicroAPI",
    version: str = "0.1.0",
) -> None:
    """Serve `app`'s OpenAPI document on GET `path` and a page listing it on GET `docs_path`
    (None for no page). Call it while declaring the app, before start-up; neither route
    appears in the document."""
    endpoints = OpenAPIEndpoints(app, path=path, title=title, version=version)
    app.add_route(path, endpoints.openapi_json, ["GET"])
    if docs_path is not None:
        app.add_route(docs_path, endpoints.docs_page, ["GET"])


__all__ = ["OpenAPIEndpoints", "enable_openapi"]
