"""`TestClient`: the httpx client API over an in-process ASGI transport, no sockets.

It speaks to the app as a server would: `raw_path` and `path`, byte headers
(with `host` and `content-length`), a client address, the lifespan protocol on
enter and exit, and `http.disconnect` once the response is complete.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import unquote

try:
    import httpx
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the installation
    raise ModuleNotFoundError(
        "microapi.testing needs httpx, which microapi-core installs only with its 'testing' "
        "extra: pip install 'microapi-core[testing]'",
        name=missing.name,
    ) from missing

from ._asgi import RAISE_SERVER_EXCEPTIONS, WAIT_BACKGROUND
from .types import ASGIApp, Message

T = TypeVar("T")


class StartupFailed(RuntimeError):
    """The app answered `lifespan.startup.failed`; the message is the app's."""


async def call_app(
    app: ASGIApp,
    request: httpx.Request,
    client: tuple[str, int],
    raise_server_exceptions: bool = True,
) -> httpx.Response:
    """Run one HTTP request through `app` and collect its complete response.

    With `raise_server_exceptions` (the default) the app is asked, through a scope extension,
    to raise a request's unhandled exception once its 500 has been sent, and that exception
    (or any other escaping the app) is re-raised in the test; with False the test gets the 500.
    """
    url = request.url
    raw_path = url.raw_path.split(b"?", 1)[0]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": client,
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        "state": {},
        # A test sees the response once its background tasks are done (a server does not wait).
        "extensions": (
            {RAISE_SERVER_EXCEPTIONS: {}, WAIT_BACKGROUND: {}}
            if raise_server_exceptions
            else {WAIT_BACKGROUND: {}}
        ),
    }
    body = await request.aread()
    complete = asyncio.Event()
    sent_body = False
    start: Message | None = None
    chunks: list[bytes] = []
    finished = False

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await complete.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal start, finished
        if message["type"] == "http.response.start":
            if start is not None:
                raise RuntimeError("the app sent http.response.start twice")
            start = message
        elif message["type"] == "http.response.body":
            if start is None:
                raise RuntimeError("the app sent a body before http.response.start")
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished = True
                complete.set()

    try:
        await app(scope, receive, send)
    except Exception:
        if raise_server_exceptions:
            raise
        return httpx.Response(500, request=request)
    finally:
        complete.set()
    if start is None:
        raise RuntimeError(f"the app returned no response to {request.method} {url}")
    if not finished:
        # As a real client would: a body cut short is an error, not a short complete answer.
        raise httpx.RemoteProtocolError(
            f"the app ended {request.method} {url} without completing the response body "
            "(no final http.response.body message: the stream was cut)",
            request=request,
        )
    # A stream, not `content=`: httpx would add a content-length the app never sent.
    response = httpx.Response(
        start["status"],
        headers=list(start.get("headers", [])),
        stream=httpx.ByteStream(b"".join(chunks)),
        request=request,
    )
    await response.aread()
    return response


def snapshot_overrides(app: object) -> dict[Any, Any] | None:
    """The app's dependency overrides as the client found them (None: the app has none)."""
    overrides = getattr(app, "dependency_overrides", None)
    return None if overrides is None else dict(overrides)


def restore_overrides(app: object, snapshot: dict[Any, Any] | None) -> None:
    """Undo overrides added or removed while the client was open, so none leak out of a test."""
    overrides = getattr(app, "dependency_overrides", None)
    if snapshot is not None and overrides is not None:
        overrides.clear()
        overrides.update(snapshot)


