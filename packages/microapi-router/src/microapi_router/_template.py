"""Parsing route templates and checking method tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ._errors import InvalidMethodError, InvalidTemplateError

__all__ = ["PARAM", "ParsedTemplate", "Shape", "parse_methods", "parse_template"]

# In a shape, a parameter segment is this marker; a static segment is its text.
PARAM: Final = None

# A template's shape: one entry per segment of `template.split("/")`, so entry 0 is always the
# empty text before the leading slash. Equal shapes mean "equal up to parameter names".
Shape = tuple[str | None, ...]

# RFC 9110, section 5.6.2: token = 1*tchar.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_WHOLE_PARAM: Final = re.compile(r"\{([^{}]*)\}")
_PAIRED: Final = re.compile(r"[^{}]*(?:\{[^{}]*\}[^{}]*)+")


@dataclass(frozen=True, slots=True)
class ParsedTemplate:
    template: str
    shape: Shape
    # (name, index into path.split("/")) for each parameter, left to right.
    params: tuple[tuple[str, int], ...]


def parse_template(template: str) -> ParsedTemplate:
    if not isinstance(template, str):
        raise InvalidTemplateError(template, "a template is a str")
    if not template.startswith("/"):
        raise InvalidTemplateError(template, "a template starts with '/'")
    if not template.isascii():
        try:
            template.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidTemplateError(
                template, "a template is text: lone surrogates cannot match any path"
            ) from None
    shape: list[str | None] = []
    params: list[tuple[str, int]] = []
    for index, segment in enumerate(template.split("/")):
        if "{" not in segment and "}" not in segment:
            shape.append(segment)
            continue
        whole = _WHOLE_PARAM.fullmatch(segment)
        if whole is None:
            if _PAIRED.fullmatch(segment):
                reason = f"a parameter must be a whole segment, not part of {segment!r}"
            else:
                reason = f"unbalanced or nested braces in segment {segment!r}"
            raise InvalidTemplateError(template, reason)
        name = whole.group(1)
        if not name:
            raise InvalidTemplateError(template, "empty braces '{}': a parameter needs a name")
        if ":" in name:
            raise InvalidTemplateError(
                template, f"typed parameters like {segment!r} are not supported (yet)"
            )
        if not name.isidentifier():
            raise InvalidTemplateError(
                template, f"parameter name {name!r} is not a Python identifier"
            )
        if any(name == seen for seen, _ in params):
            raise InvalidTemplateError(template, f"parameter name {name!r} is used twice")
        shape.append(PARAM)
        params.append((name, index))
    return ParsedTemplate(template, tuple(shape), tuple(params))


def parse_methods(methods: str | Iterable[str], template: str) -> tuple[str, ...]:
    """The methods of one registration, as given, in order; each must be an HTTP token."""
    listed = [methods] if isinstance(methods, str) else list(methods)
    if not listed:
        raise InvalidMethodError(methods, template, "no method given")
    for method in listed:
        if not isinstance(method, str) or _TOKEN.fullmatch(method) is None:
            raise InvalidMethodError(
                method, template, "a method is an HTTP token (RFC 9110), such as 'GET'"
            )
    return tuple(listed)
