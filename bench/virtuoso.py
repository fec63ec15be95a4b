"""The canned questions on Virtuoso and on the embedded Oxigraph store, side by side.

    .venv/bin/python bench/virtuoso.py --store /tmp/bilat-bench/small [--runs 20]
        [--nquads FILE ...] [--questions NAME ...] [--load-only] [--home DIR]

Installs Debian's virtuoso-opensource when it is missing (apt-get; needs root), writes its
own virtuoso.ini under /tmp/bilat-bench/virt with both ports on 127.0.0.1, starts
`virtuoso-t +foreground`, and bulk-loads the store's own dataset (exported to N-Quads, or
`--nquads FILE ...` if they hold the same data, e.g. bench/generate.py's file and the
store's aggregates graph from `bilat export --graph`) with ld_dir + rdf_loader_run +
checkpoint. A database already loaded from the same files is reused, and one loaded from
the first of them gets only the rest (`--load-only` loads ahead of a run). Then each
question's draws (bench/workload.py) run on both engines, one untimed warm-up each:
Oxigraph in this process (Store.query, every row read), Virtuoso through SPARQLWrapper
(HTTP + JSON) with the parameters in a VALUES clause. Row counts are compared draw by
draw; a difference is printed as DISAGREE and the exit status is 1. Virtuoso is shut
down at the end.

Settings that differ from Debian's virtuoso.ini, and why:
  ResultSetMaxRows 10000 -> 10000000: the default cap silently truncates large answers;
  NumberOfBuffers 680000, MaxDirtyBuffers 500000: up to 5.3 GB of page cache (Debian's
  setting for 8 GB of memory) instead of 80 MB, as Oxigraph may use the OS's page cache.
"""

from __future__ import annotations

import argparse
import configparser
import json
import shutil
import subprocess
import time
from pathlib import Path

import requests
from pyoxigraph import RdfFormat, parse
from server import free_port
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from timing import ms, now_ms, percentile
from web import Timings, store_timings
from workload import Ask, add_workload_arguments, draw_workload, exit_on_disagreements

from bilat.graph import Store

HOME = Path("/tmp/bilat-bench/virt")
DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
DEFAULT_GRAPH = "https://w3id.org/bilat/default-graph"  # where ld_dir puts triples (none here)
SETTINGS = {
    "Parameters": {"NumberOfBuffers": "680000", "MaxDirtyBuffers": "500000"},
    "SPARQL": {"ResultSetMaxRows": "10000000"},
}
COUNT_QUADS = """SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/bilat/"))
}"""


def install() -> None:
    """Debian's package, when virtuoso-t is not on the PATH yet."""
    if shutil.which("virtuoso-t"):
        return
    print("installing virtuoso-opensource with apt-get ...", flush=True)
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "virtuoso-opensource"]):
        if subprocess.run(command, env=env, capture_output=True, check=False).returncode:
            raise SystemExit(f"`{' '.join(command)}` failed: install virtuoso-opensource as root")


def write_ini(home: Path, data: list[Path], sql_port: int, http_port: int) -> Path:
    """Debian's virtuoso.ini with the database in `home`, loopback ports and SETTINGS."""
    ini = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",),
                                    interpolation=None)
    ini.optionxform = str  # Virtuoso's keys are CamelCase
    ini.read(DEBIAN_INI)
    db = home / "db"
    for section in ("Database", "TempDatabase"):
        for key, value in ini[section].items():
            if value.startswith("/var/lib/virtuoso-opensource-7/db/"):
                ini[section][key] = str(db / Path(value).name)
    ini["Parameters"]["ServerPort"] = f"127.0.0.1:{sql_port}"
    ini["Parameters"]["DirsAllowed"] += "".join(f", {folder}" for folder in data)
    ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    for section, values in SETTINGS.items():
        ini[section].update(values)
    path = home / "virtuoso.ini"
    with path.open("w") as out:
        ini.write(out)
    return path


