"""The introspection page for people: one self-contained HTML document, no scripts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from ._data import (
    AppInfo,
    DependencyInfo,
    JobEntry,
    MiddlewareInfo,
    ParameterInfo,
    RouteInfo,
    ServiceEntry,
)

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d232a; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d5dbe1; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem;
         border-bottom: 1px solid #e6e9ed; }
th { background: #f3f5f7; }
code { font: 13px ui-monospace, monospace; }
.method { display: inline-block; font: bold 12px ui-monospace, monospace; padding: 0 .35rem;
          margin: 0 .2rem .2rem 0; border-radius: 3px; background: #dde9f7; color: #0b3d77; }
.where, .note { color: #5d6975; font-size: 12px; }
.error { color: #9b1c1c; }
ul.tree { margin: 0; padding-left: 1.1rem; }
ul.tree ul { padding-left: 1.1rem; }
ul.params { margin: 0; padding-left: 0; list-style: none; }
.source { display: inline-block; font: 12px ui-monospace, monospace; padding: 0 .3rem;
          border-radius: 3px; background: #eef0f3; color: #3a4550; }
.kind { font-size: 12px; color: #5d6975; }
.services { margin-top: .3rem; }
"""


def render_html(info: AppInfo) -> str:
    """The whole page; every value from the app is HTML-escaped."""
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>MicroAPI introspection</title><style>{STYLE}</style></head><body>",
            "<h1>MicroAPI introspection</h1>",
            '<nav><a href="#routes">Routes</a><a href="#middleware">Middleware</a>'
            '<a href="#services">Services</a><a href="#jobs">Jobs</a>'
            '<a href="?format=json">JSON</a></nav>',
            _routes(info.routes),
            _middleware(info.middleware),
            _services(info.services),
            _jobs(info.jobs, info.background_running),
            "</body></html>",
        ]
    )


def _routes(routes: tuple[RouteInfo, ...]) -> str:
    rows = "\n".join(_route_row(route) for route in routes)
    return (
        f'<section id="routes"><h2>Routes ({len(routes)})</h2>'
        '<table id="routes-table"><thead><tr><th>Methods</th><th>Path</th><th>Handler</th>'
        "<th>Dependencies</th><th>Parameters</th></tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table></section>"
    )


def _route_row(route: RouteInfo) -> str:
    methods = " ".join(f'<span class="method">{escape(m)}</span>' for m in route.methods)
    if route.error is not None:
        deps = f'<span class="error">{escape(route.error)}</span>'
    elif route.dependencies:
        deps = _tree(route.dependencies)
    else:
        deps = '<span class="note">none</span>'
    if route.services:
        names = ", ".join(f"<code>{escape(name)}</code>" for name in route.services)
        deps += f'<div class="services"><span class="kind">services:</span> {names}</div>'
    if route.group_dependencies:
        names = ", ".join(f"<code>{escape(name)}</code>" for name in route.group_dependencies)
        deps += f'<div class="groups"><span class="kind">from groups:</span> {names}</div>'
    return (
        f"<tr><td>{methods}</td><td><code>{escape(route.template)}</code></td>"
        f"<td><code>{escape(route.handler)}</code>{_where(route.source)}</td>"
        f"<td>{deps}</td><td>{_parameters(route.parameters, route.error)}</td></tr>"
    )


def _parameters(parameters: tuple[ParameterInfo, ...], error: str | None) -> str:
    if not parameters:
        return "" if error is not None else '<span class="note">none</span>'
    return '<ul class="params">' + "".join(_parameter(p) for p in parameters) + "</ul>"


def _parameter(parameter: ParameterInfo) -> str:
    """`query limit: int` then its constraints and `default 20` (or `required`)."""
    key = "" if parameter.source == "body" else f" <code>{escape(parameter.key)}</code>"
    notes = list(parameter.constraints)
    notes.append("required" if parameter.required else f"default {_shown(parameter.default)}")
    if parameter.key != parameter.name or parameter.source == "body":
        notes.append(f"parameter {parameter.name}")
    return (
        f'<li><span class="source">{escape(parameter.source)}</span>{key}: '
        f"<code>{escape(parameter.type)}</code> "
        f'<span class="kind">{escape(", ".join(notes))}</span></li>'
    )


