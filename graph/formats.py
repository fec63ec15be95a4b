"""Registries of the serializations bilat reads and writes, looked up by name."""

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
