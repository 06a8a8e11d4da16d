"""MicroAPI now against MicroAPI at another commit, side by side: interleaved runs, medians.

The other commit's packages are extracted (`git archive`) into a temporary directory and put
first on `PYTHONPATH` for its runs; the benchmark and its apps are this tree's for both. Runs
alternate (base, this tree, base, ...) `--runs` times each; every run is `app_bench.py` with
raw ASGI and MicroAPI only, and a row's figure is the median over runs of MicroAPI's multiple
of raw measured in that run. Other arguments go to `app_bench.py` as they are.

Run: uv run --frozen --no-sync python benchmarks/compare.py BASE [--runs 5] [--rows ...]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "app_bench.py"
ROW = re.compile(r"^\| (?P<title>[^|]+?) \| [\d,]+ \| (?P<microapi>[\d.]+)x \|")


def extract(commit: str, into: Path) -> str:
    """The commit's packages under `into`; returns the PYTHONPATH of their sources."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "packages"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return os.pathsep.join(str(p) for p in sorted((into / "packages").glob("*/src")))


def run_once(extra: list[str], pythonpath: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    command = [sys.executable, str(BENCH), "--frameworks", "microapi", *extra]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return {m["title"]: float(m["microapi"]) for m in map(ROW.match, out.splitlines()) if m}


def short(commit: str) -> str:
    command = ["git", "-C", str(ROOT), "rev-parse", "--short", commit]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the commit to compare with")
    parser.add_argument("--now", help="a commit to measure instead of this tree")
    parser.add_argument("--runs", type=int, default=5, help="runs of each side (5)")
    args, extra = parser.parse_known_args()
    extra = extra or ["--rounds", "9"]
    results: dict[str, list[dict[str, float]]] = {"base": [], "now": []}
    with tempfile.TemporaryDirectory() as tmp:
        base_path = extract(args.base, Path(tmp) / "base")
        now_path = extract(args.now, Path(tmp) / "now") if args.now else None
        for _ in range(args.runs):
            results["base"].append(run_once(extra, base_path))
            results["now"].append(run_once(extra, now_path))
    print(f"MicroAPI as a multiple of raw ASGI, median of {args.runs} interleaved runs each\n")
    print(f"| row | {short(args.base)} | {short(args.now) if args.now else 'this tree'} | change |")
    print("|---|---:|---:|---:|")
    for title in results["now"][0]:
        before = statistics.median(r[title] for r in results["base"])
        after = statistics.median(r[title] for r in results["now"])
        print(f"| {title} | {before:.2f}x | {after:.2f}x | {after / before - 1:+.0%} |")


if __name__ == "__main__":
    main()
