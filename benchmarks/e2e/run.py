"""End to end: requests per second of each framework under uvicorn, as a fraction of raw ASGI.

Each app module in this folder (`raw_app`, `microapi_app`, ...) is served by its own uvicorn with
one worker on 127.0.0.1 (`--no-access-log --log-level warning`), and loaded by wrk
(`wrk -t1 -c64 -d5s` by default) on three routes: the static route `GET /hello`, the dependency
chain `GET /deps` and the JSON body `POST /orders` (a 328-byte order decoded and validated into
a typed object; wrk sends it through a Lua script; see `common.py`). Every response is checked
once before the load.

All servers are started first (idle ones only wait on their sockets) and pinned to one CPU, wrk
to another (with two or more CPUs). Then, for each route, each round loads raw and the frameworks
alternately: raw, A, raw, B, raw, ... raw, with the frameworks' order rotated each round. A
framework's fraction in a round is its requests per second over the mean of the two raw runs
around it, so slow drifts of a shared machine cancel out; the table shows the median over rounds.

Each server stack gets a table of its own, measured in turn: `standard` is uvicorn as production
runs it (`--loop uvloop --http httptools`, from `uvicorn[standard]`), `h11` its pure-Python
defaults (`--loop asyncio --http h11`). `--stacks` picks them (both by default).

Run: uv run --frozen --no-sync python benchmarks/e2e/run.py [--rounds N] [--duration S]
Skipped (exit 0, with a message) where `wrk` is not installed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
FRAMEWORKS = ("raw", "microapi", "starlette", "fastapi", "litestar", "falcon")
TITLES = {
    "raw": "raw ASGI",
    "microapi": "MicroAPI",
    "starlette": "Starlette",
    "fastapi": "FastAPI",
    "litestar": "Litestar",
    "falcon": "Falcon",
}
DISTRIBUTIONS = {
    "microapi": "microapi-core",
    "starlette": "starlette",
    "fastapi": "fastapi",
    "litestar": "litestar",
    "falcon": "falcon",
    "uvicorn": "uvicorn",
}
sys.path.insert(0, str(HERE))
from common import ORDER_ANSWER, ORDER_BODY  # noqa: E402

BASELINE = "baseline"  # MicroAPI at `--baseline COMMIT`, side by side with this tree's

# Server stack -> uvicorn's event loop and HTTP parser.
STACKS = {"standard": ("uvloop", "httptools"), "h11": ("asyncio", "h11")}


@dataclass(frozen=True)
class Load:
    """One route under load: what is sent, what must come back, MicroAPI's target fraction."""

    title: str
    path: str
    expected: Any
    target: float | None  # None: no target set for this route
    method: str = "GET"
    body: bytes = b""
    status: int = 200


ROUTES: dict[str, Load] = {
    "static": Load("static route", "/hello", {"hello": "world"}, 0.85),
    "deps": Load("dependency chain", "/deps", {"hello": "world"}, 0.85),
    "body": Load("JSON body", "/orders", ORDER_ANSWER, 0.80, "POST", ORDER_BODY, 201),
}
PEERS = ("starlette", "fastapi", "litestar", "falcon")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinned(cpu: int | None) -> Any:
    """A `preexec_fn` pinning the child to `cpu` (None: no pinning)."""
    if cpu is None:
        return None

    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    return pin


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL after 5 s; always reaps the process."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def get(port: int, path: str, method: str = "GET", body: bytes = b"") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"content-type": "application/json"} if body else {}
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def serve(framework: str, cpu: int | None, stack: str, baseline: str | None) -> Iterator[int]:
    """Run uvicorn on `framework`'s app with `stack`'s loop and parser; yields the port once it
    answers; always stops it. "baseline" is MicroAPI's app on the packages at `baseline` (a
    PYTHONPATH)."""
    loop, http = STACKS[stack]
    env = dict(os.environ)
    if framework == BASELINE:
        assert baseline is not None
        env["PYTHONPATH"] = baseline
        framework = "microapi"
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{framework}_app:app",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--lifespan",
        "on",
        "--loop",
        loop,
        "--http",
        http,
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=pinned(cpu),
            env=env,
        )
        try:
            wait_ready(process, port, log)
            yield port
        finally:
            stop(process)


