"""The docs page in a real headless Chromium, offline: every operation of the document listed."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.server import uvicorn_server


def test_the_docs_page_lists_every_operation(browser: Browser) -> None:
    with uvicorn_server("tests.contrib.openapi_app:app") as (base, _):
        doc = httpx.get(base + "/openapi.json").json()
        expected = sorted(
            (method.upper(), path, op.get("summary", ""))
            for path, item in doc["paths"].items()
            for method, op in item.items()
        )
        context = browser.new_context()
        asked: list[str] = []
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda request: asked.append(request.url))
            page.goto(base + "/docs")
            page.wait_for_selector("body[data-loaded]")
            assert page.get_attribute("body", "data-loaded") == str(len(expected))
            sections = page.locator("section.operation")
            listed = sorted(
                (
                    sections.nth(i).get_attribute("data-method") or "",
                    sections.nth(i).locator(".path").inner_text(),
                    sections.nth(i).locator(".summary").inner_text(),
                )
                for i in range(sections.count())
            )
            orders = page.locator('section[data-path="/shop/orders"]')
            parameters = orders.locator("tr.parameter code").all_inner_texts()
            body = orders.locator(".request-body").inner_text()
            responses = orders.locator("tr.response td:first-child").all_inner_texts()
            schemas = page.locator("section.component h3").all_inner_texts()
            title = page.title()
        finally:
            context.close()
    assert listed == expected
    assert title == "Shop · API"
    assert parameters == ["x-tenant", "x-trace", "session"]
    assert "application/json" in body
    assert "#/components/schemas/Order" in body
    assert responses == ["202", "422", "default"]
    assert "Order" in schemas
    assert errors == []
    assert sorted(set(asked)) == [base + "/docs", base + "/openapi.json"]  # nothing else
