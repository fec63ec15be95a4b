"""The aggregates graph: precomputed rows for the canned questions that summarize everything.

Each queries/aggregates/*.rq file (data files a researcher may edit) is a CONSTRUCT over the
union of all graphs; their triples, together, are the aggregates graph. They are CONSTRUCTs
run from Python, not SPARQL UPDATEs, because pyoxigraph's update cannot read the union of
the named graphs as its default graph (where every communiqué's triples are).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad

AGGREGATES_GRAPH = NamedNode("https://w3id.org/bilat/id/graph/aggregates")
FOLDER = Path(__file__).resolve().parents[1] / "queries" / "aggregates"


def aggregate_queries(folder: Path = FOLDER) -> list[tuple[str, str]]:
    """(file name, CONSTRUCT query) for every .rq file, in name order."""
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.rq"))]


def refresh_aggregates(store: Any) -> None:
    """Recompute the aggregates graph of an embedded or a remote store."""
    if hasattr(store, "refresh_aggregates"):
        store.refresh_aggregates()
        return
    # a remote store: each file's rows must be in the store before the next file runs
    rows: list[Quad] = []
    store.update(f"DROP SILENT GRAPH {AGGREGATES_GRAPH}")
    for _name, construct in aggregate_queries():
        rows += (Quad(t.subject, t.predicate, t.object, AGGREGATES_GRAPH)
                 for t in store.query(construct))
        store.replace_graph(AGGREGATES_GRAPH, rows)
