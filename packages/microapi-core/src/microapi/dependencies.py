"""`Depends`, the marker for a parameter filled by calling another function."""

from microapi_di import Depends

__all__ = ["Depends"]
