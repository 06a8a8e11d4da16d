"""Access logging, CORS, health endpoints and an introspection page for MicroAPI apps."""

from ._access_log import AccessLogMiddleware
from ._health import HealthCheck, enable_health
from .cors import CORSConfigError, CORSMiddleware, CORSPolicy
from .introspection import collect, enable_introspection

__version__ = "0.1.0"

__all__ = [
    "AccessLogMiddleware",
    "CORSConfigError",
    "CORSMiddleware",
    "CORSPolicy",
    "HealthCheck",
    "__version__",
    "collect",
    "enable_health",
    "enable_introspection",
]
