"""Registries of the serializations bilat reads and writes, looked up by name."""

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import QueryResultsFormat, RdfFormat

RDF_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
}

RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class MediaType:
    """One way the SPARQL endpoint can write an answer."""

    writer: str  # the format name write_result takes (a key of RESULT_FORMATS or RDF_FORMATS)
    content_type: str  # the Content-Type header sent with it
    names: tuple[str, ...]  # what a `format=` URL parameter may call it


# SPARQL 1.1 Protocol answers, by media type, the default first. SELECT and ASK:
SOLUTION_MEDIA_TYPES: dict[str, MediaType] = {
    "application/sparql-results+json": MediaType(
        "json", "application/sparql-results+json", ("json", "srj")
    ),
    "application/sparql-results+xml": MediaType(
        "xml", "application/sparql-results+xml", ("xml", "srx")
    ),
    "text/csv": MediaType("csv", "text/csv; charset=utf-8", ("csv",)),
    "text/tab-separated-values": MediaType(
        "tsv", "text/tab-separated-values; charset=utf-8", ("tsv",)
    ),
}
# CONSTRUCT and DESCRIBE:
GRAPH_MEDIA_TYPES: dict[str, MediaType] = {
    "text/turtle": MediaType("turtle", "text/turtle; charset=utf-8", ("turtle", "ttl")),
    "application/n-triples": MediaType(
        "nt", "application/n-triples", ("nt", "ntriples", "n-triples")
    ),
    "application/ld+json": MediaType("jsonld", "application/ld+json", ("jsonld", "json-ld")),
}
# The table for each kind of answer: "solutions" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE).
ANSWER_MEDIA_TYPES: dict[str, dict[str, MediaType]] = {
    "solutions": SOLUTION_MEDIA_TYPES,
    "graph": GRAPH_MEDIA_TYPES,
}


def rdf_format(name: str) -> RdfFormat:
    """The RDF format called `name` (a key of RDF_FORMATS or a file extension)."""
    if name in RDF_FORMATS:
        return RDF_FORMATS[name]
    found = RdfFormat.from_extension(name)
    if found is None:
        raise ValueError(f"unknown RDF format {name!r}; choose one of {', '.join(RDF_FORMATS)}")
    return found


def rdf_format_of(path: Path) -> RdfFormat:
    """The RDF format a file's extension names (.ttl, .trig, .nt, .nq, .jsonld)."""
    found = RdfFormat.from_extension(path.suffix.lstrip("."))
    if found is None:
        raise ValueError(
            f"{path.name}: cannot tell the RDF format from the extension {path.suffix!r}"
        )
    return found
