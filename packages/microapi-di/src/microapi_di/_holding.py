"""Handing a one-shot run's teardown to its result, for results that outlive the call.

A one-shot run (`AppScope.run`) tears its generators down before returning. Some results need
them a while longer: a lazily produced value that still reads from a session the run opened.
Such a result's class derives from `HoldsTeardown`; the run then leaves its generators set up
and hands them to the result as a `PendingTeardown`, which its owner finishes exactly once.

Only runs that set up at least one generator have anything to hand over, so only their
generated code checks the result (one `isinstance`); every other call is unchanged.
"""

from __future__ import annotations

from typing import Any

from ._errors import ScopeStateError
from ._teardown import Offload, finish_async, finish_offloaded, finish_sync


class PendingTeardown:
    """The generators a one-shot run set up and did not finish, last set up last.

    Finish them with `await finish()` (or `finish_sync()` for a synchronous app scope) exactly
    once, with the error that ended the result's work if one did. The rules are those of a
    scope's exit: generators finish last set up first, an error is thrown into each (so they
    roll back), every one is finished even when another fails, and what is raised afterwards
    follows the same outcome (see the README, "Teardown").
    """

    __slots__ = ("_exits", "_offload")

    def __init__(self, exits: list[Any], offload: Offload | None = None) -> None:
        self._exits: list[Any] | None = exits
        # The run's offload, if it had one: synchronous generators finish through it too.
        self._offload = offload

    @property
    def finished(self) -> bool:
        """Whether `finish` (or `finish_sync`) was called."""
        return self._exits is None

    def _take(self) -> list[Any]:
        exits = self._exits
        if exits is None:
            raise ScopeStateError("this pending teardown was already finished")
        self._exits = None
        return exits

    async def finish(self, error: BaseException | None = None) -> None:
        """Finish every held generator; `error`, if given, is thrown into each.

        Without `error`: returns normally when every generator finished, else raises the one
        teardown error, or a `TeardownError` for several. With `error`: returns normally when
        every generator finished or re-raised it (the caller still holds `error`), else raises
        a `TeardownError` whose `.original` is `error`.
        """
        exits = self._take()
        if self._offload is None:
            await finish_async(exits, error)
        else:
            await finish_offloaded(exits, error, self._offload)

    def finish_sync(self, error: BaseException | None = None) -> None:
        """`finish` for the synchronous app scope, whose generators are all synchronous."""
        finish_sync(self._take(), error)

    def __repr__(self) -> str:
        state = "finished" if self._exits is None else f"{len(self._exits)} pending"
        return f"PendingTeardown({state})"


class HoldsTeardown:
    """Base class of results that keep their one-shot run's dependencies until they are done.

    When `AppScope.run` (or `SyncAppScope.run`) returns an instance and the run set up
    generators, they are not finished: `hold_teardown` is called with them as a
    `PendingTeardown` and the result is returned; whoever owns the result then finishes it.
    A run that set up no generator calls nothing. Inside an explicit request scope
    (``async with app.request()``) nothing changes: the scope's exit finishes everything.
    The class has no slots of its own, so it mixes into any class.
    """

    __slots__ = ()

    def hold_teardown(self, teardown: PendingTeardown) -> None:
        """Keep `teardown` to finish later; called once, right before the run returns."""
        raise NotImplementedError(f"{type(self).__name__} must define hold_teardown()")
