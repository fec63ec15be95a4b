"""One contract for every store: the embedded Oxigraph folder and a real Oxigraph server.

Each test runs on both (`store` is parametrized); the server is `oxigraph serve` on
127.0.0.1, started once per session and emptied before each test.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import threading
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    Variable,
    parse,
    parse_query_results,
)
from werkzeug.wrappers import Request, Response

from bilat.cli import main
from bilat.graph import RemoteStore, Store, StoreError, open_store
from bilat.graph.aggregates import AGGREGATES_GRAPH, aggregate_queries
from bilat.graph.formats import RDF_FORMATS
from bilat.graph.location import remote_settings
from bilat.graph.remote import canonical_booleans
from bilat.graph.store import VOCABULARY_GRAPH_NODE
from bilat.queries.catalogue import load_catalogue
from bilat.webapp import create_app

from conftest import DATA
from servers import free_port, oxigraph_server, serve_app, virtuoso_server

EX = "https://example.org/"
# Virtuoso (Debian's package) too where it is installed and BILAT_TEST_VIRTUOSO=1 asks for it
VIRTUOSO = bool(shutil.which("virtuoso-t")) and os.environ.get("BILAT_TEST_VIRTUOSO") == "1"
# "oxigraph-sparql": the same server without the Graph Store Protocol (graphs by SPARQL)
STORES = ["embedded", "oxigraph", "oxigraph-sparql", *(["virtuoso"] if VIRTUOSO else [])]


def node(name: str) -> NamedNode:
    return NamedNode(EX + name)


def quads_of(graph: NamedNode, count: int, tag: str = "") -> list[Quad]:
    return [Quad(node(f"s{i}"), node("p"), Literal(f"{tag}{i}"), graph) for i in range(count)]


def canonical(quads) -> set:
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory) -> str:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as base:
        yield base


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory) -> str:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso") / "db") as url:
        yield url


def empty_remote(kind: str, request, monkeypatch) -> RemoteStore:
    """The session's server of that kind, emptied."""
    if kind.startswith("oxigraph"):
        if kind == "oxigraph-sparql":
            monkeypatch.setenv("BILAT_GSP_URL", "none")
        opened = open_store(request.getfixturevalue("oxigraph_url"))
        opened.update("DROP SILENT ALL")
        return opened
    url = request.getfixturevalue("virtuoso_url")
    monkeypatch.setenv("BILAT_GSP_URL", url + "-graph-crud")
    monkeypatch.setenv("BILAT_GRAPHS", "https://")  # not Virtuoso's own http:// graphs
    opened = open_store(url)
    for graph in [*opened.named_graphs(), AGGREGATES_GRAPH]:  # DROP ALL drops nothing
        opened.update(f"DROP SILENT GRAPH {graph}")
    return opened


@pytest.fixture(params=STORES)
def store(request, tmp_path, monkeypatch):
    """An empty store of each kind."""
    if request.param == "embedded":
        opened = Store(tmp_path / "store")
    else:
        opened = empty_remote(request.param, request, monkeypatch)
    with opened:
        yield opened


@pytest.fixture(params=STORES[1:])
def remote(request, monkeypatch) -> RemoteStore:
    """An empty server of each kind."""
    return empty_remote(request.param, request, monkeypatch)


@pytest.fixture
def loaded(store):
    """The store with the vocabulary and tests/data/fixture.trig."""
    store.load_vocabulary()
    store.import_file(DATA / "fixture.trig")
    return store


# --- writing -----------------------------------------------------------------------


def test_replace_graph_replaces_only_that_graph(store):
    first, other = node("g1"), node("g2")
    store.replace_graph(first, quads_of(first, 3, "old"))
    store.replace_graph(other, quads_of(other, 2))
    store.replace_graph(first, quads_of(first, 2, "new"))
    assert set(store.quads(first)) == set(quads_of(first, 2, "new"))
    assert set(store.quads(other)) == set(quads_of(other, 2))
    assert len(store) == 4


