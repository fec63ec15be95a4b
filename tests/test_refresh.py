"""Refreshing the aggregates graph: only the difference is written (graph/rowfiles.py), and
the files run side by side where their order allows (graph/aggregates.py)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
import time
from collections import defaultdict

import pytest
from pyoxigraph import NamedNode, Quad, parse

from bilat.graph import Store
from bilat.graph import aggregates as aggregates_module
from bilat.graph.aggregates import AGGREGATES_GRAPH, Order, run_in_order, run_order
from bilat.graph.rowfiles import FOLDER_NAME

from conftest import REPO

spec = importlib.util.spec_from_file_location("generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(spec)
sys.modules["generate"] = generate
spec.loader.exec_module(generate)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> list[tuple[NamedNode, list[Quad]]]:
    """40 generated communiqués (and the vocabulary graph first), graph by graph."""
    data = tmp_path_factory.mktemp("refresh") / "g.nq"
    generate.generate(40, data, seed=5, pool=120)
    by_graph: dict[NamedNode, list[Quad]] = defaultdict(list)
    for quad in parse(path=data):
        by_graph[quad.graph_name].append(quad)
    return list(by_graph.items())


def aggregates(store: Store) -> set[Quad]:
    return set(store.quads(AGGREGATES_GRAPH))


def recorded(store: Store) -> set[Quad]:
    """The rows the row files say the aggregates files wrote."""
    folder = store.path / FOLDER_NAME
    return {Quad(t.subject, t.predicate, t.object, AGGREGATES_GRAPH)
            for path in folder.glob("*.nt") for t in parse(path=path)}


def from_scratch(graphs, tmp_path) -> set[Quad]:
    with Store(tmp_path / "scratch") as store:
        for graph, quads in graphs:
            store.replace_graph(graph, quads)
        store.refresh_aggregates()
        return aggregates(store)


def test_later_refreshes_write_what_one_refresh_of_the_same_data_writes(graphs, tmp_path):
    with Store(tmp_path / "store") as store:
        for graph, quads in graphs[:25]:
            store.replace_graph(graph, quads)
        store.refresh_aggregates()
        first = aggregates(store)
        for graph, quads in graphs[25:]:  # rows added, and counts that change
            store.replace_graph(graph, quads)
        store.refresh_aggregates()
        assert aggregates(store) == from_scratch(graphs, tmp_path / "all") != first
        dropped = graphs[3][0]  # rows that go
        store.update(f"DROP GRAPH {dropped}")
        store.refresh_aggregates()
        kept = [(g, quads) for g, quads in graphs if g != dropped]
        assert aggregates(store) == from_scratch(kept, tmp_path / "kept")
        assert recorded(store) == aggregates(store)


def test_a_store_without_row_files_starts_again(graphs, tmp_path):
    with Store(tmp_path / "store") as store:
        for graph, quads in graphs:
            store.replace_graph(graph, quads)
        store.refresh_aggregates()
        whole = aggregates(store)
        shutil.rmtree(tmp_path / "store" / FOLDER_NAME)  # as a store from before them
        store.update(f"INSERT DATA {{ GRAPH {AGGREGATES_GRAPH} {{ <urn:x> <urn:y> <urn:z> }} }}")
        store.refresh_aggregates()
        assert aggregates(store) == whole
        store.update(f"DROP GRAPH {AGGREGATES_GRAPH}")  # by hand, the row files still there
        store.refresh_aggregates()
        assert aggregates(store) == whole


# --- rows that two files write, and a file taken away ----------------------------------

THING = "CONSTRUCT {{ ?s a <urn:Thing> }} WHERE {{ ?s <urn:{}> ?o }}"


def test_a_row_another_file_writes_too_stays_until_neither_does(monkeypatch):
    monkeypatch.setattr(aggregates_module, "aggregate_queries",
                        lambda: [("a.rq", THING.format("p")), ("b.rq", THING.format("q"))])
    store = Store()
    thing = Quad(NamedNode("urn:s"), NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                 NamedNode("urn:Thing"), AGGREGATES_GRAPH)
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 ; <urn:q> 1 } }")
    store.refresh_aggregates()
    assert aggregates(store) == {thing}
    store.update("DELETE DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 } }")
    store.refresh_aggregates()  # a.rq no longer writes it, b.rq still does
    assert aggregates(store) == {thing}
    store.update("DELETE DATA { GRAPH <urn:g> { <urn:s> <urn:q> 1 } }")
    store.refresh_aggregates()
    assert aggregates(store) == set()


def test_the_rows_of_a_file_taken_away_go(monkeypatch):
    both = [("a.rq", THING.format("p")),
            ("b.rq", "CONSTRUCT { ?s <urn:seen> ?o } WHERE { ?s <urn:q> ?o }")]
    monkeypatch.setattr(aggregates_module, "aggregate_queries", lambda: both)
    store = Store()
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 ; <urn:q> 1 } }")
    store.refresh_aggregates()
    assert len(aggregates(store)) == 2
    monkeypatch.setattr(aggregates_module, "aggregate_queries", lambda: both[:1])
    store.refresh_aggregates()
    assert {q.predicate.value for q in aggregates(store)} == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    assert store._rows.names() == {"a.rq"}  # and its record with them


# --- the order the files run in --------------------------------------------------------

def test_the_order_follows_what_each_query_writes_and_reads():
    order = run_order([
        ("months.rq", "CONSTRUCT { ?r <urn:count> ?n ; a <urn:Month> } WHERE { ?r <urn:p> ?n }"),
        ("years.rq", "CONSTRUCT { ?y <urn:total> ?n } WHERE { ?r a <urn:Month> ; <urn:count> ?n }"),
        ("other.rq", "CONSTRUCT { ?x <urn:other> ?o } WHERE { ?x a <urn:Country> ; <urn:p> ?o }"),
        ("paths.rq", "CONSTRUCT { ?x <urn:p> ?o } WHERE { ?x <urn:q>/^<urn:total> ?o }"),
        ("anything.rq", "CONSTRUCT { ?x ?p ?o } WHERE { ?x <urn:zzz> ?o BIND(<urn:a> AS ?p) }"),
        ("text", "SELECT ?x WHERE { ?x <urn:other> ?t }"),
    ])
    assert order["years.rq"].finished == {"months.rq"}  # reads its rows
    assert order["other.rq"] == Order(frozenset(), frozenset(), frozenset({"anything.rq"}))
    assert order["paths.rq"].finished == {"years.rq"}  # a path reads each predicate in it
    # it writes what these read: they must have taken their snapshots first
    assert order["paths.rq"].started == {"months.rq", "other.rq"}
    # a variable predicate may write anything: it follows everything before it
    assert order["anything.rq"].finished == {"months.rq", "years.rq", "other.rq", "paths.rq"}
    assert order["text"].finished == {"other.rq", "anything.rq"}


def test_independent_tasks_run_at_once_and_the_others_wait():
    together = threading.Barrier(2, timeout=10)  # broken unless both run at the same time
    finished: list[str] = []
    snapshot = threading.Event()

    def task(name, started):
        if name in ("a", "b"):
            together.wait()
        if name == "reader":
            started()  # the writer may go on now, while this one is still running
            assert snapshot.wait(timeout=10), "the writer waited for the reader to finish"
        if name == "writer":
            snapshot.set()
        if name == "after":
            assert "a" in finished and "b" in finished
        time.sleep(0.01)
        finished.append(name)

    names = ["a", "b", "reader", "writer", "after"]
    nothing = frozenset()
    order = {n: Order(nothing, nothing, nothing) for n in names}
    order["writer"] = Order(nothing, frozenset({"reader"}), nothing)
    order["after"] = Order(frozenset({"a", "b"}), nothing, nothing)
    run_in_order({n: lambda started, n=n: task(n, started) for n in names}, order, workers=2)
    assert sorted(finished) == sorted(names)


def test_the_first_error_stops_the_run():
    ran: list[str] = []

    def fail(started):
        raise ValueError("bad row")

    nothing = frozenset()
    order = {"bad": Order(nothing, nothing, nothing),
             "next": Order(frozenset({"bad"}), nothing, nothing)}
    with pytest.raises(ValueError, match="bad row"):
        run_in_order({"bad": fail, "next": lambda started: ran.append("next")}, order, workers=2)
    assert ran == []
