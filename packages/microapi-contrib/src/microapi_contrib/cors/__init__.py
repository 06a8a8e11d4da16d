"""CORS for MicroAPI apps, following the Fetch standard's CORS protocol."""

from ._middleware import CORSMiddleware
from ._policy import CORSConfigError, CORSPolicy

__all__ = ["CORSConfigError", "CORSMiddleware", "CORSPolicy"]
