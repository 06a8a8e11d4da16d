"""Merging names into `Vary`."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from microapi import Response
from microapi_contrib._vary import add_vary

NAMES = st.lists(st.sampled_from(["Origin", "origin", "Accept", "ACCEPT", "Cookie", "X-A"]))


def response_with(*vary: str) -> Response:
    response = Response("x")
    for value in vary:
        response.headers.append("vary", value)
    return response


def test_adds_to_nothing() -> None:
    response = response_with()
    add_vary(response, "Origin")
    assert response.headers.getlist("vary") == ["Origin"]


def test_merges_several_fields_and_drops_duplicates_case_insensitively() -> None:
    response = response_with("Accept-Encoding, origin", "Cookie")
    add_vary(response, "Origin", "Accept")
    assert response.headers.getlist("vary") == ["Accept-Encoding, origin, Cookie, Accept"]


def test_star_is_left_alone() -> None:
    response = response_with("*")
    add_vary(response, "Origin")
    assert response.headers.getlist("vary") == ["*"]


@given(existing=NAMES, added=NAMES)
def test_every_name_once_and_idempotent(existing: list[str], added: list[str]) -> None:
    response = response_with(", ".join(existing)) if existing else response_with()
    add_vary(response, *added)
    once = response.headers.getlist("vary")
    add_vary(response, *added)
    assert response.headers.getlist("vary") == once
    listed = [item.strip().lower() for value in once for item in value.split(",")]
    assert len(once) == (1 if listed else 0)
    assert len(listed) == len(set(listed))
    assert set(listed) == {name.lower() for name in existing + added}
