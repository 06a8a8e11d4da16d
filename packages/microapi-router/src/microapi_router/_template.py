"""Parsing route templates and checking method tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Final

from ._errors import InvalidMethodError, InvalidTemplateError

__all__ = [
    "PARAM",
    "TAIL",
    "Kind",
    "ParsedTemplate",
    "Shape",
    "parse_methods",
    "parse_template",
]


class Kind(Enum):
    """The kind of a parameter segment in a shape (a static segment is its text instead)."""

    PARAM = "{name}"  # one non-empty segment
    TAIL = "{name:path}"  # the rest of the path, one or more segments, non-empty


# In a shape, a `{name}` segment is this marker, a `{name:path}` segment is `TAIL`, and a static
# segment is its text.
PARAM: Final = Kind.PARAM
TAIL: Final = Kind.TAIL

# A template's shape: one entry per segment of `template.split("/")`, so entry 0 is always the
# empty text before the leading slash. Equal shapes mean "equal up to parameter names".
Shape = tuple[str | Kind, ...]

# The converters a `{name:converter}` segment may name, and the kind each one makes.
_CONVERTERS: Final = {"path": TAIL}

# RFC 9110, section 5.6.2: token = 1*tchar.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_WHOLE_PARAM: Final = re.compile(r"\{([^{}]*)\}")
_PAIRED: Final = re.compile(r"[^{}]*(?:\{[^{}]*\}[^{}]*)+")


@dataclass(frozen=True, slots=True)
class ParsedTemplate:
    template: str
    shape: Shape
    # (name, index into path.split("/")) for each parameter, left to right. A tail parameter is
    # always the last one, and its value is the segments from its index on, joined with "/".
    params: tuple[tuple[str, int], ...]
    # Whether the last parameter is a `{name:path}` tail.
    tail: bool = False


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
    shape: list[str | Kind] = []
    params: list[tuple[str, int]] = []
    segments = template.split("/")
    for index, segment in enumerate(segments):
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
        name, colon, converter = whole.group(1).partition(":")
        if not name and not colon:
            raise InvalidTemplateError(template, "empty braces '{}': a parameter needs a name")
        kind: Kind = PARAM
        if colon:
            found = _CONVERTERS.get(converter)
            if found is None:
                raise InvalidTemplateError(
                    template,
                    f"typed parameters like {segment!r} are not supported (yet); "
                    "the only converter is ':path', as in '{name:path}'",
                )
            kind = found
            if index != len(segments) - 1:
                raise InvalidTemplateError(
                    template,
                    f"a tail parameter {segment!r} must be the last segment: it matches the "
                    "rest of the path",
                )
        if not name:
            raise InvalidTemplateError(template, f"{segment!r} has no name: a parameter needs one")
        if not name.isidentifier():
            raise InvalidTemplateError(
                template, f"parameter name {name!r} is not a Python identifier"
            )
        if any(name == seen for seen, _ in params):
            raise InvalidTemplateError(template, f"parameter name {name!r} is used twice")
        shape.append(kind)
        params.append((name, index))
    tail = bool(shape) and shape[-1] is TAIL
    return ParsedTemplate(template, tuple(shape), tuple(params), tail)


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