def test_a_reader_sees_a_replaced_graph_whole(store, request):
    """While one thread swaps a graph between 50 and 150 quads, another never sees a mix."""
    if isinstance(store, RemoteStore) and "graph-crud" in (store.settings.gsp or ""):
        request.applymarker(pytest.mark.xfail(
            strict=True, reason="Virtuoso's GSP PUT shows the graph empty while it replaces it"))
    graph = node("g")
    store.replace_graph(graph, quads_of(graph, 50))
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
            seen.add(int(next(iter(rows))["n"].value))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(30):
            store.replace_graph(graph, quads_of(graph, 150 if round_ % 2 == 0 else 50, round_))
    finally:
        done.set()
        reader.join()
    assert seen and seen <= {50, 150}


def test_load_vocabulary_twice_changes_nothing(store):
    store.load_vocabulary()
    vocabulary = canonical(store.quads(VOCABULARY_GRAPH_NODE))
    size = len(store)
    store.load_vocabulary()
    assert len(store) == size > 100
    assert canonical(store.quads(VOCABULARY_GRAPH_NODE)) == vocabulary
    assert store.named_graphs() == [VOCABULARY_GRAPH_NODE]


def test_import_file_adds_the_quads_of_a_trig_file(store):
    expected = list(parse(path=DATA / "fixture.trig"))
    assert store.import_file(DATA / "fixture.trig", refresh=False) == len(expected)
    assert canonical(store.quads()) == canonical(expected)
    assert set(store.named_graphs()) == {q.graph_name for q in expected}


def test_import_file_refreshes_the_aggregates_graph(store):
    store.import_file(DATA / "fixture.trig")
    assert store.has_graph(AGGREGATES_GRAPH) and store.quads(AGGREGATES_GRAPH)
    assert AGGREGATES_GRAPH not in store.named_graphs()  # derived data, not a communiqué


def test_a_refresh_tells_its_progress_file_by_file(store):
    store.import_file(DATA / "fixture.trig", refresh=False)
    told = []
    store.refresh_aggregates(lambda name, done, total: told.append((name, done, total)))
    total = told[0][2]
    assert told[0] == ("", 0, total) and [done for _, done, _ in told] == list(range(total + 1))
    files = {name for name, _ in aggregate_queries()}
    assert files <= {name for name, _, _ in told[1:]} and len(told) == total + 1
    assert store.quads(AGGREGATES_GRAPH)


def test_import_file_puts_triples_into_the_graph_named(store, tmp_path):
    turtle = tmp_path / "one.ttl"
    turtle.write_text(f'<{EX}a> <{EX}b> "c", "d" .\n', encoding="utf-8")
    assert store.import_file(turtle, node("target")) == 2
    assert {q.object.value for q in store.quads(node("target"))} == {"c", "d"}


@pytest.mark.parametrize("before", ["empty", "loaded"])
def test_a_broken_file_is_refused_whole(store, tmp_path, before):
    if before == "loaded":
        store.replace_graph(node("kept"), quads_of(node("kept"), 3))
    broken = tmp_path / "broken.nt"
    good_lines = "".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(500))
    broken.write_text(good_lines + f"<{EX}s> <{EX}p> oops .\n", encoding="utf-8")
    with pytest.raises(StoreError, match="broken.nt"):
        store.import_file(broken, node("g"))
    assert len(store) == (3 if before == "loaded" else 0)
    assert not store.has_graph(node("g"))


def test_update_runs_sparql_update(store):
    store.update(f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> rdfs:label "x" }} }}')
    assert [q.object.value for q in store.quads(node("g"))] == ["x"]
    with pytest.raises(StoreError, match="bad SPARQL update"):
        store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}b> ")
    assert len(store) == 1


# --- reading -----------------------------------------------------------------------


def test_select_binds_a_value_as_a_term(loaded):
    rubio = NamedNode("https://w3id.org/bilat/id/actor/marco-rubio")
    rows = loaded.query("SELECT ?actor ?label WHERE { ?actor rdfs:label ?label }", {"actor": rubio})
    assert isinstance(rows, QuerySolutions)
    assert [v.value for v in rows.variables] == ["actor", "label"]
    labels = {row["label"].value for row in rows}
    assert "Marco Rubio" in labels


