"""The query deadline: a runaway query is stopped (its worker killed), others are answered."""

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from pyoxigraph import Literal, NamedNode, Quad
from werkzeug.serving import make_server

from bilat.graph import Store
from bilat.webapp import create_app
from bilat.webapp.deadline import EXTENSION

TIMEOUT = 1.5
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
GRAPH = NamedNode("https://w3id.org/bilat/id/communique/numbers")
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?o }} }}"
TOKEN = "s3cret-token"


@pytest.fixture
def disk_store(tmp_path):
    """An on-disk store with 3,000 triples in one named graph."""
    store = Store(tmp_path / "store")
    p = NamedNode("https://w3id.org/bilat/ontology#number")
    store.replace_graph(
        GRAPH, [Quad(NamedNode(f"urn:n:{i}"), p, Literal(i), GRAPH) for i in range(3000)]
    )
    yield store
    store.close()


@pytest.fixture
def served(disk_store, monkeypatch):
    """The app on the on-disk store, served on 127.0.0.1 by werkzeug; (base URL, runner)."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    app = create_app(
        {"TESTING": True, "STORE": disk_store, "QUERY_TIMEOUT": TIMEOUT, "WRITE_TOKEN": TOKEN}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    runner = app.extensions[EXTENSION]
    yield f"http://127.0.0.1:{server.server_port}", runner
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    runner.close()


def get(url: str, query: str, timeout: float = 30) -> tuple[int, str]:
    """GET /sparql?query=... with a real HTTP client: (status, body)."""
    address = f"{url}/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(address, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def count(body: str) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_runaway_query_is_stopped_while_others_are_answered(served):
    url, runner = served
    status, body = get(url, COUNT)  # a worker is ready (its start-up is off the clock)
    assert status == 200 and count(body) == 3000
    idle = set(runner.worker_pids())
    outcome = {}

    def runaway() -> None:
        start = time.monotonic()
        outcome["answer"] = get(url, RUNAWAY)
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    [first] = idle - set(runner.worker_pids())  # the runaway's worker
    status, body = get(url, COUNT)  # another client, on a second worker
    assert status == 200 and count(body) == 3000
    status, _ = get(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert status == 200
    thread.join(timeout=TIMEOUT + 20)
    status, body = outcome["answer"]
    assert status == 503
    assert body == f"stopped after {TIMEOUT:g} s: the query ran too long " \
        "(a pattern that joins everything with everything?)\n"
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 2
    assert not alive(first)  # killed: it burns no core any more
    assert first not in runner.worker_pids() and len(runner.worker_pids()) >= 2
    status, body = get(url, COUNT)
    assert status == 200 and count(body) == 3000


def test_a_worker_sees_what_the_app_wrote(served):
    url, _ = served
    assert count(get(url, COUNT)[1]) == 3000
    update = f"INSERT DATA {{ GRAPH <{GRAPH.value}> {{ <urn:n:new> <urn:p> 1 }} }}"
    request = urllib.request.Request(
        f"{url}/sparql",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204
    assert count(get(url, COUNT)[1]) == 3001  # the worker reopened its snapshot


def test_bad_sparql_from_a_worker_is_a_400(served):
    url, _ = served
    status, body = get(url, "SELECT ?x WHERE { ?x ")
    assert status == 400 and body.startswith("bad SPARQL: error at 1:")
    assert body.count("\n") == 1


def test_the_store_parser_runs_under_the_deadline_too(served):
    # rdflib refuses LATERAL, so the store's parser is asked for its message, on an empty
    # store in a worker: a runaway there is stopped as well
    url, _ = served
    values = " ".join(str(i) for i in range(2000))
    query = (
        f"SELECT (COUNT(*) AS ?n) {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        f"VALUES ?c {{ {values} }} LATERAL {{ SELECT ?d {{ }} }} }}"
    )
    start = time.monotonic()
    status, body = get(url, query)
    assert time.monotonic() - start < TIMEOUT + 10  # + the worker's start-up
    assert status == 400
    assert body.startswith("bad SPARQL (bilat checks every query with rdflib first)")


def test_an_in_memory_store_gets_the_deadline_on_the_wait(fixture_store):
    app = create_app({"TESTING": True, "STORE": fixture_store, "QUERY_TIMEOUT": 0.02})
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # ~2.4M rows, finite
    response = app.test_client().get("/sparql", query_string={"query": slow})
    assert response.status_code == 503
    assert response.get_data(as_text=True).startswith("stopped after 0.02 s")
    fast = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert fast.status_code == 200


def test_the_timeout_must_be_positive(fixture_store):
    with pytest.raises(ValueError, match="QUERY_TIMEOUT"):
        create_app({"TESTING": True, "STORE": fixture_store, "QUERY_TIMEOUT": 0})
