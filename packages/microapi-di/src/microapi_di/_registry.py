"""The service registry: which keys have factories, and which values scopes will be given."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from ._callables import describe
from ._errors import FrozenContainerError, InvalidDependencyError, RegistrationError
from ._levels import SCOPE_NAMES, name_of


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A registered service, for introspection: its key, its factory and its scope's name."""

    key: Hashable
    factory: Callable[..., Any]
    scope: str


@dataclass(eq=False, slots=True)
class Service:
    """A registered service. Compared by identity: the record itself keys the scope caches."""

    key: Hashable
    factory: Callable[..., Any]
    level: int

    def info(self) -> ServiceInfo:
        """The public view of this record."""
        return ServiceInfo(self.key, self.factory, name_of(self.level))


class Registry:
    """Services (key -> factory and scope) and declared values (key -> scope), in order added."""

    def __init__(self) -> None:
        self.services: dict[Hashable, Service] = {}
        self.values: dict[Hashable, int] = {}
        self.frozen = False

    def add_service(self, key: Hashable, factory: Callable[..., Any], level: int) -> Service:
        """Record a service, refusing contradictions; the caller validates its graph."""
        self._check_change(f"register {describe(key)}")
        _check_hashable(key, "register")
        if not callable(factory):
            raise InvalidDependencyError(
                (f"register({describe(key)})",), f"the factory {factory!r} is not callable"
            )
        if key in self.services:
            raise RegistrationError(
                f"register({describe(key)}): already registered; "
                "use an override to replace a service"
            )
        if key in self.values:
            raise RegistrationError(
                f"register({describe(key)}): declared as a provided value; a key is either"
            )
        service = Service(key, factory, level)
        self.services[key] = service
        return service

    def remove_service(self, service: Service) -> None:
        """Undo `add_service` when the new service's graph turned out invalid."""
        if self.services.get(service.key) is service:
            del self.services[service.key]

    def add_value(self, key: Hashable, level: int) -> None:
        """Declare that scopes at `level` will be given a value for `key`."""
        self._check_change(f"provide {describe(key)}")
        _check_hashable(key, "provide")
        if key in self.services:
            raise RegistrationError(
                f"provide({describe(key)}): already registered as a service; a key is either"
            )
        declared = self.values.get(key)
        if declared is not None and declared != level:
            raise RegistrationError(
                f"provide({describe(key)}): already declared for the {name_of(declared)} scope"
            )
        self.values[key] = level

    def _check_change(self, what: str) -> None:
        if self.frozen:
            raise FrozenContainerError(
                f"cannot {what}: the container is frozen once its app scope has been entered"
            )


def level_of(name: str) -> int:
    """The level of the scope called `name`; an unknown name is a `RegistrationError`."""
    try:
        return SCOPE_NAMES.index(name)
    except ValueError:
        known = ", ".join(repr(known) for known in SCOPE_NAMES)
        raise RegistrationError(f"unknown scope {name!r}; the scopes are {known}") from None


def _check_hashable(key: object, action: str) -> None:
    try:
        hash(key)
    except TypeError:
        raise RegistrationError(f"{action}({key!r}): the key must be hashable") from None
