"""Dependency injection and a service registry, usable with or without a web framework."""

from .callables import CallKind, call_kind
from .container import Container
from .errors import (
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
from .markers import Depends, DependsMarker
from .overrides import Override, Overrides
from .prepared import Prepared
from .registry import ServiceInfo
from .scope import AppScope, Scope
from .sync_scope import SyncAppScope, SyncScope
from .tree import DependencyNode

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
