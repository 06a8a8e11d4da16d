"""SPEC 8.3, `app.static(prefix, directory)`: what is served, and that nothing else ever is."""

import asyncio
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from microapi import MicroAPI
from microapi.staticfiles import StaticDirectoryError
from microapi.testing import TestClient

from tests.asgi import Exchange, call, http_scope

SECRET = b"SECRET-OUTSIDE-THE-ROOT-7f3a"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """root/ with files, a subdirectory, precompressed siblings, symlinks in and out."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_bytes(b"<h1>home</h1>")
    (root / "sub" / "a.txt").write_bytes(b"inside a")
    (root / "app.js").write_bytes(b"console.log('plain')")
    (root / "app.js.br").write_bytes(b"BROTLI")
    (root / "app.js.gz").write_bytes(b"GZIP")
    (root / "only.css").write_bytes(b"body{}")
    (root / "only.css.gz").write_bytes(b"GZCSS")
    (root / "out").symlink_to(tmp_path / "secret.txt")
    (root / "outdir").symlink_to(tmp_path)
    (root / "alias.txt").symlink_to(root / "sub" / "a.txt")
    return root


def static_app(root: Path, **kwargs: Any) -> MicroAPI:
    app = MicroAPI()
    app.static("/static", root, **kwargs)

    @app.get("/static/special")
    async def special() -> dict[str, str]:
        return {"route": "wins"}

    return app


def raw_get(app: MicroAPI, raw_path: bytes, headers: Any = ()) -> Exchange:
    async def main() -> Exchange:
        await app.startup()
        try:
            return await call(app, http_scope("GET", raw_path, headers=headers))
        finally:
            await app.shutdown()

    return asyncio.run(asyncio.wait_for(main(), 10))


def test_files_are_served_under_the_prefix(site: Path) -> None:
    with TestClient(static_app(site)) as client:
        response = client.get("/static/index.html")
        assert response.status_code == 200
        assert response.text == "<h1>home</h1>"
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert client.get("/static/sub/a.txt").text == "inside a"
        head = client.head("/static/sub/a.txt")
        assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", "8")
        assert client.get("/static/nope.txt").status_code == 404


def test_get_and_head_only_options_answered_405_otherwise(site: Path) -> None:
    with TestClient(static_app(site)) as client:
        response = client.post("/static/index.html")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
        options = client.options("/static/index.html")
        assert options.status_code == 204
        assert options.headers["allow"] == "GET, HEAD, OPTIONS"


def test_routes_of_the_app_take_precedence(site: Path) -> None:
    (site / "special").write_bytes(b"the file")
    with TestClient(static_app(site)) as client:
        assert client.get("/static/special").json() == {"route": "wins"}


def test_a_directory_is_a_404_without_listing_or_redirect(site: Path) -> None:
    with TestClient(static_app(site)) as client:
        for path in ("/static/sub", "/static/sub/", "/static/", "/static"):
            assert client.get(path, follow_redirects=False).status_code == 404, path


@pytest.mark.parametrize(
    "raw",
    [
        b"/static/../secret.txt",
        b"/static/sub/../index.html",  # would land inside: still refused
        b"/static/./index.html",
        b"/static/%2e%2e/secret.txt",
        b"/static/%2E%2E/secret.txt",
        b"/static/.%2e/secret.txt",
        b"/static/%2e/index.html",
        b"/static/sub%2f..%2f..%2fsecret.txt",
        b"/static/sub%2Fa.txt",  # an encoded slash inside a segment
        b"/static/sub%5ca.txt",  # an encoded backslash
        b"/static/sub\\a.txt",
        b"/static//etc/passwd",
        b"/static/%2fetc%2fpasswd",
        b"/static/C:/secret.txt",
        b"/static/C%3a%5csecret.txt",
        b"/static/index.html%00.txt",
        b"/static/sub//a.txt",
        b"/static/out",  # a symlink leaving the directory
        b"/static/outdir/secret.txt",
    ],
)
def test_no_normalising_and_nothing_outside_the_directory(site: Path, raw: bytes) -> None:
    exchange = raw_get(static_app(site), raw)
    assert exchange.status == 404, raw
    assert SECRET not in exchange.body


def test_a_segment_that_is_not_utf8_is_the_routers_400(site: Path) -> None:
    exchange = raw_get(static_app(site), b"/static/%ff.txt")
    assert exchange.status == 400
    assert SECRET not in exchange.body


def test_a_symlink_that_stays_inside_is_served(site: Path) -> None:
    assert raw_get(static_app(site), b"/static/alias.txt").body == b"inside a"


def test_percent_encoded_ordinary_names_are_decoded(site: Path) -> None:
    (site / "a b.txt").write_bytes(b"spaced")
    assert raw_get(static_app(site), b"/static/a%20b.txt").body == b"spaced"


def test_precompressed_siblings_follow_accept_encoding(site: Path) -> None:
    app = static_app(site)
    cases = [
        ("", b"console.log('plain')", None),
        ("br", b"BROTLI", b"br"),
        ("gzip", b"GZIP", b"gzip"),
        ("gzip, br", b"BROTLI", b"br"),  # a tie: br first
        ("br;q=0.1, gzip;q=0.9", b"GZIP", b"gzip"),
        ("br;q=0, gzip;q=0", b"console.log('plain')", None),  # q=0 refuses
        ("*", b"BROTLI", b"br"),
        ("*;q=0.5, br;q=0", b"GZIP", b"gzip"),
        ("identity", b"console.log('plain')", None),
        ("x-gzip", b"GZIP", b"gzip"),
    ]
    for accept, body, coding in cases:
        headers = [(b"accept-encoding", accept.encode())] if accept else []
        exchange = raw_get(app, b"/static/app.js", headers)
        assert exchange.body == body, accept
        assert exchange.headers.get(b"content-encoding") == coding, accept
        assert exchange.headers[b"vary"] == b"accept-encoding"
        assert exchange.headers[b"content-type"].startswith(b"text/javascript")
        assert exchange.headers[b"content-length"] == b"%d" % len(body)
    only_gz = raw_get(app, b"/static/only.css", [(b"accept-encoding", b"br")])
    assert only_gz.body == b"body{}"
    plain = raw_get(app, b"/static/index.html", [(b"accept-encoding", b"br")])
    assert b"vary" not in plain.headers


def test_each_representation_has_its_own_etag(site: Path) -> None:
    app = static_app(site)
    plain = raw_get(app, b"/static/app.js").headers[b"etag"]
    br = raw_get(app, b"/static/app.js", [(b"accept-encoding", b"br")]).headers[b"etag"]
    assert plain != br


def test_conditionals_and_cache_control(site: Path) -> None:
    app = static_app(site, cache_control="public, max-age=3600")
    with TestClient(app) as client:
        first = client.get("/static/index.html")
        assert first.headers["cache-control"] == "public, max-age=3600"
        again = client.get("/static/index.html", headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["cache-control"] == "public, max-age=3600"
        part = client.get("/static/index.html", headers={"range": "bytes=0-3"})
        assert (part.status_code, part.content) == (206, b"<h1>")


def test_a_missing_directory_is_an_error_naming_it(tmp_path: Path) -> None:
    app = MicroAPI()
    missing = tmp_path / "no-such-dir"
    with pytest.raises(StaticDirectoryError, match="no-such-dir"):
        app.static("/static", missing)
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StaticDirectoryError, match="file"):
        app.static("/static", tmp_path / "file")


@pytest.mark.parametrize("prefix", ["static", "/static/", "/", "/s/{x}"])
def test_a_bad_prefix_is_refused_naming_it(tmp_path: Path, prefix: str) -> None:
    app = MicroAPI()
    with pytest.raises(ValueError, match=f"app.static prefix {re.escape(repr(prefix))}"):
        app.static(prefix, tmp_path)
    assert list(app.router.routes()) == []


# --- fuzzing: no byte from outside the root, whatever the encoding tricks ------------------

TRICKS = [
    "..",
    ".",
    "%2e%2e",
    "%2E%2e",
    ".%2e",
    "%2e",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "\\",
    "%00",
    "",
    "%252e%252e",
    "C:",
    "c%3a",
    "secret.txt",
    "out",
    "outdir",
    "sub",
    "a.txt",
    "index.html",
    "root",
    "%2e%2e%2fsecret.txt",
    "..%2fsecret.txt",
    "..%5csecret.txt",
    "%c0%ae%c0%ae",  # overlong UTF-8 dots
    "%ef%bc%8e%ef%bc%8e",  # fullwidth dots
    "app.js",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(TRICKS), min_size=1, max_size=6),
    st.sampled_from(["/", "%2f", "%2F", "\\", "%5c"]),
)
def test_fuzz_no_byte_outside_the_root_is_ever_sent(
    site: Path, segments: list[str], joiner: str
) -> None:
    raw = ("/static/" + joiner.join(segments)).encode("latin-1")
    app = static_app(site)
    exchange = raw_get(app, raw)
    assert SECRET not in exchange.body
    secret_path = os.path.realpath(site.parent / "secret.txt")
    if exchange.status == 200:
        assert exchange.body in {
            b"<h1>home</h1>",
            b"inside a",
            b"console.log('plain')",
            b"BROTLI",
            b"GZIP",
            b"body{}",
            b"GZCSS",
            b'{"route":"wins"}',
        }, (raw, secret_path)


def test_middleware_sees_every_static_answer_and_may_add_headers(site: Path) -> None:
    """Middleware sees every request (SPEC 8): static 200, HEAD, 304, 404 and 405 included."""
    from microapi import Request, Response

    app = static_app(site)
    seen: list[tuple[str, int]] = []

    async def stamp(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        seen.append((request.method, response.status_code))
        response.headers["x-seen"] = "1"
        return response

    app.add_middleware(stamp)
    with TestClient(app) as client:
        first = client.get("/static/index.html")
        answers = [
            first,
            client.head("/static/index.html"),
            client.get("/static/index.html", headers={"if-none-match": first.headers["etag"]}),
            client.get("/static/missing.txt"),
            client.post("/static/index.html"),
        ]
    assert [a.status_code for a in answers] == [200, 200, 304, 404, 405]
    assert all(a.headers["x-seen"] == "1" for a in answers)
    assert seen == [("GET", 200), ("HEAD", 200), ("GET", 304), ("GET", 404), ("POST", 405)]