def test_a_bound_literal_cannot_break_out_of_its_term(store):
    graph = node("g")
    evil = 'x" } } ; DROP ALL ; SELECT * WHERE { { "'
    store.replace_graph(graph, [Quad(node("a"), node("says"), Literal(evil), graph),
                                Quad(node("b"), node("says"), Literal("x"), graph)])
    query = f"SELECT ?who ?text WHERE {{ ?who <{EX}says> ?text }}"
    rows = list(store.query(query, {"text": Literal(evil)}))
    assert [(r["who"], r["text"].value) for r in rows] == [(node("a"), evil)]
    assert list(store.query(query, {"text": Literal(evil + "}")})) == []
    assert len(store) == 2


def test_ask_and_construct_give_the_embedded_result_types(loaded):
    yes = loaded.query("ASK { ?s a bilat:Communique }")
    assert isinstance(yes, QueryBoolean) and bool(yes)
    assert not loaded.query("ASK { ?s a bilat:NoSuchClass }")
    triples = loaded.query(
        "CONSTRUCT { ?c dcterms:title ?t } WHERE { ?c a bilat:Communique ; dcterms:title ?t }"
    )
    assert isinstance(triples, QueryTriples)
    titles = list(triples)
    assert titles and all(t.predicate.value.endswith("/title") for t in titles)


def test_queries_see_the_union_of_the_named_graphs(store):
    store.replace_graph(node("g1"), quads_of(node("g1"), 2))
    store.replace_graph(node("g2"), quads_of(node("g2"), 3, "two"))
    mine = f"FILTER(STRSTARTS(STR(?s), '{EX}'))"  # Virtuoso's union has its own graphs too
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o {mine} }}")
    assert int(next(iter(rows))["n"].value) == 5


def test_graphs_quads_and_length_agree(loaded):
    graphs = loaded.named_graphs()
    assert VOCABULARY_GRAPH_NODE in graphs and len(graphs) > 2
    assert all(loaded.has_graph(g) for g in graphs)
    assert not loaded.has_graph(node("nothing"))
    assert loaded.quads(node("nothing")) == []
    every = [*graphs, AGGREGATES_GRAPH]
    assert sum(len(loaded.quads(g)) for g in every) == len(loaded) == len(loaded.quads())


def test_bad_sparql_is_a_store_error(store):
    with pytest.raises(StoreError, match="bad SPARQL"):
        store.query("SELECT ?s WHERE { ?s ")


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_export_parses_back_to_the_same_data(loaded, fmt):
    rdf = RDF_FORMATS[fmt]
    out = BytesIO()
    loaded.export(out, rdf)
    back = list(parse(out.getvalue(), rdf))
    if rdf.supports_datasets:
        assert canonical(back) == canonical(loaded.quads())
    else:  # the union graph
        union = {Quad(q.subject, q.predicate, q.object) for q in loaded.quads()}
        assert canonical(back) == canonical(union)


def test_export_of_one_graph(loaded):
    graph = next(g for g in loaded.named_graphs() if g != VOCABULARY_GRAPH_NODE)
    out = BytesIO()
    loaded.export(out, RDF_FORMATS["nq"], graph)
    assert canonical(parse(out.getvalue(), RDF_FORMATS["nq"])) == canonical(loaded.quads(graph))
    with pytest.raises(StoreError, match="no named graph"):
        loaded.export(BytesIO(), RDF_FORMATS["nq"], node("nothing"))


# --- the web app on either store ----------------------------------------------------

CATALOGUE = load_catalogue()


def unordered_lists(row: dict) -> dict:
    """A JSON result row with each value's ", "-separated parts sorted: GROUP_CONCAT has no
    order, and the two engines concatenate in different ones."""
    return {name: {**term, "value": ", ".join(sorted(term["value"].split(", ")))}
            for name, term in row.items()}


