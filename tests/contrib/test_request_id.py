"""Request ids: a usable incoming one kept, others replaced, the header renamed or turned off."""

from __future__ import annotations

import logging
import re

import pytest
from microapi.testing import TestClient

from tests.contrib.access_log_app import access_records, make_app


@pytest.mark.parametrize("incoming", ["abc-123", "7f1c2d9e.trace_span-1", "a" * 128])
def test_a_plain_incoming_request_id_is_kept(incoming: str) -> None:
    with TestClient(make_app()) as client:
        response = client.get("/items/1", headers={"x-request-id": incoming})
    assert response.headers["x-request-id"] == incoming
    assert response.json()["rid"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", 'quote"d', "a" * 129, "caf\u00e9", "span:1", "a/b", "x+y=z", "me@host"],
)
def test_an_unusable_incoming_request_id_is_replaced(incoming: str) -> None:
    with TestClient(make_app()) as client:
        headers = [(b"x-request-id", incoming.encode("latin-1"))]
        response = client.get("/items/1", headers=headers)
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert response.json()["rid"] == generated


def test_generated_ids_differ_per_request() -> None:
    with TestClient(make_app()) as client:
        ids = {client.get("/items/1").headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20


def test_untrusted_incoming_ids_are_ignored() -> None:
    with TestClient(make_app(trust_request_id=False)) as client:
        response = client.get("/items/1", headers={"x-request-id": "from-client"})
    assert response.headers["x-request-id"] != "from-client"
    assert response.json()["rid"] == response.headers["x-request-id"]


def test_another_header_name_or_none(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="microapi.access")
    with TestClient(make_app(request_id_header="X-Correlation-ID")) as client:
        response = client.get("/items/1", headers={"x-correlation-id": "corr-1"})
    assert response.headers["x-correlation-id"] == "corr-1"
    assert "x-request-id" not in response.headers
    with TestClient(make_app(request_id_header=None)) as client:
        response = client.get("/items/1", headers={"x-request-id": "ignored"})
    assert "x-request-id" not in response.headers
    assert response.json()["rid"] != "ignored"  # still an id for handlers and the log
    first = access_records(caplog)[0]
    assert first.request_id == "corr-1"  # type: ignore[attr-defined]
