"""A real bilat web server in a subprocess on 127.0.0.1, and its memory from /proc.

Two servers can run the same app: `bilat serve` (what users run; Flask's built-in
server) and waitress (a production WSGI server) calling `bilat.webapp:create_app` with
BILAT_STORE set, so the two can be compared without changing `bilat serve`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
SERVERS = ("bilat", "waitress")


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`with Server(store) as server:` serves the store until the block ends."""

    def __init__(self, store: Path, kind: str = "bilat", threads: int = 8,
                 timeout: float | None = None, log: Path | None = None):
        if kind not in SERVERS:
            raise SystemExit(f"unknown server {kind!r}; use one of {', '.join(SERVERS)}")
        self.store = Path(store)
        self.kind = kind
        self.threads = threads
        self.timeout = timeout  # the app's QUERY_TIMEOUT; None: its default
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or self.store.parent / f"server-{kind}.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.kind == "bilat":
            limit = ["--timeout", str(self.timeout)] if self.timeout else []
            return [str(BIN / "bilat"), "--store", str(self.store), "serve",
                    "--host", "127.0.0.1", "--port", str(self.port), *limit]
        return [str(BIN / "waitress-serve"), "--host=127.0.0.1", f"--port={self.port}",
                f"--threads={self.threads}", "--call", "bilat.webapp:create_app"]

    def __enter__(self) -> Server:
        if not self.store.is_dir():
            raise SystemExit(f"there is no store at {self.store}")
        env = {**os.environ, "BILAT_STORE": str(self.store)}
        if self.timeout:
            env["BILAT_QUERY_TIMEOUT"] = str(self.timeout)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=log, env=env)
        self.wait_until_up()
        return self

    def wait_until_up(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-800:]
                raise SystemExit(f"the {self.kind} server stopped at start:\n{tail}")
            try:
                if requests.get(self.url + "/", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise SystemExit(f"the {self.kind} server did not answer within {seconds:.0f} s")

    def memory(self) -> dict[str, int]:
        """Resident memory in KiB: VmRSS and VmHWM (peak) of the server process, and
        `total`, the VmRSS of it and every process under it (the app's query workers)."""
        main = status(self.process.pid)
        total = sum(status(pid).get("VmRSS", 0) for pid in family(self.process.pid))
        return {"VmRSS": main["VmRSS"], "VmHWM": main["VmHWM"], "total": total}

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT, as Ctrl-C: `bilat serve` then closes its store cleanly
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def status(pid: int) -> dict[str, int]:
    """The VmRSS and VmHWM lines of /proc/PID/status, in KiB ({} if the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def family(pid: int) -> list[int]:
    """The process and all its descendants, from /proc/PID/task/*/children."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += family(int(child))
    return found
