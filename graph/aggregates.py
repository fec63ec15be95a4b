"""The aggregates graph: precomputed rows for the canned questions that summarize everything.

Each queries/aggregates/*.rq file (data files a researcher may edit) is a CONSTRUCT over the
union of all graphs; their triples, together, are the aggregates graph. They are CONSTRUCTs
run from Python, not SPARQL UPDATEs, because pyoxigraph's update cannot read the union of
the named graphs as its default graph (where every communiqué's triples are).

A file may read rows of the files before it. `run_order` finds which (from the predicates
each one writes and reads), so that the others can run beside it (`run_in_order`). A file
must not read its own rows or those of a file after it: a refresh writes only what changed
(graph/rowfiles.py), so until a file has run, the graph holds its rows of the last refresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import NamedNode
from rdflib import RDF, URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql import prepareQuery

from bilat.ontology import PREFIXES

AGGREGATES_GRAPH = NamedNode("https://w3id.org/bilat/id/graph/aggregates")
FOLDER = Path(__file__).resolve().parents[1] / "queries" / "aggregates"

# a triple's key: its predicate, or (rdf:type, class) for a type; ANY stands for a
# variable there, which may be (or read) anything
ANY = None
Key = tuple[URIRef | None, URIRef | None]
# told as a refresh starts ("", 0, steps) and after each step (the file, or the text
# index, just done; how many are; of how many), one call at a time
Progress = Callable[[str, int, int], None]


def aggregate_queries(folder: Path = FOLDER) -> list[tuple[str, str]]:
    """(file name, CONSTRUCT query) for every .rq file, in name order."""
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.rq"))]


@dataclass(frozen=True)
class Order:
    """How one query stands to the others."""

    finished: frozenset[str]  # earlier ones it runs after: they write triples it reads (or
    # may write the same triples, see `shares`)
    started: frozenset[str]  # earlier ones it starts after: they read triples it writes, and
    # must not see its rows (a query reads a snapshot of the store taken when it starts)
    shares: frozenset[str]  # the others that may write some of the same triples


def run_order(queries: list[tuple[str, str]]) -> dict[str, Order]:
    """For each query (CONSTRUCTs, and SELECTs that read their rows), in the list's order,
    the others it must follow; it may run beside the rest."""
    shapes = [(name, *_shape(sparql)) for name, sparql in queries]
    orders = {}
    for i, (name, writes, reads) in enumerate(shapes):
        shares = {e for e, e_writes, _ in shapes if e != name and _meet(e_writes, writes)}
        orders[name] = Order(
            finished=frozenset(e for e, e_writes, _ in shapes[:i]
                               if _meet(e_writes, reads) or e in shares),
            started=frozenset(e for e, _, e_reads in shapes[:i] if _meet(writes, e_reads)),
            shares=frozenset(shares),
        )
    return orders


def run_in_order(tasks: dict[str, Callable[[Callable[[], None]], None]],
                 order: Mapping[str, Order], workers: int) -> None:
    """Run each task (in dict order, at most `workers` at once) once the tasks it follows
    have finished or started. A task gets a callable to call when it has started (its query
    has taken its snapshot). The first error is raised once the running tasks are done;
    the tasks not started by then are not run."""
    changed = threading.Condition()
    started: set[str] = set()
    finished: set[str] = set()
    errors: list[BaseException] = []
    pending = list(tasks)

    def mark(name: str, *into: set[str]) -> None:
        with changed:
            for done in into:
                done.add(name)
            changed.notify_all()

    def work(name: str) -> None:
        try:
            tasks[name](lambda: mark(name, started))
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)
        finally:
            mark(name, started, finished)

    with ThreadPoolExecutor(workers) as pool, changed:
        while pending and not errors:
            ready = next((n for n in pending if order[n].finished <= finished
                          and order[n].started <= started), None)
            if ready is None or len(tasks) - len(pending) - len(finished) >= workers:
                changed.wait()
                continue
            pending.remove(ready)
            pool.submit(work, ready)
    if errors:
        raise errors[0]


@cache
def _shape(sparql: str) -> tuple[set[Key], set[Key]]:
    """The keys of the triples a query writes (its CONSTRUCT template) and reads."""
    algebra = prepareQuery(sparql, initNs=PREFIXES).algebra
    writes = {_key(t) for t in algebra["template"]} if "template" in algebra else set()
    reads = {key for t in _triples(algebra.p) for key in _read_keys(t)}
    return writes, reads


def _triples(node: object) -> Iterator[tuple]:
    """The triple patterns anywhere in an rdflib algebra tree (subqueries, EXISTS…)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "triples":
                yield from value
            elif not name.startswith("_"):
                yield from _triples(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _triples(value)


def _key(triple: tuple) -> Key:
    predicate, obj = triple[1], triple[2]
    if not isinstance(predicate, URIRef):
        return (ANY, ANY)
    if predicate == RDF.type:
        return (predicate, obj if isinstance(obj, URIRef) else ANY)
    return (predicate, ANY)


def _read_keys(triple: tuple) -> Iterator[Key]:
    """A pattern's keys; a property path reads each predicate in it."""
    path = triple[1]
    if isinstance(path, SequencePath | AlternativePath):
        for part in path.args:
            yield from _read_keys((None, part, None))
    elif isinstance(path, MulPath):
        yield from _read_keys((None, path.path, None))
    elif isinstance(path, InvPath):
        yield from _read_keys((None, path.arg, None))
    elif isinstance(path, NegatedPath):
        yield (ANY, ANY)
    else:
        yield _key(triple)


def _meet(writes: set[Key], reads: set[Key]) -> bool:
    """Whether a read pattern may match a written triple."""
    return any(_may_be(w[0], r[0]) and _may_be(w[1], r[1]) for w in writes for r in reads)


def _may_be(a: URIRef | None, b: URIRef | None) -> bool:
    return a is ANY or b is ANY or a == b
