"""Request parameters and bodies, converted and validated with msgspec: planned once per route.

At start-up every parameter a route's graph asks for (by marker, or a path parameter by name)
becomes a `Binding`: where to read it, how to convert it, what its default is. Per request,
`Binder.bind` reads and converts them all, and decodes the body straight from bytes, before
any dependency is entered; every invalid parameter is reported at once in one
`RequestValidationError`. This module never calls a handler and never sends anything.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import functools
import inspect
import math
import re
import sys
import types
import typing
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from .exceptions import HTTPException, RequestValidationError
from .params import Param, Source
from .requests import Request

EMPTY: Any = inspect.Parameter.empty

SCALARS: tuple[type, ...] = (
    str,
    int,
    float,
    bool,
    decimal.Decimal,
    uuid.UUID,
    datetime.date,
    datetime.datetime,
    datetime.time,
)
SCALAR_NAMES = "str, int, float, bool, Decimal, UUID, date, datetime, time, an Enum or a Literal"


class BindingError(TypeError):
    """A parameter whose annotation the validation layer cannot convert: a start-up error."""


@dataclass(frozen=True, eq=False)
class Binding:
    """One request parameter a route needs, planned at start-up. Hashed by identity: it is
    also the key under which the converted value is given to the route's request scope."""

    source: Source
    name: str
    key: str
    annotation: Any
    default: Any
    owner: str
    many: bool = False
    convert: Callable[[Any], Any] = field(repr=False, default=str)

    @property
    def required(self) -> bool:
        return self.default is EMPTY

    @property
    def loc(self) -> list[str | int]:
        return [self.source, self.key]


def plan_binding(
    source: Source, name: str, annotation: Any, default: Any, marker: Param | None, owner: str
) -> Binding:
    """The binding of parameter `name` of `owner`; raises `BindingError` for what cannot work."""
    key = marker.key(name) if marker is not None else name
    if source == "body":
        convert = _body_decoder(annotation, name, owner)
        return Binding(source, name, key, annotation, default, owner, False, convert)
    inner, many = _list_item(annotation)
    if many and source not in ("query", "header"):
        raise BindingError(
            f"{owner}: parameter {name!r} is a list, which only Query() and Header() can collect"
        )
    _check_scalar(inner, name, owner)
    convert = _scalar_converter(inner)
    return Binding(source, name, key, annotation, default, owner, many, convert)


def _list_item(annotation: Any) -> tuple[Any, bool]:
    base = _strip(annotation)
    if typing.get_origin(base) in (list, Sequence, tuple) or base is list:
        args = typing.get_args(base)
        if typing.get_origin(base) is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return annotation, False
        item = args[0] if args else str
        return item, True
    return annotation, False


def _split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(annotation) is Annotated:
        return annotation.__origin__, tuple(annotation.__metadata__)
    return annotation, ()


def _check_scalar(annotation: Any, name: str, owner: str) -> None:
    base, _ = _split_annotated(annotation)
    for option in _options(base):
        if option is type(None):
            continue
        if typing.get_origin(option) is Literal:
            continue
        # Exactly these types (msgspec refuses a subclass of str or int at every request), or
        # an Enum of any kind.
        if option in SCALARS or (isinstance(option, type) and issubclass(option, enum.Enum)):
            continue
        raise BindingError(
            f"{owner}: parameter {name!r} is annotated {_show(annotation)}, which a request "
            f"parameter cannot be converted to; use {SCALAR_NAMES} (or T | None, or list[T] "
            "for query parameters and headers)"
        )


def _options(annotation: Any) -> tuple[Any, ...]:
    if annotation is EMPTY or annotation is Any:
        return (str,)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return tuple(
            option for arg in typing.get_args(annotation) for option in _options(_strip(arg))
        )
    return (annotation,)


def _strip(annotation: Any) -> Any:
    return _split_annotated(annotation)[0]


def _scalar_converter(annotation: Any) -> Callable[[Any], Any]:
    """How one string becomes a value of `annotation`: msgspec's conversion, planned once.

    The `Path`/`Query`/... marker is left out of the type msgspec sees (it says where, not
    what; msgspec would hash it on every call), and a plain `int` takes a shortcut for what
    msgspec would accept anyway (ASCII digits, no leading zero).
    """
    target = _without_markers(annotation)
    if target is EMPTY or target is Any or target is str:
        return str
    if target is int:
        return _to_int
    convert = functools.partial(msgspec.convert, type=target, strict=False)
    if _allows_float(target):
        return functools.partial(_finite, convert)
    return convert


def _allows_float(annotation: Any) -> bool:
    return any(option is float for option in _options(_strip(annotation)))


def _finite(convert: Callable[[str], Any], value: str) -> Any:
    """`convert`, refusing `nan` and `inf`: values no JSON response could send back."""
    converted = convert(value)
    if isinstance(converted, float) and not math.isfinite(converted):
        raise msgspec.ValidationError("Expected a finite number")
    return converted


def _to_int(value: str) -> int:
    if value.isdigit() and value.isascii() and (value[0] != "0" or len(value) == 1):
        return int(value)
    converted: int = msgspec.convert(value, int, strict=False)  # or its ValidationError
    return converted


