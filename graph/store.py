"""The embedded Oxigraph store: the only place that reads or writes the graph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Variable,
    parse,
    serialize,
)
from pyoxigraph import (
    Store as OxStore,
)

from bilat.graph.formats import RESULT_FORMATS, rdf_format, rdf_format_of
from bilat.ontology import ONTOLOGY_FILE, PREFIXES, TOPICS_FILE, VOCABULARY_GRAPH

Term = NamedNode | BlankNode | Literal
QueryResult = QuerySolutions | QueryTriples | QueryBoolean


class StoreError(Exception):
    """A store problem a user can act on (store in use, bad file, bad query)."""


class Store:
    """A bilat dataset: one named graph per communiqué, plus the vocabulary graph.

    Queries see the union of all named graphs as their default graph.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = OxStore()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"there is no store at {self.path}: load communiqués first")
                self._store = OxStore.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = OxStore(str(self.path))
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreError(
                    f"the store {self.path} is in use by another bilat process "
                    "(stop `bilat serve` first, or use another --store)"
                ) from error
            raise StoreError(f"cannot open the store {self.path}: {error}") from error

    def close(self) -> None:
        """Flush the write-ahead log (so the next open does not replay it) and let go of
        the folder's lock; the store cannot be used after this."""
        if self.path is not None and not self.read_only:
            self._store.flush()
        self._store = None  # pyoxigraph releases the lock when its Store is dropped

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -----------------------------------------------------------------

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        """Replace a named graph's content in one transaction: readers see old or new."""
        body = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
        self._store.update(
            f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {body} }} }}"
        )

    def load_vocabulary(self) -> None:
        """Write the ontology and the topic scheme into their own named graph, when changed."""
        vocabulary = Dataset(
            Quad(t.subject, t.predicate, t.object, VOCABULARY_GRAPH_NODE)
            for path in (ONTOLOGY_FILE, TOPICS_FILE)
            for t in parse(path=path, format=RdfFormat.TURTLE)
        )
        # blank nodes (OWL lists) get fresh labels on every insert, so compare canonical forms
        # and leave an unchanged vocabulary as it is
        stored = Dataset(self.quads(VOCABULARY_GRAPH_NODE))
        for dataset in (vocabulary, stored):
            dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
        if set(vocabulary) != set(stored):
            self.replace_graph(VOCABULARY_GRAPH_NODE, vocabulary)

    def import_file(self, path: Path, graph: NamedNode | None = None) -> int:
        """Add an RDF file's triples or quads; a file with a syntax error adds nothing.

        Triples go into `graph` (default: the default graph). Returns the quad count.
        """
        fmt = rdf_format_of(path)
        target = graph or DefaultGraph()
        try:
            quads = [
                q if fmt.supports_datasets else Quad(q.subject, q.predicate, q.object, target)
                for q in parse(path=path, format=fmt)
            ]
        except SyntaxError as error:
            raise StoreError(f"{path.name}: {error}") from error
        if fmt.supports_datasets and graph is not None:
            quads = [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
        # parsed in full first, so a syntax error half way leaves the store untouched
        self._store.bulk_extend(quads)
        return len(quads)

    # --- reading -----------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE; `bindings` are bound as RDF terms."""
        substitutions = {Variable(name): term for name, term in (bindings or {}).items()}
        try:
            return self._store.query(
                sparql,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions=substitutions,
            )
        except SyntaxError as error:
            raise StoreError(f"bad SPARQL: {error}") from error
        except RuntimeError as error:  # e.g. a bound variable the SELECT does not project
            raise StoreError(str(error)) from error

    def named_graphs(self) -> list[NamedNode]:
        """Every named graph's name, the vocabulary graph included."""
        return [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]

    def has_graph(self, graph: NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def quads(self, graph: NamedNode | None = None) -> list[Quad]:
        """All quads, or those of one named graph."""
        return list(self._store.quads_for_pattern(None, None, None, graph))

    def __len__(self) -> int:
        return len(self._store)

    # --- writing out -------------------------------------------------------------

    def export(self, output: BinaryIO, fmt: RdfFormat, graph: NamedNode | None = None) -> None:
        """Write the whole dataset, or one named graph, in `fmt`.

        A triple format (Turtle, N-Triples) of the whole dataset writes the union graph.
        """
        if graph is not None:
            if not self.has_graph(graph):
                raise StoreError(f"no named graph {graph.value} in the store")
            quads = self.quads(graph)
            data = quads if fmt.supports_datasets else [q.triple for q in quads]
            serialize(data, output, fmt, prefixes=PREFIXES)
        elif fmt.supports_datasets:
            self._store.dump(output, fmt, prefixes=PREFIXES)
        else:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            serialize(set(triples), output, fmt, prefixes=PREFIXES)


VOCABULARY_GRAPH_NODE = NamedNode(str(VOCABULARY_GRAPH))


def write_result(result: QueryResult, output: BinaryIO, fmt_name: str) -> None:
    """Serialize a query result: SELECT/ASK as a results format, graphs as RDF."""
    if isinstance(result, QueryTriples):
        serialize(result, output, rdf_format(fmt_name), prefixes=PREFIXES)
    else:
        result.serialize(output, RESULT_FORMATS[fmt_name])
