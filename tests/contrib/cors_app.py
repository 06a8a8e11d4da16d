"""The app the browser calls cross-origin; the allowed page origin comes from the environment."""

from __future__ import annotations

import logging
import os

from microapi import JSONResponse, MicroAPI, Request, Response
from microapi_contrib import AccessLogMiddleware, CORSMiddleware

# The test reads the access log from this file to see which requests reached the server.
access = logging.getLogger("microapi.access")
access.setLevel(logging.INFO)
access.addHandler(logging.FileHandler(os.environ["CORS_ACCESS_LOG"]))

app = MicroAPI()
app.add_middleware(AccessLogMiddleware())
app.add_middleware(
    CORSMiddleware(
        allow_origins=[os.environ["CORS_ALLOWED_ORIGIN"]],
        allow_methods=["GET", "POST"],
        allow_headers=["x-token"],
        expose_headers=["x-request-id"],
        allow_credentials=True,
    )
)


@app.post("/login")
async def login() -> Response:
    response = JSONResponse({"logged_in": True})
    response.set_cookie("session", "s3cret", httponly=True)
    return response


@app.route("/whoami", methods=["GET", "DELETE"])
async def whoami(request: Request) -> Response:
    body = {
        "session": request.cookies.get("session"),
        "token": request.headers.get("x-token"),
        "origin": request.headers.get("origin"),
    }
    return JSONResponse(body, headers={"x-internal": "not exposed"})


@app.get("/boom")
async def boom() -> None:
    raise RuntimeError("the handler failed")
