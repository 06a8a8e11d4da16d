"""JSON for responses: msgspec's encoder, keeping JSON's rules (no NaN, no infinities).

Encoded natively: dicts, lists, tuples, sets (as arrays), str, int, float, bool, None,
dataclasses, TypedDicts, `msgspec.Struct`s, `datetime`, `date`, `time` (ISO 8601), `UUID`,
`Decimal` (as a string, exactly), `Enum` members (by value) and bytes (base64). Pydantic models
are encoded through their own `model_dump(mode="json")` when pydantic is installed. Anything else
is a `TypeError`, which the app answers with a 500.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import msgspec


def _encode_other(value: Any) -> Any:
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


encode_unchecked = msgspec.json.Encoder(enc_hook=_encode_other).encode
"""msgspec's compact UTF-8 JSON, which writes NaN and infinities as `null`: for a caller that
checks as `encode_json` does (a fast path), never on its own."""

NON_FINITE = "NaN and infinities are not valid JSON; send null or a string instead"


def encode_json(content: Any) -> bytes:
    """Compact UTF-8 JSON for `content`; NaN and infinities raise `ValueError`.

    msgspec writes non-finite floats as `null`, so a body holding `null` is checked for them
    (only then: the common body pays one substring search). `responses.to_response` repeats
    these three lines inline (a handler's every value goes through it); change both together.
    """
    body = encode_unchecked(content)
    if b"null" in body and has_non_finite(content):
        raise ValueError(NON_FINITE)
    return body


def has_non_finite(content: Any) -> bool:
    """Whether `content` holds a NaN or an infinity anywhere."""
    stack = [msgspec.to_builtins(content, enc_hook=_encode_other)]
    while stack:
        value = stack.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False
