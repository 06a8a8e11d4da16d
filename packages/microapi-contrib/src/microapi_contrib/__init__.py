"""Access logging, CORS and an introspection page for MicroAPI apps."""

from ._access_log import AccessLogMiddleware
from .cors import CORSConfigError, CORSMiddleware, CORSPolicy
from .introspection import collect, enable_introspection

__version__ = "0.1.0"

__all__ = [
    "AccessLogMiddleware",
    "CORSConfigError",
    "CORSMiddleware",
    "CORSPolicy",
    "__version__",
    "collect",
    "enable_introspection",
]
