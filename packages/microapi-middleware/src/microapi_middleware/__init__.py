"""A generic async middleware pipeline: `async def mw(request, call_next) -> response`."""

__version__ = "0.1.0"
