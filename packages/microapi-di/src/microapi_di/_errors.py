"""The errors the container raises; every one is a `DIError`."""

from __future__ import annotations


class DIError(Exception):
    """Base class of every error raised by `microapi_di`."""


class ResolutionError(DIError):
    """A callable's dependency graph cannot be resolved.

    Raised when a callable is prepared (or a service registered, or an app scope entered), so a
    broken graph shows up at start-up rather than on the first call. `chain` lists the hops from
    the prepared callable to the failing parameter, each as ``function(parameter)``.
    """

    def __init__(self, chain: tuple[str, ...], problem: str) -> None:
        self.chain = chain
        self.problem = problem
        where = " -> ".join(chain)
        super().__init__(f"{where}: {problem}" if where else problem)


class MissingDependencyError(ResolutionError):
    """A parameter that nothing provides: no `Depends`, no service, no declared value."""


class DefaultOnlyError(MissingDependencyError):
    """A parameter of a prepared callable that nothing provides but its default.

    Raised only when preparing with `strict_defaults=True`, for the callable's own parameters
    (its dependencies keep their defaults): a framework uses it to refuse a handler parameter
    that would silently always be its default.
    """

    def __init__(
        self, chain: tuple[str, ...], parameter: str, default: object, hint: str | None = None
    ) -> None:
        self.parameter = parameter
        self.default = default
        super().__init__(
            chain,
            f"nothing provides parameter {parameter!r} except its default {default!r}, "
            "so it would always be that default; say where its value comes from"
            + (f": {hint}" if hint else ""),
        )


class CyclicDependencyError(ResolutionError):
    """A dependency or service that, through its parameters, depends on itself."""


class ScopeViolationError(ResolutionError):
    """Something that lives in a narrower scope is needed from a wider one."""


class InvalidDependencyError(ResolutionError):
    """A dependency that cannot be used as one (not callable, unhashable, unreadable)."""


class AsyncInSyncScopeError(DIError):
    """A synchronous scope was asked to run a graph that needs an event loop."""


class FrozenContainerError(DIError, RuntimeError):
    """The container was changed after its app scope was entered."""


class RegistrationError(DIError):
    """A registration that contradicts an earlier one, or names an unknown scope."""


class MissingValueError(DIError):
    """A scope was entered without a value that was declared with `Container.provide`."""


class ScopeStateError(DIError):
    """A scope used out of order: not entered yet, already closed, or entered twice."""


class TeardownError(ExceptionGroup[Exception]):
    """Tearing down generator dependencies failed, after the call failed or more than once.

    `original` is the call's own error (`None` when the call succeeded and two or more teardowns
    failed); `failures` are the teardown errors in the order they happened. As an exception
    group its `exceptions` are the original first, then the failures, so a caller that only
    knows `ExceptionGroup` loses nothing. A framework uses the split to decide what to answer:
    a deliberate error raised by a teardown, or the original.
    """

    original: Exception | None
    failures: tuple[Exception, ...]

    @classmethod
    def of(cls, original: Exception | None, failures: list[Exception]) -> TeardownError:
        count = f"{len(failures)} teardown(s) failed"
        message = count if original is None else f"the call and {count}"
        group = cls(message, failures if original is None else [original, *failures])
        group.original = original
        group.failures = tuple(failures)
        return group