def answers(store) -> dict[str, object]:
    """Every canned question's JSON answer (for its examples), its first page as the web
    page reads it (queries/paging.py), and a /sparql answer."""
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    found = {}
    for name, saved in CATALOGUE.items():
        examples = {p: param.example for p, param in saved.params.items()}
        if saved.kind == "graph":
            response = client.get(f"/questions/{name}.nt", query_string=examples)
            assert response.status_code == 200, (name, response.data[:300])
            found[name] = canonical(parse(response.data, RDF_FORMATS["nt"]))
            continue
        for key, limit in ((name, {}), (f"{name} page", {"limit": 3})):
            response = client.get(f"/questions/{name}.json", query_string={**examples, **limit})
            assert response.status_code == 200, (key, response.data[:300])
            found[key] = sorted(json.dumps(unordered_lists(row), sort_keys=True)
                                for row in response.get_json()["results"]["bindings"])
    sparql = client.get("/sparql", query_string={"query": "SELECT ?c WHERE { ?c a bilat:Claim }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert sparql.status_code == 200
    found["/sparql"] = sorted(row["c"]["value"] for row in sparql.get_json()["results"]["bindings"])
    return found


def test_the_web_app_answers_alike_on_the_server(remote, fixture_store):
    remote.load_vocabulary()
    remote.import_file(DATA / "fixture.trig")
    on_server, embedded = answers(remote), answers(fixture_store)
    assert on_server == embedded
    assert on_server["/sparql"] and any(on_server[name] for name in CATALOGUE)


def test_booleans_from_the_server_read_true_and_false():
    # Virtuoso 7.2 writes xsd:boolean values as 1 and 0; the embedded store as true, false
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    xml = ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
           '<head><variable name="a"/><variable name="n"/></head><results>'
           + "".join(f'<result><binding name="a"><literal datatype="{boolean}">{v}</literal>'
                     '</binding><binding name="n"><literal datatype="http://www.w3.org/2001/'
                     f'XMLSchema#integer">{v}</literal></binding></result>' for v in "10")
           + "</results></sparql>").encode()
    rows = canonical_booleans(parse_query_results(xml, format=QueryResultsFormat.XML), xml)
    assert [(row["a"].value, row["n"].value) for row in rows] == [("true", "1"), ("false", "0")]
    assert rows.variables == [Variable("a"), Variable("n")]

# --- naming a remote store, and its errors --------------------------------------------


def test_an_oxigraph_base_url_implies_its_endpoints():
    settings = remote_settings("http://127.0.0.1:7878", environ={})
    assert (settings.query, settings.update, settings.gsp) == (
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store")
    other = remote_settings("http://h:8890/sparql", environ={})
    assert (other.query, other.update, other.gsp) == ("http://h:8890/sparql",) * 2 + (None,)


def test_settings_come_from_a_toml_file_and_the_environment(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text('[store]\nquery = "http://h:3030/ds/query"\nupdate = "http://h:3030/ds/update"'
                      '\ngsp = "http://h:3030/ds/data"\nuser = "admin"\nauth = "digest"\n',
                      encoding="utf-8")
    settings = remote_settings(config, environ={"BILAT_PASSWORD": "s3cret", "BILAT_USER": "me"})
    assert settings.gsp == "http://h:3030/ds/data" and settings.auth == "digest"
    assert (settings.user, settings.password) == ("me", "s3cret")


def test_a_settings_file_takes_the_query_url_as_written(tmp_path):
    config = tmp_path / "qlever.toml"
    config.write_text('[store]\nquery = "http://h:7001"\nupdate = "http://h:7001"\n'
                      'gsp = "http://h:7001"\n', encoding="utf-8")
    settings = remote_settings(config, environ={"BILAT_TOKEN": "t"})
    assert (settings.query, settings.update, settings.gsp) == ("http://h:7001",) * 3
    assert settings.token == "t"


@pytest.mark.parametrize("text, message", [
    ("[store]\nquery = 'ftp://h/q'\n", "not an http"),
    ("[store]\nquery = 'http://h/q'\nauth = 'kerberos'\n", "auth must be"),
    ("[store]\nquery = 'http://h/q'\npasword = 'x'\n", "unknown setting 'pasword'"),
    ("query = 'http://h/q'\n", "no \\[store\\] table"),
    ("[store\n", "not valid TOML"),
])
def test_bad_settings_are_one_line_errors(tmp_path, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError, match=message):
        remote_settings(config, environ={})
    result = CliRunner().invoke(main, ["--store", str(config), "stats"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_server_that_is_down_is_a_store_error():
    url = f"http://127.0.0.1:{free_port()}"
    down = open_store(url)
    for call in (lambda: down.query("ASK {}"), lambda: down.quads(node("g")),
                 lambda: down.replace_graph(node("g"), []), lambda: len(down)):
        with pytest.raises(StoreError, match=f"cannot reach the SPARQL server at {url}"):
            call()
    for command in (["query", "most-active-actors"], ["stats"], ["export"], ["validate"],
                    ["import", str(DATA / "fixture.trig")]):
        result = CliRunner().invoke(main, ["--store", url, *command])
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith("Error: cannot reach the SPARQL server"), command
        assert len(result.output.strip().splitlines()) == 1, command


def test_a_server_that_does_not_answer_is_a_store_error(tmp_path):
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        config = tmp_path / "slow.toml"
        config.write_text(f'[store]\nquery = "http://127.0.0.1:{silent.getsockname()[1]}/q"\n'
                          "timeout = 0.5\n", encoding="utf-8")
        slow = open_store(config)
        with pytest.raises(StoreError, match="/q did not answer within 0.5 s"):
            slow.query("ASK {}")


def test_an_error_status_is_a_store_error_naming_the_url(oxigraph_url):
    wrong = open_store(f"{oxigraph_url}/nothing/here")
    with pytest.raises(StoreError, match=f"{oxigraph_url}/nothing/here answered 404 Not Found"):
        wrong.query("ASK {}")


@pytest.fixture
def guarded(monkeypatch):
    """A real HTTP server on 127.0.0.1 that answers ASK and a GSP GET only with the right
    credentials (user "ana", password "pw", or the bearer token "t0k"): its URL."""
    wanted = {"Basic " + base64.b64encode(b"ana:pw").decode(), "Bearer t0k"}

    @Request.application
    def app(request: Request) -> Response:
        if request.headers.get("Authorization") not in wanted:
            return Response("who are you?", 401, {"WWW-Authenticate": 'Basic realm="x"'})
        if request.path == "/store":
            return Response(f"<{EX}a> <{EX}b> <{EX}c> .\n", mimetype="application/n-triples")
        return Response('{"head": {}, "boolean": true}',
                        mimetype="application/sparql-results+json")

    with serve_app(app) as url:
        yield url


@pytest.mark.parametrize("credentials", [{"BILAT_USER": "ana", "BILAT_PASSWORD": "pw"},
                                         {"BILAT_TOKEN": "t0k"}])
def test_credentials_reach_the_server(guarded, monkeypatch, credentials):
    with pytest.raises(StoreError, match="answered 401 Unauthorized .*BILAT_USER"):
        open_store(guarded).query("ASK {}")
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    allowed = open_store(guarded)
    assert bool(allowed.query("ASK {}"))
    assert allowed.quads(node("g")) == [Quad(node("a"), node("b"), node("c"), node("g"))]


def test_a_read_only_remote_store_refuses_writes(oxigraph_url):
    with pytest.raises(StoreError, match="read-only"):
        open_store(oxigraph_url, read_only=True).replace_graph(node("g"), [])


def test_the_cli_loads_and_queries_through_the_server(oxigraph_url, tmp_path):
    open_store(oxigraph_url).update("DROP SILENT ALL")
    runner = CliRunner()
    loaded = runner.invoke(main, ["--store", oxigraph_url, "import", str(DATA / "fixture.trig")])
    assert loaded.exit_code == 0, loaded.output
    asked = runner.invoke(main, ["--store", oxigraph_url, "query", "most-active-actors",
                                 "--format", "json"])
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.output)["results"]["bindings"]
    out = tmp_path / "all.nq"
    exported = runner.invoke(main, ["--store", oxigraph_url, "export", "--format", "nq",
                                    "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    exported = [q for q in parse(path=out) if q.graph_name != AGGREGATES_GRAPH]
    assert canonical(exported) == canonical(parse(path=DATA / "fixture.trig"))


def test_a_remote_store_is_what_open_store_gives_for_a_url(oxigraph_url, tmp_path):
    assert isinstance(open_store(oxigraph_url), RemoteStore)
    with open_store(Path(tmp_path / "folder")) as local:
        assert isinstance(local, Store)
