"""Dependency injection and a service registry, usable with or without a web framework."""

from ._callables import CallKind, call_kind
from ._container import Container
from ._errors import (
    AsyncInSyncScopeError,
    CyclicDependencyError,
    DefaultOnlyError,
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
from ._holding import HoldsTeardown, PendingTeardown
from ._hooks import Given, Parameter, ParameterHook
from ._overrides import Override, Overrides
from ._registry import ServiceInfo
from ._scopes import AppScope, RequestScope, SyncAppScope, SyncRequestScope
from ._signature import Depends, DependsMarker
from ._state import Prepared
from ._teardown import Offload
from ._tree import DependencyNode

# The names of 0.1, kept so existing code keeps working: "scope" alone means the ASGI scope in
# the framework, so the request scope classes are called RequestScope and SyncRequestScope.
Scope = RequestScope
SyncScope = SyncRequestScope

__version__ = "0.2.0"

__all__ = [
    "AppScope",
    "AsyncInSyncScopeError",
    "CallKind",
    "Container",
    "CyclicDependencyError",
    "DIError",
    "DefaultOnlyError",
    "DependencyNode",
    "Depends",
    "DependsMarker",
    "FrozenContainerError",
    "Given",
    "HoldsTeardown",
    "InvalidDependencyError",
    "MissingDependencyError",
    "MissingValueError",
    "Offload",
    "Override",
    "Overrides",
    "Parameter",
    "ParameterHook",
    "PendingTeardown",
    "Prepared",
    "RegistrationError",
    "RequestScope",
    "ResolutionError",
    "Scope",
    "ScopeStateError",
    "ScopeViolationError",
    "ServiceInfo",
    "SyncAppScope",
    "SyncRequestScope",
    "SyncScope",
    "TeardownError",
    "__version__",
    "call_kind",
]
