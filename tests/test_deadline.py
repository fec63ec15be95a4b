"""The query deadline: a runaway query is stopped (its worker killed), others are answered."""

import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from itertools import islice

import pytest
from flask import Flask, g
from pyoxigraph import Literal, NamedNode, Quad, QueryTriples
from test_aggregates import generated_store  # noqa: F401  (a fixture)

from bilat.graph import Store
from bilat.queries.catalogue import load_catalogue
from bilat.webapp import create_app
from bilat.webapp.deadline import EXTENSION, open_snapshot

from conftest import DATA
from servers import serve_app

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


@contextmanager
def serving(app: Flask):
    """The app served on 127.0.0.1 by werkzeug; (base URL, runner)."""
    runner = app.extensions[EXTENSION]
    try:
        with serve_app(app) as url:
            yield url, runner
    finally:
        runner.close()


@pytest.fixture
def served(disk_store, monkeypatch):
    """The app on the on-disk store, served on 127.0.0.1 by werkzeug; (base URL, runner)."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    app = create_app(
        {"TESTING": True, "STORE": disk_store, "QUERY_TIMEOUT": TIMEOUT, "WRITE_TOKEN": TOKEN}
    )
    with serving(app) as found:
        yield found


def get(url: str, query: str, timeout: float = 30) -> tuple[int, str]:
    """GET /sparql?query=... with a real HTTP client: (status, body)."""
    return fetch(
        f"{url}/sparql?" + urllib.parse.urlencode({"query": query}),
        "application/sparql-results+json",
        timeout,
    )


def fetch(address: str, accept: str = "*/*", timeout: float = 30) -> tuple[int, str]:
    """GET a URL with a real HTTP client: (status, body)."""
    request = urllib.request.Request(address, headers={"Accept": accept})
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


@pytest.mark.parametrize(("queue", "expected"), [(20, 200), (0.5, 503)])
def test_a_query_waits_for_a_busy_worker_off_its_clock(disk_store, monkeypatch, queue, expected):
    """One worker, held by a runaway for the whole time limit: the next query waits for it
    (up to QUEUE_TIMEOUT), then gets a whole time limit of its own."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    app = create_app({"TESTING": True, "STORE": disk_store, "QUERY_TIMEOUT": TIMEOUT,
                      "QUERY_WORKERS": 1, "QUEUE_TIMEOUT": queue})
    with serving(app) as (url, _):
        assert get(url, COUNT)[0] == 200  # the worker is ready
        thread = threading.Thread(target=get, args=(url, RUNAWAY))
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        status, body = get(url, COUNT)
        thread.join(timeout=TIMEOUT + 20)
    assert status == expected, body
    if expected == 200:
        assert count(body) == 3000 and time.monotonic() - started >= TIMEOUT - 0.3
    else:
        assert body == "not started within 0.5 s: every query worker stayed busy; try again\n"


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


def test_a_query_rdflib_would_refuse_runs_under_the_deadline_too(served):
    # no "service" in it: it goes to the store without rdflib's parse (which refuses
    # LATERAL), in a worker, where a runaway is stopped
    url, _ = served
    values = " ".join(str(i) for i in range(2000))
    query = (
        f"SELECT (COUNT(*) AS ?n) {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        f"VALUES ?c {{ {values} }} LATERAL {{ SELECT ?d {{ }} }} }}"
    )
    start = time.monotonic()
    status, body = get(url, query)
    assert time.monotonic() - start < TIMEOUT + 10  # + the worker's start-up
    assert status == 503 and body.startswith("stopped after")


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


# --- canned questions, views and "why" pages under the deadline -----------------------------

