"""What each aggregates file costs: its query's seconds and rows on a store, one at a time.

    .venv/bin/python bench/aggregates.py STORE [NAME ...]

Runs each queries/aggregates/*.rq CONSTRUCT (and the full-text index's query) as a
refresh runs it, serialized to N-Triples, on the store opened read-only, one after the
other on one core (a refresh runs them side by side: graph/aggregates.py). NAME keeps
the files whose name contains it. Prints a markdown table; writes nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyoxigraph import RdfFormat

from bilat.graph.aggregates import aggregate_queries
from bilat.graph.store import TEXT_QUERY, TEXT_VIEW, Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("names", nargs="*", help="only the files whose name contains one")
    args = parser.parse_args()
    queries = [*aggregate_queries(), (TEXT_VIEW, TEXT_QUERY)]
    chosen = [(n, q) for n, q in queries if not args.names or any(a in n for a in args.names)]
    print("| file | seconds | rows |\n|---|---:|---:|")
    seconds = rows = 0
    with Store(args.store, read_only=True) as store:
        for name, sparql in chosen:
            started = time.perf_counter()
            result = store.query(sparql)
            if name == TEXT_VIEW:  # a SELECT: its rows go to SQLite, not the graph
                count = sum(1 for _ in result)
            else:
                count = result.serialize(format=RdfFormat.N_TRIPLES).count(b"\n")
            took = time.perf_counter() - started
            seconds, rows = seconds + took, rows + count
            print(f"| {name} | {took:.1f} | {count:,} |", flush=True)
    print(f"| **all** | {seconds:.1f} | {rows:,} |")


if __name__ == "__main__":
    main()
