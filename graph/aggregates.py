"""The aggregates graph: precomputed rows for the canned questions that summarize everything.

Each queries/aggregates/*.rq file (data files a researcher may edit) is a CONSTRUCT over the
union of all graphs; their triples, together, are the aggregates graph. They are CONSTRUCTs
run from Python, not SPARQL UPDATEs, because pyoxigraph's update cannot read the union of
the named graphs as its default graph (where every communiqué's triples are).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode

AGGREGATES_GRAPH = NamedNode("https://w3id.org/bilat/id/graph/aggregates")
FOLDER = Path(__file__).resolve().parents[1] / "queries" / "aggregates"


def aggregate_queries(folder: Path = FOLDER) -> list[tuple[str, str]]:
    """(file name, CONSTRUCT query) for every .rq file, in name order."""
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.rq"))]
