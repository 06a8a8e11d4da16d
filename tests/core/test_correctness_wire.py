"""What reaches the wire and comes back from it: cookies, header values, JSON bodies."""

from collections.abc import Callable

import pytest
from microapi import MicroAPI, Response
from microapi.exceptions import InvalidHeaderError
from microapi.testing import TestClient

CONTROL_CHARACTERS = [chr(c) for c in (*range(0x09), *range(0x0A, 0x20), 0x7F)]
CONTROL_IDS = [f"{ord(c):#04x}" for c in CONTROL_CHARACTERS]


def header_setters() -> list[Callable[[str], Response]]:
    def construct(value: str) -> Response:
        return Response(b"", headers={"x-custom": value})

    def assign(value: str) -> Response:
        response = Response(b"")
        response.headers["x-custom"] = value
        return response

    def append(value: str) -> Response:
        response = Response(b"")
        response.headers.append("x-custom", value)
        return response

    return [construct, assign, append]


@pytest.mark.parametrize("setter", header_setters(), ids=["constructor", "setitem", "append"])
@pytest.mark.parametrize("character", ["\x01", "\x7f"], ids=["0x01", "0x7f"])
def test_control_characters_in_header_values_are_refused(
    setter: Callable[[str], Response], character: str
) -> None:
    with pytest.raises(InvalidHeaderError, match="x-custom"):
        setter(f"a{character}b")


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=CONTROL_IDS)
def test_every_control_character_but_tab_is_refused(character: str) -> None:
    response = Response(b"")
    with pytest.raises(InvalidHeaderError, match="x-custom"):
        response.headers.append("x-custom", f"a{character}b")
    assert "x-custom" not in response.headers


@pytest.mark.parametrize("setter", header_setters(), ids=["constructor", "setitem", "append"])
def test_tab_and_visible_latin_1_are_accepted_in_header_values(
    setter: Callable[[str], Response],
) -> None:
    value = "a\tb c~é\xff"
    assert setter(value).headers["x-custom"] == value


def test_a_control_character_from_a_handler_is_a_500_not_sent() -> None:
    app = MicroAPI()

    @app.get("/")
    async def handler() -> Response:
        return Response(b"", headers={"x-custom": "a\x1bb"})

    with TestClient(app, raise_server_exceptions=False) as client:
        got = client.get("/")
    assert got.status_code == 500
    assert "x-custom" not in got.headers