def wait_ready(process: subprocess.Popen[Any], port: int, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
        with contextlib.suppress(OSError):
            if get(port, "/hello")[0] == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not answer within 30 s")


def check(framework: str, port: int) -> None:
    for load in ROUTES.values():
        status, body = get(port, load.path, load.method, load.body)
        if status != load.status or json.loads(body) != load.expected:
            raise AssertionError(f"{framework} {load.title}: {status} {body!r}")


def script(load: Load, folder: Path) -> Path | None:
    """A wrk Lua script sending `load`'s method and JSON body; None for a plain GET."""
    if load.method == "GET" and not load.body:
        return None
    body = load.body.decode()
    if "]]" in body:
        raise ValueError("the body cannot be quoted as a Lua long string")
    path = folder / f"{load.path.strip('/').replace('/', '_') or 'root'}.lua"
    path.write_text(
        f'wrk.method = "{load.method}"\n'
        f"wrk.body = [[{body}]]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return path


def wrk(
    port: int,
    load: Load,
    args: argparse.Namespace,
    seconds: int,
    cpu: int | None,
    lua: Path | None = None,
) -> float:
    """Requests per second; raises if wrk saw errors or non-2xx answers."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        *(["-s", str(lua)] if lua is not None else []),
        f"http://127.0.0.1:{port}{load.path}",
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
        preexec_fn=pinned(cpu),
    )
    out = done.stdout
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    problems = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: [^\n]+)", out)
    if problems:
        raise RuntimeError(f"wrk on {load.method} {load.path}: {'; '.join(problems)}")
    return float(found.group(1))


def cpus() -> tuple[int | None, int | None]:
    """(server CPU, wrk CPU), or no pinning with fewer than two usable CPUs."""
    try:
        usable = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return None, None
    if len(usable) < 2:
        return None, None
    return usable[0], usable[1]


def describe_machine() -> str:
    cpu = platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def describe_versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    parts += [f"{TITLES.get(name, name)} {version(dist)}" for name, dist in DISTRIBUTIONS.items()]
    for dist in ("uvloop", "httptools", "h11"):
        with contextlib.suppress(PackageNotFoundError):
            parts.append(f"{dist} {version(dist)}")
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    first = wrk_version.splitlines()[0] if wrk_version else "wrk"
    return f"{', '.join(parts)}; {first.split(' [')[0]}"


def missing_stack(stack: str) -> str | None:
    """What `stack` lacks to run here (its loop or parser not installed), or None."""
    absent = [m for m in STACKS[stack] if m != "asyncio" and importlib.util.find_spec(m) is None]
    return ", ".join(absent) or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (5)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per route (1)")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c (64)")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (1)")
    parser.add_argument(
        "--frameworks",
        type=lambda s: s.split(","),
        default=list(FRAMEWORKS),
        help="comma-separated subset of " + ",".join(FRAMEWORKS) + " (raw is always run)",
    )
    parser.add_argument(
        "--routes",
        type=lambda s: s.split(","),
        default=list(ROUTES),
        help="comma-separated subset of " + ",".join(ROUTES),
    )
    parser.add_argument(
        "--stacks",
        type=lambda s: s.split(","),
        default=list(STACKS),
        help="comma-separated subset of " + ",".join(STACKS) + ", one table each",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and wrk")
    parser.add_argument(
        "--baseline", metavar="COMMIT", help="also serve MicroAPI as it was at COMMIT"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("benchmarks/e2e: skipped, `wrk` is not installed (apt-get install wrk)")
        return
    print(f"{describe_versions()}\n{describe_machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        baseline = extract(args.baseline, Path(tmp)) if args.baseline else None
        for stack in args.stacks:
            absent = missing_stack(stack)
            if absent is not None:
                print(f"\n{stack}: skipped, {absent} not installed (the bench group has them)")
                continue
            measure(args, stack, baseline)


def extract(commit: str, into: Path) -> str:
    """MicroAPI's packages at `commit` under `into`; returns the PYTHONPATH of their sources."""
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent.parent), "archive", commit, "packages"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    TITLES[BASELINE] = f"MicroAPI at {commit[:9]}"
    return os.pathsep.join(str(p) for p in sorted((into / "packages").glob("*/src")))


def measure(args: argparse.Namespace, stack: str, baseline: str | None) -> None:
    """Every route on every framework under `stack`, in rounds; prints its table."""
    names = [n for n in FRAMEWORKS if n == "raw" or n in args.frameworks]
    if baseline is not None:
        names.insert(2, BASELINE)
    others = [n for n in names if n != "raw"]
    server_cpu, wrk_cpu = (None, None) if args.no_pin else cpus()
    loads = {key: load for key, load in ROUTES.items() if key in args.routes}
    # route -> framework -> one fraction of raw per round (raw: its requests per second)
    results: dict[str, dict[str, list[float]]] = {key: {n: [] for n in names} for key in loads}
    started = time.monotonic()
    with contextlib.ExitStack() as servers:
        folder = Path(servers.enter_context(tempfile.TemporaryDirectory()))
        lua = {key: script(load, folder) for key, load in loads.items()}
        ports = {
            name: servers.enter_context(serve(name, server_cpu, stack, baseline)) for name in names
        }
        for name, port in ports.items():
            check(name, port)
            for key, load in loads.items():
                if args.warmup > 0:
                    wrk(port, load, args, args.warmup, wrk_cpu, lua[key])
        for round_ in range(args.rounds):
            shift = round_ % len(others)
            order = others[shift:] + others[:shift]
            for key, load in loads.items():
                before = wrk(ports["raw"], load, args, args.duration, wrk_cpu, lua[key])
                results[key]["raw"].append(before)
                for name in order:
                    rps = wrk(ports[name], load, args, args.duration, wrk_cpu, lua[key])
                    after = wrk(ports["raw"], load, args, args.duration, wrk_cpu, lua[key])
                    results[key]["raw"].append(after)
                    results[key][name].append(rps / ((before + after) / 2))
                    before = after
            print(f"  round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    elapsed = time.monotonic() - started
    report(names, loads, results, args, elapsed, server_cpu, stack)


def report(
    names: list[str],
    loads: dict[str, Load],
    results: dict[str, dict[str, list[float]]],
    args: argparse.Namespace,
    elapsed: float,
    server_cpu: int | None,
    stack: str,
) -> None:
    loop, http = STACKS[stack]
    pinning = "server and wrk pinned to separate CPUs" if server_cpu is not None else "no pinning"
    print(
        f"\nuvicorn --loop {loop} --http {http} ({stack}); wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, {args.rounds} rounds, {pinning}, "
        f"{elapsed:.0f} s in all\n"
    )
    shown = [n for n in names if n != "raw"]
    print("| route | raw ASGI (req/s) | " + " | ".join(TITLES[n] for n in shown) + " | target |")
    print("|---|---:|" + "---:|" * len(shown) + "---|")
    for key, load in loads.items():
        floor = results[key]["raw"]
        fractions = {n: statistics.median(results[key][n]) for n in shown}
        cells = " | ".join(f"{fractions[n]:.2f}" for n in shown)
        verdict = ""
        if "microapi" in fractions:
            mine = fractions["microapi"]
            peers = [fractions[p] for p in PEERS if p in fractions]
            ahead = all(mine > p for p in peers)
            lead = "ahead of all peers" if ahead else "**not ahead of every peer**"
            lead = lead if peers else "no peers run"
            if load.target is None:
                verdict = f"no fraction set; {lead}"
            else:
                met = "met" if mine >= load.target else "**missed**"
                verdict = f"MicroAPI >= {load.target:.2f}: {met}; {lead}"
        print(f"| {load.title} | {statistics.median(floor):,.0f} | {cells} | {verdict} |")


if __name__ == "__main__":
    main()
