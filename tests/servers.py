"""Real SPARQL servers for tests, on 127.0.0.1 only: an Oxigraph server (the `oxigraph` wheel
of the test extra) and, where Debian's package is installed, Virtuoso."""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds for a server to answer its first query


@contextmanager
def serve_app(app) -> Iterator[str]:
    """A WSGI app served by werkzeug on a free port of 127.0.0.1, in a thread: its base URL."""
    from werkzeug.serving import make_server

    server = make_server(HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def oxigraph_binary() -> str:
    """The `oxigraph` server binary; missing, the test fails in CI and is skipped elsewhere."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if found is None:
        message = "no `oxigraph` binary: pip install -e '.[test]' installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def wait_until_ready(url: str, process: subprocess.Popen, log: Path,
                     timeout: float = START_TIMEOUT) -> None:
    """Poll the query endpoint until the server answers an ASK."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start: {log.read_text()[-500:]}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the server at {url} did not answer within {timeout:g} s")


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """`oxigraph serve` on a store folder, queries seeing the union of the named graphs;
    yields its base URL and stops it (by its process id) at the end."""
    port = free_port()
    log = folder.parent / f"{folder.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"{HOST}:{port}",
             "--union-default-graph"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_ready(f"{base}/query", process, log)
        yield base
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def virtuoso_ini(home: Path, sql_port: int, http_port: int) -> Path:
    """Debian's virtuoso.ini with the database in `home` and both ports on 127.0.0.1."""
    ini = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",),
                                    interpolation=None)
    ini.optionxform = str  # Virtuoso's keys are CamelCase
    ini.read(VIRTUOSO_INI)
    for section in ("Database", "TempDatabase"):
        for key, value in ini[section].items():
            if value.startswith("/var/lib/virtuoso-opensource-7/db/"):
                ini[section][key] = str(home / Path(value).name)
    ini["Parameters"]["ServerPort"] = f"{HOST}:{sql_port}"
    ini["HTTPServer"]["ServerPort"] = f"{HOST}:{http_port}"
    ini["SPARQL"]["ResultSetMaxRows"] = "10000000"  # the default 10,000 cuts answers silently
    # the default refuses a query whose *estimated* time is over 400 s (who-met-whom's is)
    ini["SPARQL"]["MaxQueryCostEstimationTime"] = "0"
    path = home / "virtuoso.ini"
    with path.open("w") as out:
        ini.write(out)
    return path


@contextmanager
def virtuoso_server(home: Path) -> Iterator[str]:
    """Debian's Virtuoso on its own database in `home`, anonymous SPARQL updates allowed;
    yields its /sparql URL and shuts it down at the end."""
    home.mkdir(parents=True)
    sql_port, http_port = free_port(), free_port()
    ini = virtuoso_ini(home, sql_port, http_port)
    log = home / "virtuoso-t.out"
    with log.open("wb") as out:
        process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)],
                                   cwd=home, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{http_port}/sparql"
    isql = ["isql-vt", f"{HOST}:{sql_port}", "dba", "dba"]
    try:
        wait_until_ready(url, process, log, timeout=120)
        subprocess.run([*isql, 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'], check=True,
                       capture_output=True, timeout=60)
        yield url
    finally:
        subprocess.run([*isql, "exec=shutdown;"], capture_output=True, timeout=60, check=False)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stop(process)
