"""`receive` under a timeout that costs nothing when the message is already there.

`asyncio.timeout` schedules and cancels a timer on the event loop for every await, which cost
about a fifth of a small JSON request. A server's `receive` usually has the request's body
buffered and returns it without suspending, so the coroutine is run one step first: when it
completes, no timer was needed; when it suspends, the rest of it runs under the timeout, from
where it stopped (what `await` would have done, the first step included).
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Generator
from typing import Any

from .types import Message, Receive


async def receive_within(receive: Receive, timeout: float) -> Message:  # noqa: ASYNC109
    """`await receive()`, raising `TimeoutError` when it waits more than `timeout` seconds."""
    pending = receive()
    if type(pending) is types.CoroutineType:
        try:
            waiting_on = pending.send(None)
        except StopIteration as done:  # it did not wait: no timer to schedule
            message: Message = done.value
            return message
        pending = _resume(pending, waiting_on)
    async with asyncio.timeout(timeout):
        return await pending


@types.coroutine
def _resume(coroutine: Any, waiting_on: Any) -> Generator[Any, Any, Message]:
    """The rest of `coroutine`, which last yielded `waiting_on`, as `yield from` would run it:
    what the task sends or throws in goes on to the coroutine, what it yields goes out."""
    while True:
        try:
            sent = yield waiting_on
        except GeneratorExit:
            coroutine.close()
            raise
        except BaseException as exc:  # a cancellation (the timeout's, too) goes in
            try:
                waiting_on = coroutine.throw(exc)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
        else:
            try:
                waiting_on = coroutine.send(sent)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
