"""The store benchmark, in one command: generate, import, query; prints markdown tables.

    .venv/bin/python bench/run.py [--sizes 10000 100000] [--runs 20] [--dir /tmp/bilat-bench]
                                  [--skip-import] [--skip-queries]

For each size N: generate N communiqués (bench/generate.py; kept in DIR and reused), then
  1. `pyoxigraph.Store(path).bulk_load(path=FILE)` into a fresh folder (the raw bulk loader),
  2. `bilat --store DIR import FILE` into another fresh folder (through the CLI: the load,
     then the aggregates refresh), each in its own process under /usr/bin/time, then
     `bilat load` of the 5 bundled examples into that store (an archive growing), and
  3. each canned question's first-page latency on the imported store (bench/latency.py).
Results also go to DIR/results-N.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from latency import table  # noqa: E402

from bilat.queries.catalogue import load_catalogue  # noqa: E402

PYTHON = sys.executable
BILAT = str(Path(sys.executable).parent / "bilat")
EXAMPLES = HERE.parent / "examples"  # 5 communiqués added to the imported archive
RAW = """
import sys, time, pyoxigraph
started = time.perf_counter()
store = pyoxigraph.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS)
store.flush()
print(f"seconds {time.perf_counter() - started:.2f}")
"""


def timed(command: list[str], mark: str | None = None) -> dict:
    """Wall seconds and peak RSS (MB) of a command, from /usr/bin/time -v; with `mark`, also
    the seconds until it printed a line starting with `mark` (`marked_s`)."""
    started = time.perf_counter()
    marked, output = None, []
    with tempfile.TemporaryFile("w+") as errors:
        with subprocess.Popen(["/usr/bin/time", "-v", *command], stdout=subprocess.PIPE,
                              stderr=errors, text=True) as process:
            for line in process.stdout:
                if mark and marked is None and line.startswith(mark):
                    marked = round(time.perf_counter() - started, 1)
                output.append(line)
        seconds = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{''.join(output)}\n{stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return {"seconds": round(seconds, 1), "peak_rss_mb": int(rss.group(1)) // 1024 if rss else None,
            "output": "".join(output).strip(), "marked_s": marked}


def size_mb(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) // (1 << 20)


def generated(count: int, folder: Path, seed: int) -> tuple[Path, dict]:
    data = folder / f"gen-{count // 1000}k.nq"
    summary_file = data.with_suffix(".json")
    if summary_file.exists() and json.loads(summary_file.read_text())["seed"] == seed:
        print(f"reusing {data}", file=sys.stderr)
    else:
        subprocess.run([PYTHON, str(HERE / "generate.py"), str(count), "-o", str(data),
                        "--seed", str(seed)], check=True)
    return data, json.loads(summary_file.read_text())


def bench_import(data: Path, quads: int, folder: Path) -> dict:
    """The raw bulk loader and `bilat import` on the same file, each into a fresh folder."""
    raw_dir, store_dir = folder / f"raw-{data.stem}", folder / f"store-{data.stem}"
    for d in (raw_dir, store_dir):
        shutil.rmtree(d, ignore_errors=True)
    print(f"bulk_load {data} ...", file=sys.stderr)
    raw = timed([PYTHON, "-c", RAW, str(raw_dir), str(data)])
    raw_size = size_mb(raw_dir)
    shutil.rmtree(raw_dir)
    print(f"bilat import {data} ...", file=sys.stderr)
    # it prints "imported N quads" once the data is stored, before the aggregates refresh
    imported = timed([BILAT, "--store", str(store_dir), "import", str(data)], mark="imported ")
    print("bilat load examples/ into it ...", file=sys.stderr)
    added = timed([BILAT, "--store", str(store_dir), "load", str(EXAMPLES)])
    return {
        "quads": quads,
        "raw_s": raw["seconds"], "raw_rss_mb": raw["peak_rss_mb"], "raw_mb": raw_size,
        "import_s": imported["seconds"], "import_rss_mb": imported["peak_rss_mb"],
        "store_mb": size_mb(store_dir),
        "raw_qps": round(quads / raw["seconds"]), "import_qps": round(quads / imported["seconds"]),
        "ratio": round(raw["seconds"] / imported["seconds"], 2),
        "data_s": imported["marked_s"],
        "data_ratio": round(raw["seconds"] / imported["marked_s"], 2),
        "add_s": added["seconds"],
    }


def bench_question(store: Path, summary: Path, name: str, runs: int, timeout: float) -> dict:
    """One question's latencies, measured in a process that is killed after `timeout` s
    (pyoxigraph cannot stop a running query)."""
    command = [PYTHON, str(HERE / "latency.py"), str(store), str(summary), "--only", name,
               "--runs", str(runs), "--budget", str(timeout / 2), "--json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"question": name, "p50_ms": f"> {timeout:.0f} s", "p95_ms": "", "max_ms": "",
                "runs": 0, "rows": "", "slowest": {}}
    if done.returncode != 0:
        raise SystemExit(f"{name}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)[0]


def import_table(rows: dict[int, dict]) -> str:
    lines = ["| communiqués | quads | bulk_load s | quads/s | `bilat import` s (load + aggregates) "
             "| quads/s | ratio | of which the load s (ratio) | store MB (raw MB) "
             "| peak RSS MB import / raw | then `bilat load` of the 5 examples s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, r in rows.items():
        lines.append(f"| {n:,} | {r['quads']:,} | {r['raw_s']} | {r['raw_qps']:,} | "
                     f"{r['import_s']} | {r['import_qps']:,} | {r['ratio']} | "
                     f"{r.get('data_s', '')} ({r.get('data_ratio', '')}) | "
                     f"{r['store_mb']:,} ({r['raw_mb']:,}) | "
                     f"{r['import_rss_mb']} / {r['raw_rss_mb']} | {r.get('add_s', '')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bilat-bench"))
    parser.add_argument("--skip-import", action="store_true",
                        help="reuse DIR/store-gen-Nk from an earlier run")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a question's runs may take in all (default 120)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    imports: dict[int, dict] = {}
    for n in args.sizes:
        data, summary = generated(n, args.dir, args.seed)
        result_file = args.dir / f"results-{n}.json"
        results = json.loads(result_file.read_text()) if result_file.exists() else {}
        if not args.skip_import:
            results["import"] = bench_import(data, summary["quads"], args.dir)
        if "import" in results:
            imports[n] = results["import"]
        if not args.skip_queries:
            print(f"questions on {n:,} communiqués ...", file=sys.stderr)
            results["queries"] = [
                bench_question(args.dir / f"store-{data.stem}", data.with_suffix(".json"), name,
                               args.runs, args.timeout)
                for name in sorted(load_catalogue())
            ]
        result_file.write_text(json.dumps(results, indent=1))
        if "queries" in results:
            print(f"\n### First page of each canned question, {n:,} communiqués "
                  f"({args.runs} runs)\n\n{table(results['queries'])}")
    if imports:
        print(f"\n### Import\n\n{import_table(imports)}")


if __name__ == "__main__":
    main()