# A test-only catalogue: a question that joins everything with everything, and two that
# answer at once (a table with a parameter, and a graph).
SAVED = {
    "everything.rq": """#+ title: Everything with everything
#+ description: A cartesian product, slow on purpose.
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }
""",
    "numbers.rq": """#+ title: Numbers from a least one
#+ params:
#+   least: {type: integer, label: Least number, example: 2950}
SELECT ?least ?s ?n WHERE { ?s bilat:number ?n . FILTER(?n >= ?least) } ORDER BY DESC(?n)
""",
    "number-graph.rq": """#+ title: Numbers as a graph
#+ params:
#+   least: {type: integer, label: Least number, example: 2990}
CONSTRUCT { ?s bilat:number ?n ; bilat:atLeast ?least }
WHERE { ?first bilat:number ?least . ?s bilat:number ?n . FILTER(?n >= ?least) }
""",
}
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture
def saved_folder(tmp_path):
    folder = tmp_path / "queries"
    folder.mkdir()
    for name, text in SAVED.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def questions_served(disk_store, saved_folder, monkeypatch):
    """The app on the on-disk store with the test-only questions; (base URL, runner)."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    app = create_app(
        {
            "TESTING": True,
            "STORE": disk_store,
            "QUERIES": str(saved_folder),
            "QUERY_TIMEOUT": TIMEOUT,
        }
    )
    with serving(app) as found:
        yield found


def numbers_of(body: str) -> list[int]:
    """The ?n column of a SPARQL results JSON answer, in order."""
    return [int(row["n"]["value"]) for row in json.loads(body)["results"]["bindings"]]


def test_a_runaway_canned_question_is_stopped_while_others_are_answered(questions_served):
    url, runner = questions_served
    status, body = fetch(f"{url}/questions/numbers.json?least=2998")  # a worker is ready
    assert status == 200 and numbers_of(body) == [2999, 2998]
    idle = set(runner.worker_pids())
    outcome = {}

    def runaway() -> None:
        start = time.monotonic()
        outcome["page"] = fetch(f"{url}/questions/everything")
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    [first] = idle - set(runner.worker_pids())  # the runaway's worker
    status, body = fetch(f"{url}/questions/numbers?least=2997&limit=2")  # another visitor
    assert status == 200
    assert "Rows 1–2" in body and re_numbers(body) == ["2999", "2998"]
    thread.join(timeout=TIMEOUT + 20)
    status, body = outcome["page"]
    assert status == 503
    assert "<h1>503 Service Unavailable</h1>" in body
    assert f"stopped after {TIMEOUT:g} s: the answer took too long to compute" in body
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 2
    assert not alive(first)  # killed: it burns no core any more
    # a machine twin says it in one line of text, in time as well
    start = time.monotonic()
    status, body = fetch(f"{url}/questions/everything.csv", "text/csv")
    assert time.monotonic() - start < TIMEOUT + 2
    assert status == 503
    assert body == f"stopped after {TIMEOUT:g} s: the answer took too long to compute on " \
        "this server (narrower values may help)\n"
    status, body = fetch(f"{url}/questions/numbers.json?least=2999")
    assert status == 200 and numbers_of(body) == [2999]


def test_a_canned_question_through_the_runner_answers_as_the_store(questions_served, disk_store,
                                                                  saved_folder):
    url, runner = questions_served
    catalogue = load_catalogue(saved_folder)
    table = catalogue["numbers"]
    bound = table.bind({"least": "2900"})
    direct = [tuple(solution) for solution in disk_store.query(table.sparql, bound)]
    assert len(direct) == 100
    through = runner.rows(table.sparql, bound)
    assert through.variables == ("least", "s", "n") and through.rows == direct
    window = runner.rows(table.sparql, bound, start=10, stop=15)
    assert window.rows == direct[10:15]
    # the JSON twin and a page of the question page, over HTTP, give the same rows
    status, body = fetch(f"{url}/questions/numbers.json?least=2900")
    assert status == 200
    assert numbers_of(body) == [int(row[2].value) for row in direct]
    status, body = fetch(f"{url}/questions/numbers?least=2900&offset=10&limit=5")
    assert status == 200 and "Rows 11–15" in body
    shown = [int(n) for n in re_numbers(body)]
    assert shown == [int(row[2].value) for row in direct[10:15]]
    # a graph question: distinct triples, sorted, windowed in the worker
    graph = catalogue["number-graph"]
    bound = graph.bind({})
    result = disk_store.query(graph.sparql, bound)
    assert isinstance(result, QueryTriples)
    triples = sorted(set(result), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    assert len(triples) == 20  # 10 numbers, two triples each
    assert runner.rows(graph.sparql, bound).triples() == triples
    assert runner.rows(graph.sparql, bound, start=3, stop=5).triples() == triples[3:5]
    # or distinct in the engine's order, read no further than the window
    engine = list(dict.fromkeys(disk_store.query(graph.sparql, bound)))
    assert runner.rows(graph.sparql, bound, stop=4, sort=False).triples() == engine[:4]


def re_numbers(body: str) -> list[str]:
    """The numbers shown in the n column of a question page's table."""
    return re.findall(r'<td>(?:<[^>]+>)?(\d{4})(?:<[^>]+>)?</td>\s*<td class="why">', body)


