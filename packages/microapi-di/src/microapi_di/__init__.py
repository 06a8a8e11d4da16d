"""Dependency injection and a service registry, usable with or without a web framework."""

from ._callables import CallKind, call_kind
from ._container import Container
from ._errors import (
    AsyncInSyncScopeError,
    CyclicDependencyError,
    DIError,
    FrozenContainerError,
    InvalidDependencyError,
    MissingDependencyError,
    MissingValueError,
    RegistrationError,
    ResolutionError,
    ScopeStateError,
    ScopeViolationError,
    TeardownError,
)
from ._markers import Depends, DependsMarker
from ._overrides import Override, Overrides
from ._prepared import Prepared
from ._registry import ServiceInfo
from ._scope import AppScope, Scope
from ._sync_scope import SyncAppScope, SyncScope
from ._tree import DependencyNode

__version__ = "0.1.0"

__all__ = [
    "AppScope",
    "AsyncInSyncScopeError",
    "CallKind",
    "Container",
    "CyclicDependencyError",
    "DIError",
    "DependencyNode",
    "Depends",
    "DependsMarker",
    "FrozenContainerError",
    "InvalidDependencyError",
    "MissingDependencyError",
    "MissingValueError",
    "Override",
    "Overrides",
    "Prepared",
    "RegistrationError",
    "ResolutionError",
    "Scope",
    "ScopeStateError",
    "ScopeViolationError",
    "ServiceInfo",
    "SyncAppScope",
    "SyncScope",
    "TeardownError",
    "__version__",
    "call_kind",
]
