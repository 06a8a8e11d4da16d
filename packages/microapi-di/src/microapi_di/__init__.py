"""Dependency injection and a service registry, usable with or without a web framework."""

__version__ = "0.1.0"
