"""The introspection page as a route: `enable_introspection(app, path=...)`."""

from __future__ import annotations

from microapi import HTMLResponse, JSONResponse, MicroAPI, Request, Response

from .._vary import add_vary
from ._data import collect
from ._html import render_html
from ._negotiation import choose_format


class IntrospectionPage:
    """The handler behind the page: gathers the app's facts on each request.

    Read per request (not once), so an active override shows as the provider that runs.
    """

    def __init__(self, app: MicroAPI) -> None:
        self.app = app

    async def respond(self, request: Request) -> Response:
        """HTML or JSON (see `choose_format`), never cached, `Vary: Accept`."""
        wanted = choose_format(request)  # a bad ?format= is a 400 before any work
        info = collect(self.app)
        response: Response
        if wanted == "json":
            response = JSONResponse(info.as_dict())
        else:
            response = HTMLResponse(render_html(info))
        response.headers["cache-control"] = "no-store"
        add_vary(response, "Accept")
        return response


def enable_introspection(app: MicroAPI, path: str = "/_debug") -> None:
    """Serve the introspection page of `app` on GET (and HEAD) `path`.

    Call it while declaring the app, before start-up: afterwards the app is frozen and this
    raises `AppFrozenError`. The page shows the app's inner workings (source paths included):
    enable it in development, or behind authentication.
    """
    app.add_route(path, IntrospectionPage(app).respond, ["GET"])
