"""A deterministic trie router: maps (method, path) to a payload of the caller's choosing."""

__version__ = "0.1.0"
