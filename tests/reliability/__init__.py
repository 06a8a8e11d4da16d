"""Reliability tests: fuzzing the ASGI boundary, faults, soak and real servers."""
