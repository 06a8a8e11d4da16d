"""The introspection page in a real browser, with JavaScript off: the route table renders."""

from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import Browser

from tests.server import uvicorn_server

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which PNG requires first."""
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_route_table_renders_without_javascript(browser: Browser, tmp_path: Path) -> None:
    with uvicorn_server("tests.contrib.sample_app:app") as (base, _):
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 1280, "height": 800}
        )
        try:
            page = context.new_page()
            page.goto(base + "/_debug")
            assert page.title() == "MicroAPI introspection"
            rows = page.locator("#routes-table tbody tr")
            cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
            screenshot = tmp_path / "introspection.png"
            page.screenshot(path=str(screenshot), full_page=True)
            middleware = page.locator("#middleware-list li").all_inner_texts()
            scopes = page.locator("#services-table tbody tr td:nth-child(3)").all_inner_texts()
        finally:
            context.close()
    assert [(row[0], row[1]) for row in cells] == [
        ("GET", "/"),
        ("GET", "/_debug"),
        ("POST PUT", "/users"),
        ("GET", "/users/{user_id}"),
    ]
    show_user = cells[3]
    assert show_user[2].startswith(
        "tests.contrib.sample_app:show_user\ntests/contrib/sample_app.py:"
    )
    assert "me ← tests.contrib.sample_app:current_user" in show_user[3]
    assert "session ← tests.contrib.sample_app:Session" in show_user[3]
    assert "not cached" in show_user[3]
    assert [item.split("\n")[0] for item in middleware] == [
        "microapi_contrib._access_log:AccessLogMiddleware",
        "microapi_contrib.cors._middleware:CORSMiddleware",
        "tests.contrib.sample_app:timing",
        "router → handler",
    ]
    assert scopes == ["app", "request"]
    data = screenshot.read_bytes()
    width, height = png_size(data)
    assert width >= 1000
    assert height >= 600
    assert len(data) > 20_000  # a rendered page, not a blank image
