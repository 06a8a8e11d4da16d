"""The introspection page, its JSON twin and the data behind both (and the CLI)."""

from ._data import (
    AppInfo,
    DependencyInfo,
    JobEntry,
    MiddlewareInfo,
    ParameterInfo,
    RouteInfo,
    ServiceEntry,
    collect,
)
from ._html import render_html
from ._page import IntrospectionPage, enable_introspection
from ._text import render_route_table

__all__ = [
    "AppInfo",
    "DependencyInfo",
    "IntrospectionPage",
    "JobEntry",
    "MiddlewareInfo",
    "ParameterInfo",
    "RouteInfo",
    "ServiceEntry",
    "collect",
    "enable_introspection",
    "render_html",
    "render_route_table",
]
