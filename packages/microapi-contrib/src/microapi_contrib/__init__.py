"""Access logging, CORS and an introspection page for MicroAPI apps."""

__version__ = "0.1.0"
