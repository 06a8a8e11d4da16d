"""MicroAPI: a minimal, deterministic ASGI web framework."""

__version__ = "0.1.0"