class Virtuoso:
    """`with Virtuoso(home) as virt:` runs virtuoso-t on its own database until the block ends."""

    def __init__(self, home: Path, data: list[Path]):
        self.home = home
        self.data = data  # folders the loader may read
        self.sql_port, self.http_port = free_port(), free_port()
        self.endpoint = f"http://127.0.0.1:{self.http_port}/sparql"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Virtuoso:
        (self.home / "db").mkdir(parents=True, exist_ok=True)
        ini = write_ini(self.home, self.data, self.sql_port, self.http_port)
        with (self.home / "virtuoso-t.out").open("wb") as log:
            self.process = subprocess.Popen(
                ["virtuoso-t", "+foreground", "+configfile", str(ini)],
                cwd=self.home, stdout=log, stderr=log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"virtuoso-t stopped at start; see {self.home}/db/virtuoso.log")
            try:
                if requests.get(self.endpoint, params={"query": "ASK {}"}, timeout=5).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit("Virtuoso did not answer on /sparql within 120 s")

    def isql(self, sql: str) -> str:
        run = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True, text=True, check=False)
        if run.returncode:
            raise SystemExit(f"isql-vt failed on {sql!r}: {(run.stdout + run.stderr)[-500:]}")
        return run.stdout

    def bulk_load(self, nquads: Path) -> float:
        """Load one N-Quads file the fast way; seconds taken."""
        start = time.monotonic()
        self.isql(f"ld_dir('{nquads.parent}', '{nquads.name}', '{DEFAULT_GRAPH}');"
                  " rdf_loader_run(); checkpoint;")
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST "
                           "WHERE ll_error IS NOT NULL;")
        if "0 Rows" not in errors:
            raise SystemExit(f"Virtuoso's loader reported errors:\n{errors[-1500:]}")
        return time.monotonic() - start

    def select(self, text: str) -> dict:
        """A SELECT's answer as SPARQL results JSON."""
        return self.client(text, JSON).query().convert()

    def count(self, text: str, kind: str) -> int:
        """Rows of a SELECT, or distinct triples of a CONSTRUCT."""
        if kind == "graph":
            answer = self.client(text, TURTLE).query().convert()
            return len(set(parse(answer, format=RdfFormat.TURTLE)))
        return len(self.select(text)["results"]["bindings"])

    def client(self, text: str, fmt: str) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setReturnFormat(fmt)
        client.setTimeout(600)
        client.setQuery(text)
        return client

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", "exec=shutdown;"],
                       capture_output=True, check=False, timeout=120)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=30)


