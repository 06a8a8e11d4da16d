"""`microapi`: the command line. `microapi routes module:app` prints the route table."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ._loader import AppLoadError, load_app
from .introspection import collect, render_route_table

USAGE_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one sub-command per view."""
    parser = argparse.ArgumentParser(prog="microapi", description="Look inside a MicroAPI app.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    routes = commands.add_parser("routes", help="print the route table")
    routes.add_argument("target", help="the app as module:attribute, e.g. myproject.main:app")
    routes.add_argument(
        "--json",
        action="store_true",
        help="print everything the introspection page shows (routes, middleware, services)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (2 for usage errors and apps that cannot be loaded)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help and on usage errors
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    # Like `python -m`, find modules in the current directory (a console script would not).
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        app = load_app(args.target)
    except AppLoadError as exc:
        print(f"microapi: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    info = collect(app)
    if args.json:
        print(json.dumps(info.as_dict(), indent=2))
    else:
        print(render_route_table(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
