"""The static-files endpoint behind `app.static(prefix, directory)`.

It owns one question: which file under `directory`, if any, a request names. It never serves
anything outside `directory` and never normalises a path: each segment of the request's raw
path after the prefix is percent-decoded on its own and refused (404) when it is empty, `.` or
`..`, holds `/`, `\\`, `:` (a drive or stream name) or NUL (a segment that is not UTF-8 is
the router's 400 before it gets here, and a 404 should one arrive); the file found
must be a regular file whose real path (symlinks resolved) is inside the directory's. A
directory is a 404: no listings, no redirects. Sending the file is `FileResponse`'s job.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from . import _http_files as rules
from .exceptions import HTTPException
from .requests import Request
from .responses import FileResponse, Response, encode_header, guess_media_type

# Precompressed siblings, best first when the client weighs them equally.
_CODINGS = (("br", ".br", "-br"), ("gzip", ".gz", "-gz"))
_REFUSED = frozenset("/\\:\x00")


class StaticDirectoryError(ValueError):
    """`app.static()` was given a directory that does not exist (or is not a directory)."""


class StaticFiles:
    """Serves the regular files under `directory` for the route `prefix + "/{path:path}"`.

    GET and HEAD (the route's methods). A `.br` or `.gz` sibling of the file is sent instead
    when `accept-encoding` accepts that coding (q-values honoured, `q=0` refuses; `br` first
    on a tie), with `content-encoding`; every file that has a sibling is sent with
    `vary: accept-encoding`. `cache_control`, when given, is sent with every file (and 304).
    """

    def __init__(
        self, prefix: str, directory: str | os.PathLike[str], *, cache_control: str | None = None
    ) -> None:
        path = os.fspath(directory)
        if not os.path.isdir(path):
            raise StaticDirectoryError(
                f"app.static({prefix!r}, {path!r}): {os.path.abspath(path)} is not an existing "
                "directory"
            )
        self.prefix = prefix
        self.directory = path
        self.root = os.path.realpath(path)
        self._root_sep = os.path.join(self.root, "")
        self._skip = len(prefix.split("/"))
        self.cache_control = cache_control
        if cache_control is not None:
            encode_header("cache-control", cache_control)  # refused now, not per request

    def endpoint(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route handler: `async def static_files(request) -> Response`."""
        serve = self.serve

        async def static_files(request: Request) -> Response:
            return await serve(request)

        static_files.__qualname__ = f"static_files[{self.directory}]"
        return static_files

    def segments(self, request: Request) -> list[str] | None:
        """The decoded segments after the prefix, or None when the path must be refused."""
        scope = request.scope
        raw = scope.get("raw_path")
        if not raw:
            raw = quote(scope["path"]).encode("ascii")
        raw = raw.split(b"?", 1)[0]
        parts = raw.split(b"/")[self._skip :]
        if not parts:
            return None
        segments = []
        for part in parts:
            try:
                segment = unquote_to_bytes(part).decode("utf-8")
            except UnicodeDecodeError:
                return None
            if not segment or segment in (".", "..") or not _REFUSED.isdisjoint(segment):
                return None
            segments.append(segment)
        return segments

    async def serve(self, request: Request) -> Response:
        segments = self.segments(request)
        if segments is None:
            raise HTTPException(404)
        headers = request.headers
        head = request.method == "HEAD"
        return await asyncio.to_thread(
            self._respond, segments, headers.get("accept-encoding"), request, head
        )

    def _inside(self, path: str) -> tuple[str, os.stat_result] | None:
        """The real path and stat of `path` when it is a regular file under the root's real
        path (symlinks resolved: one that leaves the directory is refused)."""
        real = os.path.realpath(path)
        if not real.startswith(self._root_sep):
            return None
        try:
            info = os.stat(real)
        except OSError:
            return None
        return (real, info) if stat.S_ISREG(info.st_mode) else None

    def _respond(
        self, segments: list[str], accept_encoding: str | None, request: Request, head: bool
    ) -> Response:
        """Find the file and its best sibling, then let the response decide (in a thread)."""
        path = os.path.join(self.root, *segments)
        found = self._inside(path)
        if found is None:
            raise HTTPException(404)
        (chosen, info), coding, suffix = found, None, ""
        siblings = [
            (candidate, tag, sibling)
            for candidate, extension, tag in _CODINGS
            if (sibling := self._inside(path + extension)) is not None
        ]
        if siblings and accept_encoding:
            qualities = rules.encoding_qualities(accept_encoding)
            best = 0.0
            for candidate, tag, sibling in siblings:
                quality = rules.accepts(qualities, candidate)
                if quality > best:
                    best, (chosen, info), coding, suffix = quality, sibling, candidate, tag
        headers: dict[str, str] = {}
        if self.cache_control is not None:
            headers["cache-control"] = self.cache_control
        if siblings:
            headers["vary"] = "accept-encoding"
        if coding is not None:
            headers["content-encoding"] = coding
        response = FileResponse(chosen, headers=headers, media_type=guess_media_type(path))
        response.prepare(request.headers, head, known=info, suffix=suffix)
        return response