def _without_markers(annotation: Any) -> Any:
    base, metadata = _split_annotated(annotation)
    kept = tuple(item for item in metadata if not isinstance(item, Param))
    if not metadata or len(kept) == len(metadata):
        return annotation
    return Annotated[(base, *kept)] if kept else base


def _show(annotation: Any) -> str:
    base, metadata = _split_annotated(annotation)
    if metadata and all(isinstance(item, Param) for item in metadata):
        annotation = base  # the marker says where, not what: show the type
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")


# --- bodies ---------------------------------------------------------------------------------


def _body_decoder(annotation: Any, name: str, owner: str) -> Callable[[bytes], Any]:
    if annotation is EMPTY:
        annotation = Any
    if _mentions_pydantic(annotation):
        return _pydantic_decoder(annotation)
    try:
        decoder = msgspec.json.Decoder(annotation)
    except TypeError as exc:
        raise BindingError(
            f"{owner}: body parameter {name!r} is annotated {_show(annotation)}, which cannot "
            f"be decoded from JSON ({exc})"
        ) from None
    if not _has_plain_defaults(annotation, set()):
        return decoder.decode
    decode = decoder.decode

    def decode_and_fill(body: bytes) -> Any:
        value = decode(body)
        _fill_defaults(value)
        return value

    return decode_and_fill


def _has_plain_defaults(annotation: Any, seen: set[int]) -> bool:
    """Whether a dataclass with a plain (not factory) default appears in `annotation`.

    msgspec decodes such a dataclass without putting the default in the instance's
    `__dict__` (the class attribute answers reads), so encoding it again would leave the
    field out; `_fill_defaults` puts them back.
    """
    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        fields = dataclasses.fields(annotation)
        if any(f.default is not dataclasses.MISSING for f in fields):
            return True
        try:
            hints = typing.get_type_hints(annotation, include_extras=True)
        except Exception:
            return True  # cannot tell: fill, to be safe
        return any(_has_plain_defaults(hint, seen) for hint in hints.values())
    return any(_has_plain_defaults(arg, seen) for arg in typing.get_args(annotation))