def _shown(default: Any) -> str:
    """A default as the JSON view carries it (a `repr` there is a string here too)."""
    return json.dumps(default, ensure_ascii=False)


def _tree(nodes: tuple[DependencyInfo, ...]) -> str:
    return '<ul class="tree">' + "".join(_node(node) for node in nodes) + "</ul>"


def _node(node: DependencyInfo) -> str:
    notes = [node.kind, f"{node.scope} scope"]
    if not node.cached:
        notes.append("not cached")
    text = f"<code>{escape(node.parameter)}</code> &larr; <code>{escape(node.target)}</code>"
    if node.provider is not None and node.provider != node.target:
        text += f' <span class="kind">provided by</span> <code>{escape(node.provider)}</code>'
    text += f' <span class="kind">{escape(", ".join(notes))}</span>'
    children = _tree(node.children) if node.children else ""
    return f"<li>{text}{children}</li>"


def _middleware(chain: tuple[MiddlewareInfo, ...]) -> str:
    items = "".join(f"<li><code>{escape(mw.name)}</code>{_where(mw.source)}</li>" for mw in chain)
    return (
        '<section id="middleware"><h2>Middleware</h2>'
        '<p class="note">In execution order: the first runs outermost, then routing and the '
        f'handler.</p><ol id="middleware-list">{items}<li class="note">router &rarr; handler'
        "</li></ol></section>"
    )


def _services(services: tuple[ServiceEntry, ...]) -> str:
    if not services:
        body = '<p class="note">No services registered.</p>'
    else:
        rows = "".join(
            f"<tr><td><code>{escape(s.key)}</code></td><td><code>{escape(s.factory)}</code>"
            f"</td><td>{escape(s.scope)}</td></tr>"
            for s in services
        )
        body = (
            '<table id="services-table"><thead><tr><th>Key</th><th>Factory</th><th>Scope</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    return f'<section id="services"><h2>Services ({len(services)})</h2>{body}</section>'


def _jobs(jobs: tuple[JobEntry, ...], background_running: int) -> str:
    running = (
        f'<p class="note" id="background-running">Background tasks running: '
        f"{background_running}</p>"
    )
    return _job_table(jobs).replace("</h2>", f"</h2>{running}", 1)


def _job_table(jobs: tuple[JobEntry, ...]) -> str:
    if not jobs:
        body = '<p class="note">No scheduled jobs.</p>'
    else:
        rows = "".join(_job_row(job) for job in jobs)
        body = (
            '<p class="note">Each server process runs its own jobs; times are UTC.</p>'
            '<table id="jobs-table"><thead><tr><th>Job</th><th>Every</th><th>Last start</th>'
            "<th>Last outcome</th><th>Runs</th><th>Failures</th><th>Skipped</th>"
            f"<th>Next due</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return f'<section id="jobs"><h2>Scheduled jobs ({len(jobs)})</h2>{body}</section>'


def _job_row(job: JobEntry) -> str:
    outcome = escape(job.last_outcome or "not run yet")
    if job.last_outcome == "failed":
        outcome = f'<span class="error">{outcome}</span>'
    if job.last_error is not None:
        outcome += f'<div class="where">{escape(job.last_error)}</div>'
    return (
        f"<tr><td><code>{escape(job.function)}</code>{_where(job.source)}</td>"
        f"<td>{escape(format_interval(job.interval))}</td>"
        f"<td>{escape(format_time(job.last_start, 'never'))}</td><td>{outcome}</td>"
        f"<td>{job.runs}</td><td>{job.failures}</td><td>{job.skipped}</td>"
        f"<td>{escape(format_time(job.next_due, 'not scheduled'))}</td></tr>"
    )


def format_interval(seconds: float) -> str:
    """`3600.0` as `1 h`, `90.0` as `90 s`, `0.05` as `0.05 s`: the largest exact unit."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


def format_time(timestamp: float | None, missing: str) -> str:
    """Seconds since the epoch as ISO 8601 UTC, to the millisecond; `missing` for None."""
    if timestamp is None:
        return missing
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _where(source: str | None) -> str:
    return "" if source is None else f'<div class="where">{escape(source)}</div>'
