"""Access and JSON logging, CORS, health, metrics, introspection and OpenAPI for MicroAPI."""

from ._access_log import AccessLogMiddleware
from ._health import HealthCheck, enable_health
from ._json_log import JSONFormatter
from ._metrics import MetricsExtraMissingError, RequestMetrics, enable_metrics
from .cors import CORSConfigError, CORSMiddleware, CORSPolicy
from .introspection import collect, enable_introspection

__version__ = "0.2.0"

__all__ = [
    "AccessLogMiddleware",
    "CORSConfigError",
    "CORSMiddleware",
    "CORSPolicy",
    "HealthCheck",
    "JSONFormatter",
    "MetricsExtraMissingError",
    "RequestMetrics",
    "__version__",
    "collect",
    "enable_health",
    "enable_introspection",
    "enable_metrics",
]
