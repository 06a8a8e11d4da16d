"""The route table as plain text, for terminals (`microapi routes module:app`)."""

from __future__ import annotations

from ._data import AppInfo

HEADINGS = ("Methods", "Path", "Handler", "Source", "Group dependencies")


def render_route_table(info: AppInfo) -> str:
    """One row per route, columns aligned, in the router's deterministic order."""
    if not info.routes:
        return "No routes."
    rows: list[tuple[str, ...]] = [HEADINGS]
    rows += [
        (
            ", ".join(r.methods),
            r.template,
            r.handler,
            r.source or "-",
            ", ".join(r.group_dependencies) or "-",
        )
        for r in info.routes
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS))]
    rows.insert(1, tuple("-" * width for width in widths))
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
