"""Overrides: replacements for dependencies and services, for tests."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, MutableMapping
from types import TracebackType
from typing import Any


class Overrides(MutableMapping[Hashable, Callable[..., Any]]):
    """Target (a `Depends` callable or a service key) -> replacement callable.

    Setting an entry validates the replacement first (a bad one raises and changes nothing);
    every change invalidates the compiled plans, so prepared callables see it on their next call.
    """

    def __init__(
        self,
        check: Callable[[Hashable, Callable[..., Any]], None],
        changed: Callable[[], None],
    ) -> None:
        self._items: dict[Hashable, Callable[..., Any]] = {}
        self._check = check
        self._changed = changed

    def __getitem__(self, target: Hashable) -> Callable[..., Any]:
        return self._items[target]

    def __setitem__(self, target: Hashable, replacement: Callable[..., Any]) -> None:
        self._check(target, replacement)
        self._items[target] = replacement
        self._changed()

    def __delitem__(self, target: Hashable) -> None:
        del self._items[target]
        self._changed()

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Overrides({self._items!r})"

    def _restore(self, target: Hashable, previous: Callable[..., Any] | None) -> None:
        """Put back an earlier state of `target` (a replacement, or none) without re-checking it."""
        if previous is None:
            self._items.pop(target, None)
        else:
            self._items[target] = previous
        self._changed()

    def snapshot(self) -> dict[Hashable, Callable[..., Any]]:
        """A copy of the current entries."""
        return dict(self._items)


class Override:
    """``with container.override(target, replacement):`` -- applied on enter, undone on exit.

    Exit restores exactly what was there before (an earlier replacement or nothing), so nested
    overrides of the same target unwind correctly.
    """

    def __init__(
        self, overrides: Overrides, target: Hashable, replacement: Callable[..., Any]
    ) -> None:
        self._overrides = overrides
        self._target = target
        self._replacement = replacement
        self._saved: list[Callable[..., Any] | None] = []

    def __enter__(self) -> None:
        previous = self._overrides.get(self._target)
        self._overrides[self._target] = self._replacement
        self._saved.append(previous)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._overrides._restore(self._target, self._saved.pop())
