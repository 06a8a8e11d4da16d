"""An app that sets the cookies it is posted and answers with the cookies it is sent.

With the values a cookie must survive a round trip with: set by `Response.set_cookie`, read
back by `Request.cookies`.
"""

from microapi import MicroAPI, Request, Response

ROUND_TRIP_VALUES = [
    "Hello, cookies!",
    "ünï",
    "100%",
    "%41",  # looks percent-encoded already: must not come back as "A"
    "%",
    'a "quoted"\\ value; Path=/x, y=1',
    "emoji \U0001f36a and tab\t",
    "plain-token_123",
    "",
]


def cookie_app() -> MicroAPI:
    app = MicroAPI()

    @app.post("/set")
    async def set_cookie(request: Request) -> Response:
        response = Response(b"")
        for key, value in (await request.json()).items():
            response.set_cookie(key, value)
        return response

    @app.get("/cookies")
    async def cookies(request: Request) -> dict[str, str]:
        return request.cookies

    return app
