"""SHACL validation of the store's content against ontology/shapes.ttl."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from pyoxigraph import RdfFormat
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH

from bilat.graph.store import Store
from bilat.ontology import ONTOLOGY_FILE, SHAPES_FILE


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str
    severity: str


def validate_store(store: Store) -> list[Violation]:
    """Every SHACL result for the union of the store's graphs (empty: it conforms)."""
    data = BytesIO()
    store.export(data, RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=data.getvalue(), format="nt")
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    _, report, _ = validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="none")
    return [
        Violation(
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
            shape=str(report.value(result, SH.sourceShape)),
            severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
        )
        for result in report.subjects(SH.focusNode, None)
    ]
