"""Each canned question's first-page latency on a store, over runs with varied parameters.

    .venv/bin/python bench/latency.py STORE SUMMARY.json [--runs 20] [--only NAME ...]
                                      [--offset N]

The store is opened as the web app opens it (read-write `Store(path)`); a run is what the
question page does: bind the parameters and take the first page (PAGE_SIZE rows + 1) as
queries/paging.py reads it (a few months at a time for a `by_month` question; else the
first rows of the answer, and a query with ORDER BY still sorts everything). With
--offset N, the page N rows deep instead (as ?offset=N asks for it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from params import Drawer  # noqa: E402

from bilat.graph import Store  # noqa: E402
from bilat.queries.catalogue import SavedQuery, load_catalogue  # noqa: E402
from bilat.queries.paging import page_rows, reader  # noqa: E402
from bilat.webapp import DEFAULTS  # noqa: E402

PAGE = DEFAULTS["PAGE_SIZE"] + 1


def first_page(store: Store, saved: SavedQuery, values: dict[str, str], size: int = PAGE,
               offset: int = 0) -> tuple[float, int]:
    """Seconds to the first page (`size` rows; or the page `offset` rows deep), and its
    row count."""
    index = store.text_index()
    started = time.perf_counter()
    _, rows = page_rows(saved, saved.bind(values), offset, offset + size, reader(store.query),
                        index and index.first)
    return time.perf_counter() - started, len(rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(store: Store, summary: dict, runs: int = 20, only: list[str] | None = None,
            seed: int = 7, budget: float = 60, queries: Path | None = None,
            offset: int = 0) -> list[dict]:
    """One row per saved query: p50, p95, max (ms), mean rows, the slowest parameters.

    A question stops early once its runs have taken `budget` seconds (the row says how
    many runs it got).
    """
    drawer = Drawer(summary, seed)
    rows = []
    for name, saved in sorted(load_catalogue(queries).items()):
        if only and name not in only:
            continue
        # warm this query's caches
        warm, _ = first_page(store, saved, drawer.values(saved), offset=offset)
        timings = []
        spent = warm
        for _ in range(runs):
            if spent > budget:
                break
            values = drawer.values(saved)
            seconds, count = first_page(store, saved, values, offset=offset)
            spent += seconds
            timings.append((seconds * 1000, count, values))
        if not timings:
            timings.append((warm * 1000, 0, {"(warm-up run only)": "over budget"}))
        ms = [t[0] for t in timings]
        slowest = max(timings, key=lambda t: t[0])
        rows.append({
            "question": name,
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "max_ms": round(max(ms), 1),
            "rows": round(statistics.mean(t[1] for t in timings), 1),
            "runs": len(timings),
            "slowest": slowest[2],
        })
        print(f"  {name}: p50 {rows[-1]['p50_ms']} ms, p95 {rows[-1]['p95_ms']} ms",
              file=sys.stderr)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| question | p50 ms | p95 ms | max ms | runs | rows (mean) "
             "| slowest run's parameters |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        params = " ".join(f"{k}={v}" for k, v in r["slowest"].items())
        lines.append(f"| {r['question']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} "
                     f"| {r.get('runs', '')} | {r['rows']} | {params} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("summary", type=Path, help="the generator's FILE.json")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="saved query names")
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds of runs per question before it stops (default 60)")
    parser.add_argument("--offset", type=int, default=0,
                        help="time the page this many rows deep (default 0: the first)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--queries", type=Path, help="a folder of saved queries to measure "
                        "instead of queries/ (e.g. older versions)")
    args = parser.parse_args()
    summary = json.loads(args.summary.read_text(encoding="utf-8"))
    with Store(args.store) as store:
        rows = measure(store, summary, args.runs, args.only, budget=args.budget,
                       queries=args.queries, offset=args.offset)
    print(json.dumps(rows) if args.json else table(rows))


if __name__ == "__main__":
    main()
