"""The embedded Oxigraph store: the only place that reads or writes the graph."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
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
    parse,
    serialize,
)
from pyoxigraph import (
    Store as OxStore,
)

from bilat.graph.aggregates import AGGREGATES_GRAPH, Progress
from bilat.graph.binding import BindingError, with_values
from bilat.graph.formats import RESULT_FORMATS, rdf_format, rdf_format_of
from bilat.graph.rowfiles import RowFiles
from bilat.graph.textindex import QUERY as TEXT_QUERY
from bilat.graph.textindex import TextIndex
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
        self._rows = RowFiles(self.path)  # what each aggregates file wrote (graph/rowfiles.py)
        self._writing = threading.Lock()  # one bulk load at a time (they are not transactions)

    def close(self) -> None:
        """Flush the write-ahead log (so the next open does not replay it) and let go of
        the folder's lock; the store cannot be used after this."""
        try:
            if self.path is not None and not self.read_only:
                self._store.flush()
        except OSError as error:
            raise self._write_error(error) from error
        finally:
            self._store = None  # pyoxigraph releases the lock when its Store is dropped

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        try:
            self.close()
        except StoreError:
            if exc_type is None:
                raise  # else the error that ended the block is the one to report

    def _write_error(self, error: OSError) -> StoreError:
        """A failed write as one line a user can act on (pyoxigraph sets no errno)."""
        if "No space left on device" in str(error):
            return StoreError(f"the disk holding the store {self.path} is full")
        return StoreError(f"cannot write to the store {self.path}: {' '.join(str(error).split())}")

    # --- writing -----------------------------------------------------------------

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        """Replace a named graph's content in one transaction: readers see old or new."""
        body = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
        try:
            self._store.update(
                f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {body} }} }}"
            )
        except OSError as error:  # a full disk: the transaction is not applied
            raise self._write_error(error) from error

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update in one transaction: all of it is applied, or nothing."""
        try:
            self._store.update(sparql, prefixes=PREFIXES)
        except SyntaxError as error:
            raise StoreError(f"bad SPARQL update: {error}") from error
        except RuntimeError as error:  # a store opened read-only
            raise StoreError(f"cannot update the store: {error}") from error
        except OSError as error:  # a full disk, or a LOAD or SERVICE that could not fetch
            if "No space left on device" in str(error):
                raise self._write_error(error) from error
            raise StoreError(f"the update failed: {' '.join(str(error).split())}") from error

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

    def import_file(self, path: Path, graph: NamedNode | None = None, *,
                    refresh: bool = True) -> int:
        """Add an RDF file's triples or quads; a file with a syntax error adds nothing.

        Triples go into `graph` (default: the default graph). Returns the quad count (into
        an empty store: the distinct quads stored). With `refresh`, the aggregates graph is
        recomputed afterwards (importing several files: refresh once, after the last).
        """
        count = self._import(path, graph)
        if refresh:
            self.refresh_aggregates()
        return count

    def _import(self, path: Path, graph: NamedNode | None) -> int:
        fmt = rdf_format_of(path)
        regraph = fmt.supports_datasets and graph is not None
        try:
            if self.is_empty():
                # nothing to protect: load at once, and on a syntax error empty the store
                # again (this skips a parse pass that costs ~25% of the load time)
                try:
                    self._bulk_load(path, fmt, graph, regraph)
                except SyntaxError:
                    self._store.clear()
                    raise
                return len(self._store)
            # read the whole file once first, so a syntax error half way adds nothing
            count = sum(1 for _ in parse(path=path, format=fmt))
        except SyntaxError as error:
            raise StoreError(f"{path.name}: {error}") from error
        self._bulk_load(path, fmt, graph, regraph)
        return count

    def _bulk_load(self, path: Path, fmt: RdfFormat, graph: NamedNode | None,
                   regraph: bool) -> None:
        """Oxigraph's bulk loader (2-4x faster than a transaction; not atomic)."""
        if regraph:  # a dataset's quads all moved into one graph
            self._store.bulk_extend(
                Quad(q.subject, q.predicate, q.object, graph)
                for q in parse(path=path, format=fmt)
            )
        else:
            self._store.bulk_load(path=path, format=fmt, to_graph=graph or DefaultGraph())

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def refresh_aggregates(self, progress: Progress | None = None) -> None:
        """Bring the aggregates graph (graph/aggregates.py) and the full-text index
        (graph/textindex.py) up to date with the whole dataset: call it after loading.

        Each aggregates file's rows are compared with those it wrote last time
        (graph/rowfiles.py) and only the difference is written. The files run side by side
        where they can (one that reads another's rows runs after it); until the refresh
        ends, a reader may see some files' new rows beside others' old ones. `progress`
        is told at the start and as each file (and the index) is done, from the thread
        that ran it, one call at a time.
        """
        from bilat.graph.aggregates import aggregate_queries, run_in_order, run_order

        if self._store.contains_named_graph(AGGREGATES_GRAPH) != self._rows.exists():
            # rows with no record of who wrote them (an older bilat, a graph dropped by
            # hand, a failed import): start again from nothing
            self._store.remove_graph(AGGREGATES_GRAPH)
            self._rows.clear()
        queries = aggregate_queries()
        order = run_order([*queries, (TEXT_VIEW, TEXT_QUERY)])
        for gone in self._rows.names() - {name for name, _ in queries}:  # a file deleted
            self._replace_rows(gone, b"", self._rows.names() - {gone})
            self._rows.forget(gone)

        def aggregate(name: str, construct: str, started: Callable[[], None]) -> None:
            try:
                result = self.query(construct)
                started()
                # N-Triples, not Python objects: at 100k communiqués the graph has 12M rows
                rows = result.serialize(format=RdfFormat.N_TRIPLES)
            except StoreError as error:
                raise StoreError(f"queries/aggregates/{name}: {error}") from error
            self._replace_rows(name, rows, order[name].shares)

        tasks = {name: partial(aggregate, name, construct) for name, construct in queries}
        tasks[TEXT_VIEW] = self._refresh_text_index
        if progress is not None:
            tasks = _reporting(tasks, progress)
        # the engine lets go of the GIL while it evaluates: threads use every core
        run_in_order(tasks, order, workers=min(4, os.cpu_count() or 1))

    def _replace_rows(self, name: str, new: bytes, sharers: Iterable[str]) -> None:
        """Replace the rows aggregates file `name` wrote last time by `new`, keeping those
        that one of `sharers` (files that may write the same rows) also wrote."""
        old = self._rows.read(name)
        if old == new:
            return
        added, removed = new, set()
        if old:
            old_rows, new_rows = set(old.splitlines()), set(new.splitlines())
            added, removed = b"\n".join(new_rows - old_rows), old_rows - new_rows
            for other in sharers:
                if removed:
                    removed -= {row for row in self._rows.lines(other) if row in removed}
        # the record first: if the writes below stop half way, it still holds every row
        # that can be in the graph, and the next refresh deletes the ones not made again
        self._rows.write(name, old + new)
        with self._writing:
            try:
                if removed:
                    self._store.update(f"DELETE DATA {{ GRAPH {AGGREGATES_GRAPH} "
                                       f"{{ {b' '.join(removed).decode()} }} }}")
                if added:
                    self._store.bulk_load(added, RdfFormat.N_TRIPLES, to_graph=AGGREGATES_GRAPH)
            except OSError as error:
                raise self._write_error(error) from error
        if old:
            self._rows.write(name, new)

    def text_index(self) -> TextIndex | None:
        """The full-text index beside the store (graph/textindex.py); none in memory."""
        return TextIndex(self.path) if self.path is not None else None

    def _refresh_text_index(self, started: Callable[[], None]) -> None:
        index = self.text_index()
        if index is None:
            return
        result = self.query(TEXT_QUERY)
        started()
        rows = ((row["item"].value, row["date"].value if row["date"] else "", row["text"].value)
                for row in result)
        try:
            index.rebuild(rows)
        except sqlite3.Error as error:  # the old index stays
            if "disk is full" in str(error):
                raise StoreError(f"the disk holding the store {self.path} is full") from error
            raise StoreError(f"cannot write the text index {index.path}: {error}") from error

    # --- reading -----------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE; `bindings` are bound as RDF terms, in a
        VALUES block (graph/binding.py says why not pyoxigraph's substitutions)."""
        try:
            return self._store.query(
                with_values(sparql, bindings or {}),
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
            )
        except BindingError as error:
            raise StoreError(str(error)) from error
        except SyntaxError as error:
            raise StoreError(f"bad SPARQL: {error}") from error
        except RuntimeError as error:  # e.g. a bound variable the SELECT does not project
            raise StoreError(str(error)) from error

    def named_graphs(self) -> list[NamedNode]:
        """Every named graph's name, the vocabulary graph included, the aggregates graph
        (derived data, graph/aggregates.py) left out."""
        return [g for g in self._store.named_graphs()
                if isinstance(g, NamedNode) and g != AGGREGATES_GRAPH]

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
            write_graph(self, output, fmt, graph)
        elif fmt.supports_datasets:
            self._store.dump(output, fmt, prefixes=PREFIXES)
        else:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            serialize(set(triples), output, fmt, prefixes=PREFIXES)


def _reporting(tasks: dict[str, Callable[[Callable[[], None]], None]],
               progress: Progress) -> dict[str, Callable[[Callable[[], None]], None]]:
    """The refresh's tasks, each telling `progress` when it is done."""
    done = 0
    counting = threading.Lock()
    progress("", done, len(tasks))

    def reported(name: str, started: Callable[[], None]) -> None:
        nonlocal done
        tasks[name](started)
        with counting:
            done += 1
            progress(name, done, len(tasks))

    return {name: partial(reported, name) for name in tasks}


VOCABULARY_GRAPH_NODE = NamedNode(str(VOCABULARY_GRAPH))
TEXT_VIEW = "views/text.rq"  # the full-text index's rows (graph/textindex.py)


def write_graph(store: Store, output: BinaryIO, fmt: RdfFormat, graph: NamedNode) -> None:
    """One named graph of a store (embedded or remote) in `fmt`: its triples for a triple
    format, its quads for a dataset format."""
    if not store.has_graph(graph):
        raise StoreError(f"no named graph {graph.value} in the store")
    quads = store.quads(graph)
    serialize(quads if fmt.supports_datasets else [q.triple for q in quads], output, fmt,
              prefixes=PREFIXES)


def write_result(result: QueryResult, output: BinaryIO, fmt_name: str) -> None:
    """Serialize a query result: SELECT/ASK as a results format, graphs as RDF."""
    if isinstance(result, QueryTriples):
        serialize(result, output, rdf_format(fmt_name), prefixes=PREFIXES)
    else:
        result.serialize(output, RESULT_FORMATS[fmt_name])
