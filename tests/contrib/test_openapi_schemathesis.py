"""schemathesis against the example app's own document (SPEC 8.5), in process, bounded.

For every operation, a fixed number of generated requests (fixed seed, derandomized) go
through `TestClient`; no response may be a server error, and each must match its documented
status codes, content type, headers and schema. The feature app of the other OpenAPI tests
gets the same treatment, with schema-invalid requests too (which must never be a 5xx).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from microapi import MicroAPI
from microapi.testing import TestClient
from microapi_contrib.openapi import openapi_document
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from examples.app import create_app as create_example_app
from tests.contrib.openapi_app import create_app as create_feature_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 25


def send(client: TestClient, case: Case[Any], *, positive: bool = False) -> None:
    request: dict[str, Any] = case.as_transport_kwargs(base_url=str(client.base_url))
    cookies = request.pop("cookies", None) or {}
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    response = client.request(
        request.pop("method"),
        request.pop("url"),
        params=request.pop("params", None),
        headers=request.pop("headers", None),
        content=request.pop("data", None),
        json=request.pop("json", None),
    )
    assert not request, f"unsent parts of the request: {sorted(request)}"
    # An in-memory transport's response is complete at once: httpx never times it.
    response.elapsed = datetime.timedelta(0)
    # Valid requests must be accepted (2xx, or a declared answer such as a 404 for an unknown id).
    checks = [*CHECKS, positive_data_acceptance] if positive else CHECKS
    case.validate_response(response, checks=checks)


def fuzz(app: MicroAPI, modes: list[GenerationMode]) -> int:
    schema = schemathesis.openapi.from_dict(openapi_document(app))
    sent = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result  # the document is valid: every operation loads
            for mode in modes:
                sent += fuzz_operation(client, result.ok(), mode)
    return sent


def fuzz_operation(client: TestClient, operation: Any, mode: GenerationMode) -> int:
    """Send `EXAMPLES` generated requests for one operation; how many were sent."""
    sent = 0
    positive = mode is GenerationMode.POSITIVE

    @seed(18)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def run(case: Case[Any]) -> None:
        nonlocal sent
        sent += 1
        send(client, case, positive=positive)

    try:
        run()
    except Unsatisfiable:
        # Parameters that accept every value have no invalid requests to make.
        if not positive:
            return sent
        raise
    return sent


def test_the_example_app_conforms_to_its_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_DATA_DIR", str(tmp_path))
    assert fuzz(create_example_app(), [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]) > 0


def test_the_feature_app_conforms_to_its_document() -> None:
    assert fuzz(create_feature_app(), [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]) > 100