def _fill_defaults(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            own = getattr(item, "__dict__", None)
            for f in dataclasses.fields(item):
                if own is not None and f.name not in own and f.default is not dataclasses.MISSING:
                    own[f.name] = f.default
                stack.append(getattr(item, f.name, None))
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _mentions_pydantic(annotation: Any) -> bool:
    """Whether a pydantic model appears in `annotation` (without importing pydantic)."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        return False
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return True
    return any(_mentions_pydantic(arg) for arg in typing.get_args(annotation))


def _pydantic_decoder(annotation: Any) -> Callable[[bytes], Any]:
    import pydantic  # only reached when the annotation holds a pydantic model

    adapter = pydantic.TypeAdapter(annotation)
    return adapter.validate_json


_JSON_TYPE = re.compile(r"^\s*(application/json|[^/\s;]+/[^\s;]*\+json)\s*(;|$)", re.IGNORECASE)
_PATH_STEP = re.compile(r'\.([^.\[]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*"|\.\.\.)\]')
_AT = re.compile(r" - at `\$(.*)`$")
_MISSING_FIELD = re.compile(r"^Object missing required field `(.+)`$")


def is_json(content_type: str | None) -> bool:
    """Whether a `content-type` names JSON: `application/json` or any `*/*+json`."""
    return content_type is not None and _JSON_TYPE.match(content_type) is not None


# --- the per-route binder ------------------------------------------------------------------


class Binder:
    """Reads, converts and validates a route's parameters and body, all before its plan runs."""

    __slots__ = ("body", "cookies", "headers", "path", "query")

    def __init__(self, bindings: Sequence[Binding]) -> None:
        by_source: dict[str, list[Binding]] = {s: [] for s in ("path", "query", "header", "cookie")}
        bodies = [b for b in bindings if b.source == "body"]
        for binding in bindings:
            if binding.source != "body":
                by_source[binding.source].append(binding)
        if len(bodies) > 1:
            names = ", ".join(f"{b.owner}({b.name})" for b in bodies)
            raise BindingError(f"a route can declare one Body() parameter, not several: {names}")
        self.path = tuple(by_source["path"])
        self.query = tuple(by_source["query"])
        self.headers = tuple(by_source["header"])
        self.cookies = tuple(by_source["cookie"])
        self.body = bodies[0] if bodies else None

    @property
    def reads_anything(self) -> bool:
        """Whether there is any parameter or body to read."""
        return bool(self.path or self.query or self.headers or self.cookies or self.body)

    async def bind(self, request: Request) -> dict[Any, Any]:
        """The converted values keyed by binding; raises `RequestValidationError` (422)."""
        values: dict[Any, Any] = {}
        errors: list[dict[str, Any]] = []
        if self.path:
            _read(self.path, request.path_params, values, errors)
        if self.query:
            _read(self.query, request.query_params, values, errors)
        if self.headers:
            _read(self.headers, request.headers, values, errors)
        if self.cookies:
            _read(self.cookies, request.cookies, values, errors)
        if self.body is not None:
            await _read_body(self.body, request, values, errors)
        if errors:
            raise RequestValidationError(_unique(errors))
        return values


def _read(
    bindings: tuple[Binding, ...], source: Any, values: dict[Any, Any], errors: list[Any]
) -> None:
    for binding in bindings:
        if binding.many:
            raw = source.getlist(binding.key)
            if not raw:
                if binding.required:
                    errors.append(_missing(binding.loc))
                else:
                    default = binding.default
                    values[binding] = list(default) if isinstance(default, list) else default
                continue
            try:
                values[binding] = [binding.convert(item) for item in raw]
            except msgspec.ValidationError as exc:
                errors.append(_invalid(binding.loc, exc))
            continue
        value = source.get(binding.key)
        if value is None:
            if binding.required:
                errors.append(_missing(binding.loc))
            else:
                values[binding] = binding.default
            continue
        try:
            values[binding] = binding.convert(value)
        except msgspec.ValidationError as exc:
            errors.append(_invalid(binding.loc, exc))


async def _read_body(
    binding: Binding, request: Request, values: dict[Any, Any], errors: list[Any]
) -> None:
    body = await request.body()
    if not body:
        if binding.required:
            errors.append(_missing(["body"]))
        else:
            values[binding] = binding.default
        return
    content_type = request._header(b"content-type")  # without building every header
    if not is_json(content_type):
        raise HTTPException(
            415,
            f"Unsupported media type {content_type!r}: send the body as application/json"
            if content_type
            else "Unsupported media type: send the body with content-type: application/json",
        )
    try:
        values[binding] = binding.convert(body)
    except msgspec.ValidationError as exc:
        errors.append(_body_error(exc, body, _without_markers(binding.annotation)))
    except msgspec.DecodeError as exc:
        raise HTTPException(400, f"Invalid JSON body: {exc}") from exc
    except Exception as exc:  # pydantic's ValidationError, without importing pydantic
        if type(exc).__name__ != "ValidationError" or not hasattr(exc, "errors"):
            raise
        _pydantic_errors(exc, errors)


def _unique(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One error per problem: two callables asking for one parameter report it once."""
    seen: set[str] = set()
    kept = []
    for error in errors:
        identity = repr((error["loc"], error["msg"]))
        if identity not in seen:
            seen.add(identity)
            kept.append(error)
    return kept


def _missing(loc: list[str | int]) -> dict[str, Any]:
    return {"loc": loc, "msg": "Field required", "type": "missing"}


def _invalid(loc: list[str | int], exc: msgspec.ValidationError) -> dict[str, Any]:
    message = _AT.sub("", str(exc))
    return {"loc": loc, "msg": message, "type": _kind(message)}


def _kind(message: str) -> str:
    if message.startswith("Expected `") and "`, got `" in message:
        return "type_error"
    if message.startswith("Object missing required field"):
        return "missing"
    if message.startswith("Object contains unknown field"):
        return "extra_forbidden"
    return "value_error"


def _body_error(exc: msgspec.ValidationError, body: bytes, annotation: Any) -> dict[str, Any]:
    text = str(exc)
    at = _AT.search(text)
    message = _AT.sub("", text)
    loc: list[str | int] = ["body"]
    if at is not None:
        loc += _named_keys(_json_path(at.group(1)), body, annotation, message)
    missing = _MISSING_FIELD.match(message)
    if missing is not None:
        loc.append(missing.group(1))
    return {"loc": loc, "msg": message, "type": _kind(message)}


def _named_keys(
    steps: list[str | int], body: bytes, annotation: Any, message: str
) -> list[str | int]:
    """`steps` with msgspec's `...` (a dict key it does not name) replaced by the key.

    Only on the error path: the body is decoded without a type, and the first key of that
    dict whose removal changes the error is the one at fault.
    """
    if "..." not in steps:
        return steps
    at = steps.index("...")
    try:
        document = msgspec.json.decode(body)
        container = document
        for step in steps[:at]:
            container = container[step]
    except (msgspec.DecodeError, KeyError, IndexError, TypeError):
        return steps
    if not isinstance(container, dict):
        return steps
    for key in list(container):
        value = container.pop(key)
        try:
            msgspec.convert(document, annotation)
            still = None
        except msgspec.ValidationError as exc:
            still = str(exc)
        except TypeError:
            return steps
        finally:
            container[key] = value
        if (
            still is None
            or _AT.sub("", still) != message
            or still.count("[...]") < steps.count("...")
        ):
            return [*steps[:at], key, *steps[at + 1 :]]
    return steps


def _json_path(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for name, index, quoted in _PATH_STEP.findall(path):
        if name:
            steps.append(name)
        elif index:
            steps.append(int(index))
        elif quoted == "...":
            steps.append("...")
        else:
            steps.append(msgspec.json.decode(quoted))
    return steps


def _pydantic_errors(exc: Any, errors: list[Any]) -> None:
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            raise HTTPException(400, f"Invalid JSON body: {error.get('msg')}") from exc
        loc = ["body", *error.get("loc", ())]
        errors.append({"loc": loc, "msg": error.get("msg", ""), "type": error.get("type", "")})