@pytest.mark.parametrize(
    ("path", "accept", "kind"),
    [
        ("/questions/actor-statements", "text/html", "html"),
        ("/questions/actor-statements.json", JSON_RESULTS, "text"),
        ("/questions/actor-statements", JSON_RESULTS, "text"),  # the twin, by Accept
        ("/questions/communique-graph.ttl", "text/turtle", "text"),
        ("/questions/actor-statements/why?row=1", "text/html", "html"),
        ("/questions/actor-statements/why.ttl?row=1", "text/turtle", "text"),
        ("/why?iri=https://w3id.org/bilat/id/actor/marco-rubio", "text/html", "html"),
        ("/timeline", "text/html", "html"),
        ("/timeline.json", "application/json", "json"),
        ("/network", "text/html", "html"),
        ("/network.json", "application/json", "json"),
        ("/network.graphml", "*/*", "text"),
        ("/network.gexf", "*/*", "text"),
        ("/id/actor/marco-rubio", "text/html", "html"),
        ("/id/actor/marco-rubio.ttl", "text/turtle", "text"),
    ],
)
def test_every_page_query_is_under_the_deadline(fixture_store, path, accept, kind):
    # a deadline over before the first query: every page answers 503, in its own way
    app = create_app({"TESTING": True, "STORE": fixture_store, "QUERY_TIMEOUT": 1e-9})
    response = app.test_client().get(path, headers={"Accept": accept})
    assert response.status_code == 503
    message = "stopped after 1e-09 s: the answer took too long to compute"
    if kind == "json":
        assert response.get_json()["error"].startswith(message)
    elif kind == "text":
        assert response.mimetype == "text/plain"
        body = response.get_data(as_text=True)
        assert body.startswith(message) and body.count("\n") == 1
    else:
        assert response.mimetype == "text/html"
        assert message in response.get_data(as_text=True)


def test_the_text_index_is_read_under_the_deadline(generated_store):  # noqa: F811
    app = create_app({"TESTING": True, "STORE": generated_store, "QUERY_TIMEOUT": 60})
    answer = app.test_client().get("/questions/evidence-containing.json?word=security&limit=3")
    assert answer.status_code == 200, answer.data
    with app.test_request_context("/questions/evidence-containing"):
        from bilat.webapp.deadline import QueryTooLong, text_search, time_left

        assert text_search("security", 3, True)[0]  # the index answers
        g.bilat_deadline -= time_left() + 1  # the request's time is spent
        with pytest.raises(QueryTooLong):
            text_search("security", 3, True)


def test_a_page_gets_one_deadline_for_all_its_queries(fixture_store):
    # the network page runs several queries: together they get the one QUERY_TIMEOUT
    app = create_app({"TESTING": True, "STORE": fixture_store, "QUERY_TIMEOUT": 5})
    with app.test_request_context("/network"):
        from bilat.webapp.deadline import rows, time_left

        assert 4.9 < time_left() <= 5
        time.sleep(0.2)
        assert time_left() < 4.85
        assert rows("ASK { ?s ?p ?o }").rows == [()]
        assert len(rows("SELECT ?s WHERE { ?s ?p ?o }", stop=3).rows) == 3


def test_a_window_ships_only_its_rows(served):
    _, runner = served
    query = f"SELECT ?n WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?n }} }} ORDER BY ?n"
    answer = runner.rows(query, start=2990)
    assert [int(row[0].value) for row in answer.rows] == list(range(2990, 3000))
    assert runner.rows(query, start=5, stop=7).rows == [(Literal(5),), (Literal(6),)]
    below = (
        f"SELECT ?top ?n WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?n }} FILTER(?n < ?top) }} "
        "ORDER BY ?n"
    )
    bound = runner.rows(below, {"top": Literal(3)})  # bound by the engine in the worker
    assert [row[1] for row in bound.rows] == [Literal(0), Literal(1), Literal(2)]
    assert list(islice(bound.solutions(), 1)) == [{"top": Literal(3), "n": Literal(0)}]


def test_a_worker_opens_its_snapshot_just_after_a_bulk_load(tmp_path):
    # just after a bulk load, a first read-only open fails most times (RocksDB names a file
    # its compaction has just removed); the worker tries again
    store = Store(tmp_path / "store")
    store.load_vocabulary()
    store.import_file(DATA / "fixture.trig")
    snapshot = open_snapshot(str(tmp_path / "store"))
    assert len(snapshot) == len(store)
    store.close()
