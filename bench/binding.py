"""Compare two ways of binding the canned questions' parameters on one store.

    .venv/bin/python bench/binding.py STORE_DIR [NAME ...]

For each saved question (all by default), with its default parameters: the time to the
first page (51 rows) with pyoxigraph's `substitutions`, and with the VALUES block that
bilat binds with (graph/binding.py). Each runs in its own process, so neither warms the
other's caches, and is stopped after 20 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
from itertools import islice

FIRST_PAGE = 51
LIMIT_S = 20


def first_page_ms(store_dir: str, name: str, mode: str) -> str:
    """One run in this process: milliseconds to the first page, and its row count."""
    from pyoxigraph import Variable

    from bilat.graph import Store
    from bilat.ontology import PREFIXES
    from bilat.queries.catalogue import load_catalogue

    store = Store(store_dir, read_only=True)
    saved = load_catalogue(None)[name]
    bound = saved.bind({})
    start = time.perf_counter()
    if mode == "substitutions":
        result = store._store.query(
            saved.sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
            substitutions={Variable(k): v for k, v in bound.items()})
    else:
        result = store.query(saved.sparql, bound)
    rows = len(list(islice(result, FIRST_PAGE)))
    return f"{(time.perf_counter() - start) * 1000:.0f} ms ({rows} rows)"


def main(store_dir: str, names: list[str]) -> None:
    from bilat.queries.catalogue import load_catalogue

    print("| question | substitutions | VALUES |\n| --- | --- | --- |")
    for name in names or sorted(load_catalogue(None)):
        cells = []
        for mode in ("substitutions", "values"):
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--one", store_dir, name, mode],
                    capture_output=True, text=True, timeout=LIMIT_S, check=True)
                cells.append(done.stdout.strip())
            except subprocess.TimeoutExpired:
                cells.append(f"> {LIMIT_S} s")
        print(f"| {name} | {cells[0]} | {cells[1]} |", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(first_page_ms(*sys.argv[2:5]))
    elif len(sys.argv) < 2:
        sys.exit(__doc__)
    else:
        main(sys.argv[1], sys.argv[2:])
