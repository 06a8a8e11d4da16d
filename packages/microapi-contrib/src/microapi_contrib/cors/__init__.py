"""CORS for MicroAPI apps, following the Fetch standard's CORS protocol."""

from .middleware import CORSMiddleware
from .policy import CORSConfigError, CORSPolicy

__all__ = ["CORSConfigError", "CORSMiddleware", "CORSPolicy"]