class Lifespan:
    """Drives the app's lifespan protocol as a server does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.started = False
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self._task = asyncio.ensure_future(self.app(scope, self._inbox.get, self._outbox.put))
        await self._inbox.put({"type": "lifespan.startup"})
        reply = await self._reply()
        if reply is None:
            return  # the app does not speak lifespan
        if reply["type"] == "lifespan.startup.failed":
            original = getattr(self.app, "startup_error", None)
            if isinstance(original, BaseException):
                raise original  # the app's own exception, as the test would expect it
            raise StartupFailed(reply.get("message", ""))
        self.started = True

    async def shutdown(self) -> None:
        if not self.started:
            return
        self.started = False
        await self._inbox.put({"type": "lifespan.shutdown"})
        reply = await self._reply()
        if reply is not None and reply["type"] == "lifespan.shutdown.failed":
            raise RuntimeError(f"shutdown failed: {reply.get('message', '')}")

    async def _reply(self) -> Message | None:
        assert self._task is not None
        getter = asyncio.ensure_future(self._outbox.get())
        await asyncio.wait({getter, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if getter.done():
            return getter.result()
        getter.cancel()
        self._task.result()  # re-raise what the app raised
        return None


class _Portal:
    """An event loop in a daemon thread, so synchronous tests can await the app."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result()

    def close(self) -> None:
        """Stop the loop and its thread, and the worker threads `to_thread` started on it."""
        if self.loop.is_closed():
            return
        try:
            self.call(self.loop.shutdown_default_executor)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            self.loop.close()


class _Session:
    """A started app on a portal: what a `TestClient` must stop, holding no reference to it.

    A client used without `with` is stopped by `close()`, or by a finalizer when it is
    garbage-collected, so a dropped client leaves no thread behind and the app's shutdown runs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.overrides = snapshot_overrides(app)
        self.portal = _Portal()
        self.lifespan = Lifespan(app)
        try:
            self.portal.call(self.lifespan.startup)
        except BaseException:
            self.portal.close()
            raise

    def stop(self) -> None:
        restore_overrides(self.app, self.overrides)
        try:
            self.portal.call(self.lifespan.shutdown)
        finally:
            self.portal.close()


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a streamed body is a sync iterator: consume it in the caller's thread
        return self.client._request_in_loop(request)


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, client: AsyncTestClient) -> None:
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.client._request(request)


class TestClient(httpx.Client):
    """A synchronous httpx client wired straight to an ASGI app.

    `with TestClient(app) as client:` runs start-up on enter (raising the app's
    exception, or `StartupFailed`, if it fails) and shutdown on exit. Without
    `with`, start-up runs before the first request and shutdown on `close()`.
    Dependency overrides changed while the client is open are undone when it
    closes, so they cannot leak into the next test.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        client: tuple[str, int] = ("testclient", 50000),
        raise_server_exceptions: bool = True,
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.client_address = client
        self.raise_server_exceptions = raise_server_exceptions
        self._session: _Session | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        super().__init__(transport=_SyncTransport(self), base_url=base_url, **kwargs)

    def __enter__(self) -> Self:
        super().__enter__()
        self._start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        try:
            self._stop()
        finally:
            super().__exit__(exc_type, exc, tb)

    def close(self) -> None:
        try:
            self._stop()
        finally:
            super().close()

    def _start(self) -> _Session:
        if self._session is None:
            self._session = _Session(self.app)
            self._finalizer = weakref.finalize(self, self._session.stop)
        return self._session

    def _stop(self) -> None:
        finalizer, self._finalizer, self._session = self._finalizer, None, None
        if finalizer is not None:
            finalizer()  # runs the session's stop once, and detaches it from garbage collection

    def _request_in_loop(self, request: httpx.Request) -> httpx.Response:
        portal = self._start().portal
        return portal.call(
            lambda: call_app(self.app, request, self.client_address, self.raise_server_exceptions)
        )


class AsyncTestClient(httpx.AsyncClient):
    """The async counterpart of `TestClient`, on the caller's event loop.

    `async with AsyncTestClient(app) as client:` runs start-up and shutdown.
    """

    __test__ = False

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        client: tuple[str, int] = ("testclient", 50000),
        raise_server_exceptions: bool = True,
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.client_address = client
        self.raise_server_exceptions = raise_server_exceptions
        self._lifespan: Lifespan | None = None
        self._overrides: dict[Any, Any] | None = None
        super().__init__(transport=_AsyncTransport(self), base_url=base_url, **kwargs)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._overrides = snapshot_overrides(self.app)
        self._lifespan = Lifespan(self.app)
        await self._lifespan.startup()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        restore_overrides(self.app, self._overrides)
        try:
            if self._lifespan is not None:
                await self._lifespan.shutdown()
        finally:
            await super().__aexit__(exc_type, exc, tb)

    async def _request(self, request: httpx.Request) -> httpx.Response:
        return await call_app(self.app, request, self.client_address, self.raise_server_exceptions)