def export(store: Path, target: Path) -> int:
    """Write the store's whole dataset as N-Quads; its number of quads."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with Store(store, read_only=True) as opened, target.open("wb") as out:
        opened.export(out, RdfFormat.N_QUADS)
        return len(opened)


def fingerprint(path: Path) -> dict:
    stat = path.resolve().stat()
    return {"file": str(path.resolve()), "size": stat.st_size, "mtime": stat.st_mtime}


def still_to_load(home: Path, files: list[Path]) -> list[Path]:
    """The files the database lacks. It is kept when it holds the first of them (loaded
    earlier from these very files), else emptied."""
    marker = home / "db" / "loaded-from.json"
    held = json.loads(marker.read_text()) if marker.is_file() else []
    wanted = [fingerprint(f) for f in files]
    if held and held == wanted[: len(held)]:
        return files[len(held):]
    shutil.rmtree(home / "db", ignore_errors=True)
    return files


def virtuoso_timings(virt: Virtuoso, drawn: dict[str, list[Ask]]) -> dict[str, Timings]:
    found = {}
    for name, runs in drawn.items():
        found[name] = timings = Timings()
        texts = [ask.text() for ask in runs]
        kind = runs[0].saved.kind
        try:
            virt.count(texts[0], kind)
        except Exception as error:  # SPARQLWrapper raises several kinds; report any
            timings.errors.append(one_line(error))
            continue
        for text in texts:
            start = now_ms()
            try:
                rows = virt.count(text, kind)
            except Exception as error:
                timings.errors.append(one_line(error))
                continue
            timings.times.append(now_ms() - start)
            timings.rows.append(rows)
    return found


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300]


def table(ox: dict[str, Timings], virt: dict[str, Timings]) -> list[str]:
    lines = ["| question | runs | rows p50 | Oxigraph p50 | p95 | Virtuoso p50 | p95 "
             "| Oxigraph / Virtuoso |", "|---|---|---|---|---|---|---|---|"]
    for name, mine in ox.items():
        theirs = virt[name]
        rows = f"{len(mine.times)} | {percentile(mine.rows, 50):,.0f}"
        if not theirs.times:
            lines.append(f"| {name} | {rows} | {ms(mine.p50)} | {ms(mine.p95)} | error | | |")
            continue
        lines.append(f"| {name} | {rows} | {ms(mine.p50)} | {ms(mine.p95)} | {ms(theirs.p50)} "
                     f"| {ms(theirs.p95)} | {mine.p50 / theirs.p50:.1f} |")
    return lines


def disagreements(ox: dict[str, Timings], virt: dict[str, Timings],
                  drawn: dict[str, list[Ask]]) -> list[str]:
    found = []
    for name, mine in ox.items():
        theirs = virt[name]
        found += [f"{name}: Virtuoso error: {e}" for e in theirs.errors[:2]]
        if theirs.errors:
            continue
        for ask, a, b in zip(drawn[name], mine.rows, theirs.rows, strict=True):
            if a != b:
                found.append(f"{name} {ask.raw}: Oxigraph {a} rows, Virtuoso {b}")
    return found


def load(home: Path, files: list[Path]) -> None:
    """Bulk-load the files the database lacks, one by one, and stop the server.

    Queried in the session that loaded it, Virtuoso 7.2.5 answered 0 rows to queries with
    rdfs:subClassOf paths (11 of 80 draws on the examples); after a restart it agrees with
    Oxigraph: so a run loads, stops, and queries a fresh server.
    """
    missing = still_to_load(home, files)
    if not missing:
        print(f"Virtuoso's database in {home} already holds {', '.join(f.name for f in files)}")
        return
    marker = home / "db" / "loaded-from.json"
    with Virtuoso(home, folders(files)) as virt:
        for path in missing:
            seconds = virt.bulk_load(path.resolve())
            held = json.loads(marker.read_text()) if marker.is_file() else []
            marker.write_text(json.dumps([*held, fingerprint(path)]))
            print(f"Virtuoso loaded {path.name} in {seconds:.1f} s")


def folders(files: list[Path]) -> list[Path]:
    return sorted({f.resolve().parent for f in files})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="A store folder.")
    parser.add_argument("--load-only", action="store_true",
                        help="Only load --nquads into Virtuoso's database, ahead of a run.")
    parser.add_argument("--nquads", type=Path, nargs="+",
                        help="N-Quads files with the store's data (default: export the store).")
    parser.add_argument("--runs", type=int, default=20, help="Draws timed per question.")
    parser.add_argument("--budget", type=float, default=float("inf"),
                        help="Seconds per question on Oxigraph: a slow one gets fewer runs.")
    parser.add_argument("--min-runs", type=int, default=3, help="Runs despite the budget.")
    add_workload_arguments(parser)
    parser.add_argument("--home", type=Path, default=HOME, help="Virtuoso's folder.")
    args = parser.parse_args()
    if args.load_only and not args.nquads:
        parser.error("--load-only loads the files of --nquads: give them")
    if args.store is None and not args.load_only:
        parser.error("give --store (or --load-only with --nquads)")

    install()
    if args.load_only:
        load(args.home, args.nquads)
        return
    drawn = draw_workload(args.store, args.summary, args.seed, args.runs, args.questions)
    with Store(args.store, read_only=True) as store:
        quads = len(store)
    files = args.nquads or [args.home / "data" / f"{args.store.resolve().name}.nq"]
    newest = max(p.stat().st_mtime for p in args.store.iterdir())
    if args.nquads is None and not (files[0].is_file() and files[0].stat().st_mtime > newest):
        start = time.monotonic()
        export(args.store, files[0])
        print(f"exported {quads:,} quads to {files[0]} in {time.monotonic() - start:.1f} s")
    ox, _ = store_timings(args.store, drawn, args.budget, args.min_runs)
    load(args.home, files)
    with Virtuoso(args.home, folders(files)) as virt:
        count = int(virt.select(COUNT_QUADS)["results"]["bindings"][0]["n"]["value"])
        print(f"quads: Oxigraph {quads:,}, Virtuoso {count:,} (graphs under https://w3id.org/bilat/)")
        theirs = virtuoso_timings(virt, drawn)

    print(f"\nstore {args.store}, {args.runs} draws per question (ms; Virtuoso over HTTP + JSON)\n")
    print("\n".join(table(ox, theirs)))
    exit_on_disagreements(disagreements(ox, theirs, drawn))


if __name__ == "__main__":
    main()
