"""SPEC 8.3: a `FileResponse` streams the file, so the server's memory does not grow with it.

A 100 MiB file served by uvicorn to a client that reads it over a raw socket (pausing once, so
the server must hold back rather than buffer): the server's RSS (VmRSS in /proc) stays within
10 MiB of what it was after a warm-up request.
"""

import socket
import time
from pathlib import Path

from tests.reliability.servers import rss_kib
from tests.server import uvicorn_server

SIZE = 100 * 1024 * 1024


def download(port: int, pid: int, pause_at: int) -> tuple[int, int]:
    """GET /big, discarding the body; returns (bytes of body read, peak server RSS in KiB)."""
    peak = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = 0
        header = b""
        while b"\r\n\r\n" not in header:
            header += sock.recv(65536)
        head, _, rest = header.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        received = len(rest)
        paused = False
        next_sample = 0
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
            if received >= next_sample:
                peak = max(peak, rss_kib(pid))
                next_sample += 4 * 1024 * 1024
            if not paused and received >= pause_at:
                paused = True
                time.sleep(0.5)  # a slow client: the server must wait, not buffer
                peak = max(peak, rss_kib(pid))
    return received, max(peak, rss_kib(pid))


def test_serving_a_100_mib_file_keeps_rss_growth_under_10_mib(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as file:
        file.truncate(SIZE)  # sparse: fast to make, still 100 MiB of reads
    env = {"MICROAPI_BIG_FILE": str(big)}
    with uvicorn_server(
        "tests.reliability.file_app:app", "--no-access-log", "--log-level", "warning", env=env
    ) as (base, process):
        port = int(base.rsplit(":", 1)[1])
        download(port, process.pid, pause_at=SIZE)  # warm-up: every code path loaded
        baseline = rss_kib(process.pid)
        received, peak = download(port, process.pid, pause_at=SIZE // 3)
    assert received == SIZE
    growth_mib = (peak - baseline) / 1024
    print(f"server RSS {baseline / 1024:.1f} MiB, peak growth {growth_mib:.2f} MiB")
    assert growth_mib < 10, f"RSS grew by {growth_mib:.1f} MiB while serving {SIZE >> 20} MiB"
