"""The web app keeps answering while `bilat load` writes, from another process.

The design: both point at one Oxigraph server (`oxigraph serve --location data/store`, the
embedded store's folder format), and the loader replaces each communiqué's named graph in
one Graph Store Protocol PUT, which the server applies atomically. So a reader sees a
communiqué whole or not at all. The test loads 200 communiqués while a client queries the
app over real HTTP without pause.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from bilat.graph import open_store
from bilat.graph.aggregates import AGGREGATES_GRAPH
from bilat.webapp import create_app

from conftest import REPO
from servers import oxigraph_server, serve_app

COMMUNIQUES = 200
LOAD_TIMEOUT = 150  # seconds; the load takes ~20-40 s on two busy cores
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PER_GRAPH = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""


def make_communiques(folder: Path, count: int) -> list[Path]:
    """`count` distinct communiqués: the bundled examples, each copy under its own file
    name (hence its own graph) and with its date line moved on by a day per copy."""
    examples = sorted((REPO / "examples").glob("*.txt"))
    folder.mkdir()
    made = []
    for i in range(count):
        source = examples[i % len(examples)]
        text = source.read_text(encoding="utf-8")
        day = date.fromisoformat(DATE.search(text).group()) + timedelta(days=i)
        target = folder / f"{source.stem}-{i:03d}.txt"
        target.write_text(DATE.sub(day.isoformat(), text, count=1), encoding="utf-8")
        made.append(target)
    return made


def counts_per_graph(response: requests.Response) -> dict[str, int]:
    rows = response.json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@pytest.fixture
def served_app(tmp_path):
    """An Oxigraph server, and the web app on it served over HTTP: (server URL, app URL)."""
    with oxigraph_server(tmp_path / "store") as server:
        with serve_app(create_app({"STORE": server})) as url:
            yield server, url


def test_readers_see_whole_communiques_while_another_process_loads(served_app, tmp_path):
    server, app = served_app
    folder = tmp_path / "communiques"
    make_communiques(folder, COMMUNIQUES)
    bilat = Path(sys.executable).parent / "bilat"
    loader = subprocess.Popen(
        [str(bilat), "--store", server, "load", "-j", "2", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    observed: list[dict[str, int]] = []
    failures: list[str] = []
    pages = 0
    started = time.monotonic()
    try:
        while loader.poll() is None:
            assert time.monotonic() - started < LOAD_TIMEOUT, "the load took too long"
            try:
                response = requests.get(f"{app}/sparql", params={"query": PER_GRAPH},
                                        headers={"Accept": "application/sparql-results+json"},
                                        timeout=30)
                if response.status_code != 200:
                    failures.append(f"/sparql {response.status_code}: {response.text[:200]}")
                    continue
                observed.append(counts_per_graph(response))
                if len(observed) % 10 == 0:  # and now and then a canned question's page
                    page = requests.get(f"{app}/questions/most-active-actors", timeout=30)
                    pages += 1
                    if page.status_code != 200:
                        failures.append(f"question page {page.status_code}")
            except requests.RequestException as error:
                failures.append(f"{type(error).__name__}: {error}")
    finally:
        if loader.poll() is None:
            loader.kill()
        out, err = loader.communicate()
    assert loader.returncode == 0, err[-2000:]
    assert f"loaded {COMMUNIQUES} of {COMMUNIQUES} communiqués" in out
    assert failures == []

    final = counts_per_graph(requests.get(
        f"{app}/sparql", params={"query": PER_GRAPH},
        headers={"Accept": "application/sparql-results+json"}, timeout=30))
    communiques = [g for g in final if "/communique/" in g]
    assert len(communiques) == COMMUNIQUES
    with open_store(server) as store:
        assert len(store.named_graphs()) == COMMUNIQUES + 1  # and the vocabulary
    # the reads overlapped the load: some saw part of the communiqués, some none
    partial = [seen for seen in observed
               if 0 < sum("/communique/" in g for g in seen) < COMMUNIQUES]
    assert len(partial) >= 5, f"only {len(partial)} of {len(observed)} reads overlapped the load"
    assert pages >= 1
    print(f"{len(observed)} reads and {pages} pages during the load, {len(partial)} partial")
    for seen in observed:
        for graph, count in seen.items():
            if graph == AGGREGATES_GRAPH.value:  # derived rows, recomputed after the load
                continue
            assert count == final[graph], f"{graph}: read {count} quads of {final[graph]}"
