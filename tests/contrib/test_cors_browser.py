"""CORS as a real browser enforces it: headless Chromium calls the app from other origins.

The app runs under uvicorn on one loopback port; pages are served from two other ports, one
allowed and one not. Each check runs `fetch()` in a page and reports what its script could read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.contrib.page_server import page_origin
from tests.server import uvicorn_server

# Runs in the page: a fetch, and what the script could observe of its outcome.
FETCH = """
async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {
      ok: true,
      status: response.status,
      body: await response.text(),
      requestId: response.headers.get("x-request-id"),
      internal: response.headers.get("x-internal"),
    };
  } catch (error) {
    return {ok: false, error: error.name};
  }
}
"""
REFUSED = {"ok": False, "error": "TypeError"}  # what a script sees of a CORS failure


@dataclass(frozen=True)
class Servers:
    api: str
    allowed: str
    other: str
    access_log: Path

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    access_log = tmp_path_factory.mktemp("cors") / "access.log"
    with page_origin() as allowed, page_origin() as other:
        env = {"CORS_ALLOWED_ORIGIN": allowed, "CORS_ACCESS_LOG": str(access_log)}
        with uvicorn_server("tests.contrib.cors_app:app", env=env) as (api, _):
            yield Servers(api, allowed, other, access_log)


@pytest.fixture(scope="module")
def page(browser: Browser, servers: Servers) -> Iterator[Page]:
    """A page on the allowed origin, logged in (the API set a session cookie)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(servers.allowed + "/")
    login = call(page, servers.api + "/login", {"method": "POST", "credentials": "include"})
    assert login["ok"], login
    yield page
    context.close()


def call(page: Page, url: str, init: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FETCH, [url, init or {}])
    return result


def test_credentialed_request_with_a_header_that_needs_a_preflight(
    page: Page, servers: Servers
) -> None:
    init = {"credentials": "include", "headers": {"X-Token": "abc"}}
    result = call(page, servers.api + "/whoami", init)
    assert result["ok"], result
    assert result["status"] == 200
    # The cookie set by /login came along, and so did the header the preflight allowed.
    assert '"session":"s3cret"' in result["body"]
    assert '"token":"abc"' in result["body"]
    assert f'"origin":"{servers.allowed}"' in result["body"]
    assert result["requestId"]  # listed in expose_headers
    assert result["internal"] is None  # not exposed: invisible to the script
    assert any('"OPTIONS /whoami" 204' in line for line in servers.log_lines())


def test_without_credentials_the_cookie_is_not_sent(page: Page, servers: Servers) -> None:
    result = call(page, servers.api + "/whoami", {"credentials": "omit"})
    assert result["ok"], result
    assert '"session":null' in result["body"]


def test_a_header_not_allowed_fails_the_preflight(page: Page, servers: Servers) -> None:
    init = {"credentials": "include", "headers": {"X-Forbidden": "1"}}
    assert call(page, servers.api + "/whoami", init) == REFUSED
    assert any('"OPTIONS /whoami" 403' in line for line in servers.log_lines())


def test_a_method_not_allowed_fails_the_preflight(page: Page, servers: Servers) -> None:
    init = {"method": "DELETE", "credentials": "include"}
    assert call(page, servers.api + "/whoami", init) == REFUSED
    assert not any('"DELETE /whoami"' in line for line in servers.log_lines())


@pytest.mark.parametrize(("path", "status"), [("/boom", 500), ("/missing", 404)])
def test_error_responses_are_readable_by_the_allowed_origin(
    page: Page, servers: Servers, path: str, status: int
) -> None:
    result = call(page, servers.api + path, {"credentials": "include"})
    assert result["ok"], result
    assert result["status"] == status
    assert '"detail"' in result["body"]


def test_another_origin_cannot_read_anything(browser: Browser, servers: Servers) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(servers.other + "/")
        # A simple GET is sent (the server answers it) but the script cannot read the answer.
        assert call(page, servers.api + "/whoami?simple") == REFUSED
        assert any('"GET /whoami?simple" 200' in line for line in servers.log_lines())
        # A preflighted one is stopped before it is sent.
        assert call(page, servers.api + "/whoami?custom", {"headers": {"X-Token": "1"}}) == REFUSED
        assert not any('"GET /whoami?custom"' in line for line in servers.log_lines())
    finally:
        context.close()
