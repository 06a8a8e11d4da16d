"""The example app's static front end (`/ui/index.html`) in a real headless Chromium.

The app runs under uvicorn on 127.0.0.1 with its database in a temporary folder; the page,
served by `app.static`, lists the notes and adds one through the notes API.
"""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.contrib.conftest import browser  # noqa: F401 (the shared Chromium fixture)
from tests.server import uvicorn_server


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"NOTES_DATA_DIR": str(tmp_path_factory.mktemp("notes"))}
    with uvicorn_server("examples.app:app", "--log-level", "warning", env=env) as (url, _):
        httpx.post(f"{url}/notes", json={"text": "first note"}, timeout=5).raise_for_status()
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def test_the_page_lists_the_notes_and_adds_one(page: Page, base: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(f"{base}/ui/index.html")
    assert response is not None
    assert response.status == 200
    notes = page.locator("#notes li")
    expect(notes).to_have_text(["first note"])
    page.fill("#text", "from the browser <b>not bold</b>")
    page.click("button[type=submit]")
    expect(notes).to_have_text(["first note", "from the browser <b>not bold</b>"])
    expect(page.locator("#status")).to_have_text("2 notes")
    assert errors == []
    stored = httpx.get(f"{base}/notes", timeout=5).json()
    assert [note["text"] for note in stored] == ["first note", "from the browser <b>not bold</b>"]


def test_the_static_files_are_served_with_validators(base: str) -> None:
    script = httpx.get(f"{base}/ui/app.js", timeout=5)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    again = httpx.get(
        f"{base}/ui/app.js", headers={"if-none-match": script.headers["etag"]}, timeout=5
    )
    assert again.status_code == 304
    assert httpx.get(f"{base}/ui/%2e%2e/app.py", timeout=5).status_code == 404
