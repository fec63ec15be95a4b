"""The web app: the question list, question pages, their twins, the editor link, errors."""

import csv
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad
from rdflib.compare import isomorphic

from bilat.graph import Store
from bilat.queries.catalogue import load_catalogue
from bilat.webapp import create_app

CATALOGUE = load_catalogue()
NAMES = sorted(CATALOGUE)
SELECTS = [name for name in NAMES if CATALOGUE[name].kind == "solutions"]
GRAPHS = [name for name in NAMES if CATALOGUE[name].kind == "graph"]
ROW = re.compile(r'<tr class="row">')
EDIT = re.compile(r'<a class="edit" href="([^"]+)">')
CELL = re.compile(r"<td>(.*?)</td>")
ID = "https://w3id.org/bilat/id/"
BILAT = "https://w3id.org/bilat/ontology#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"


def html_rows(body: bytes) -> int:
    return len(ROW.findall(body.decode()))


def test_home_lists_every_question(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    body = unescape(response.get_data(as_text=True))
    for name, saved in CATALOGUE.items():
        assert f'href="/questions/{name}"' in body
        assert saved.title in body and saved.title_es in body and saved.description in body


@pytest.mark.parametrize("name", SELECTS)
def test_question_page_shows_rows_for_its_examples(client, name: str):
    saved = CATALOGUE[name]
    examples = {p: param.example for p, param in saved.params.items()}
    response = client.get(f"/questions/{name}", query_string=examples)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    body = response.get_data(as_text=True)
    assert html_rows(response.data) >= saved.expect["min_rows"]
    for variable in saved.expect["vars"]:
        assert f"<th>{variable}</th>" in body
    assert "SELECT" in body and "PREFIX bilat: &lt;https://w3id.org/bilat/ontology#&gt;" in body
    for p in saved.params:
        assert f'name="{p}"' in body  # a form control per parameter
        assert f"<td>?{p}</td>" in body  # and its bound value


@pytest.mark.parametrize("name", NAMES)
def test_every_question_answers_with_no_parameters(client, name: str):
    """Every parameter has a default (or its example): the bare URL shows an answer."""
    response = client.get(f"/questions/{name}")
    assert response.status_code == 200
    assert html_rows(response.data) >= 1
    body = unescape(response.get_data(as_text=True))
    for param_name, param in CATALOGUE[name].params.items():
        assert f'name="{param_name}"' in body
        assert param.fallback in body
    assert '<form method="get"' in body  # the form's values go in the URL: bookmarkable


@pytest.mark.parametrize("name", SELECTS)
def test_json_and_csv_twins_match_the_page(client, name: str):
    saved = CATALOGUE[name]
    examples = {p: param.example for p, param in saved.params.items()}
    page = client.get(f"/questions/{name}", query_string=examples)

    as_json = client.get(f"/questions/{name}.json", query_string=examples)
    assert as_json.status_code == 200
    assert as_json.content_type == "application/sparql-results+json"
    document = json.loads(as_json.data)
    assert document["head"]["vars"] == saved.expect["vars"]
    assert len(document["results"]["bindings"]) == html_rows(page.data)

    as_csv = client.get(f"/questions/{name}.csv", query_string=examples)
    assert as_csv.status_code == 200
    assert as_csv.content_type == "text/csv; charset=utf-8"
    header, *rows = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert header == saved.expect["vars"]
    assert len(rows) == html_rows(page.data)


def test_a_question_page_holds_its_values_and_links_to_entities(client):
    response = client.get("/questions/actor-statements?actor=marco-rubio")
    body = response.get_data(as_text=True)
    assert '<option value="marco-rubio" selected>Marco Rubio</option>' in body
    assert '<option value="claudia-sheinbaum">Claudia Sheinbaum</option>' in body
    assert '<a href="/id/actor/marco-rubio">id:actor/marco-rubio</a>' in body
    assert "that security cooperation must deliver results" in body
    assert '<a href="/questions/actor-statements.json?actor=marco-rubio" type=' in body
    dates = client.get("/questions/statements-on-topic?topic=sovereignty&from=2026-01-10")
    text = dates.get_data(as_text=True)
    assert '<input type="date" name="from" value="2026-01-10">' in text
    assert '<option value="sovereignty" selected>Sovereignty</option>' in text
    assert html_rows(dates.data) == 1 and "Claudia Sheinbaum" in text


def test_paging_by_limit_and_offset(client):
    every = json.loads(client.get("/questions/most-active-actors.json").data)
    labels = [b["label"]["value"] for b in every["results"]["bindings"]]
    assert len(labels) == 7
    first = client.get("/questions/most-active-actors?limit=3")
    assert html_rows(first.data) == 3
    assert 'href="/questions/most-active-actors?offset=3&amp;limit=3">next</a>' in first.get_data(
        as_text=True
    )
    last = client.get("/questions/most-active-actors?limit=3&offset=6")
    body = last.get_data(as_text=True)
    assert html_rows(last.data) == 1 and labels[6] in body
    assert ">next</a>" not in body and "Rows 7–7" in body
    assert client.get("/questions/most-active-actors?limit=0").status_code == 400
    assert client.get("/questions/most-active-actors?offset=-1").status_code == 400


@pytest.mark.parametrize("suffix", ["", ".json", ".csv"])
def test_a_bad_date_is_a_400(client, suffix: str):
    response = client.get(f"/questions/statements-on-topic{suffix}?from=2026-02-30")
    assert response.status_code == 400
    assert "parameter &#39;from&#39; (date): &#39;2026-02-30&#39; is not a date" in (
        response.get_data(as_text=True)
    )


def test_an_unknown_parameter_is_a_400(client):
    response = client.get("/questions/actor-statements?person=marco-rubio")
    assert response.status_code == 400
    assert "unknown parameter &#39;person&#39;" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/questions/nothing",
        "/questions/nothing.json",
        "/questions/actor-statements.pdf",
        "/id/actor/nobody",
    ],
)
def test_unknown_things_are_a_404(client, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"
    assert "404 Not Found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "hostile", ['"', "'", ">", "}", "} UNION { ?s ?p ?o", '" } UNION { ?s ?p ?o } #']
)
def test_a_hostile_value_cannot_change_the_results(client, hostile: str):
    word = client.get("/questions/evidence-containing.json", query_string={"word": hostile})
    assert word.status_code == 200
    assert json.loads(word.data)["results"]["bindings"] == []
    after = client.get(
        "/questions/evidence-containing", query_string={"word": "security" + hostile}
    )
    assert after.status_code == 200 and html_rows(after.data) == 0
    actor = client.get(
        "/questions/actor-statements", query_string={"actor": "marco-rubio" + hostile}
    )
    assert actor.status_code == 400
    assert "parameter &#39;actor&#39; (actor)" in actor.get_data(as_text=True)


def test_a_claim_with_html_is_escaped(fixture_store: Store):
    source = NamedNode(ID + "communique/fixture-hostile")
    claim = NamedNode(ID + "claim/fixture-hostile/0")
    quads = [
        Quad(
            claim,
            NamedNode(BILAT + "text"),
            Literal("<script>alert('x')</script> & more", language="en"),
            source,
        ),
        Quad(claim, NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), source, source),
        Quad(NamedNode(ID + "actor/marco-rubio"), NamedNode(BILAT + "said"), claim, source),
        Quad(
            source,
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode(BILAT + "Communique"),
            source,
        ),
        Quad(
            source,
            NamedNode("http://purl.org/dc/terms/date"),
            Literal("2026-02-01", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")),
            source,
        ),
    ]
    fixture_store.replace_graph(source, quads)
    fixture_store.refresh_aggregates()  # as `bilat load` and the upload page do
    client = create_app({"TESTING": True, "STORE": fixture_store}).test_client()
    response = client.get("/questions/actor-statements?actor=marco-rubio")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and html_rows(response.data) == 2
    assert "<script>" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in body


def test_an_entity_page_lists_facts_both_ways(client):
    response = client.get("/id/actor/marco-rubio")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<h1>id:actor/marco-rubio</h1>" in body
    assert (
        '<a href="http://www.w3.org/2000/01/rdf-schema#label">rdfs:label</a></td><td>Marco Rubio<'
        in body
    )
    assert '<a href="/id/actor/usa">id:actor/usa</a>' in body  # bilat:country, outgoing
    assert '<a href="/id/event/meeting-2026-01-20-juan-ramon-de-la-fuente-marco-rubio">' in body


def test_the_store_is_opened_once_per_app(tmp_path):
    app = create_app({"TESTING": True, "STORE": str(tmp_path / "store")})
    with app.app_context():
        from bilat.webapp.db import get_store

        assert get_store() is get_store()
        assert isinstance(get_store(), Store)
    assert app.test_client().get("/questions/actor-statements.json").status_code == 200


def test_the_accept_header_chooses_a_twin(client):
    response = client.get(
        "/questions/actor-statements?actor=marco-rubio",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert len(json.loads(response.data)["results"]["bindings"]) == 1
    browser = client.get("/questions/actor-statements", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.content_type == "text/html; charset=utf-8"


# --- questions whose answer is a graph (CONSTRUCT, DESCRIBE) ---------------------------------

COMMUNIQUE = ID + "communique/fixture-mx-us-llamada"


def expected_graph(fixture_store: Store, name: str, raw: dict[str, str]) -> rdflib.Graph:
    """The question's triples straight from the store, as an rdflib graph."""
    saved = CATALOGUE[name]
    triples = fixture_store.query(saved.sparql, saved.bind(raw))
    expected = rdflib.Graph()
    expected.parse(data="\n".join(f"{t} ." for t in triples), format="nt")
    return expected


@pytest.mark.parametrize("name", GRAPHS)
def test_a_graph_question_page_shows_its_triples(client, fixture_store, name: str):
    saved = CATALOGUE[name]
    examples = {p: param.example for p, param in saved.params.items()}
    response = client.get(f"/questions/{name}", query_string=examples)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<th>subject</th><th>predicate</th><th>object</th>" in body
    expected = expected_graph(fixture_store, name, examples)
    assert html_rows(response.data) == min(len(expected), 50)
    assert html_rows(response.data) >= saved.expect["min_triples"]
    for suffix in ("ttl", "nt", "jsonld"):
        assert f'href="/questions/{name}.{suffix}?' in body
    assert f'href="/questions/{name}.json?' not in body


@pytest.mark.parametrize(
    ("suffix", "rdflib_format", "content_type"),
    [
        ("ttl", "turtle", "text/turtle; charset=utf-8"),
        ("nt", "nt", "application/n-triples"),
        ("jsonld", "json-ld", "application/ld+json"),
    ],
)
def test_a_graph_question_has_rdf_twins(client, fixture_store, suffix, rdflib_format, content_type):
    raw = {"communique": "fixture-mx-us-llamada"}
    response = client.get(f"/questions/communique-graph.{suffix}", query_string=raw)
    assert response.status_code == 200
    assert response.content_type == content_type
    got = rdflib.Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    expected = expected_graph(fixture_store, "communique-graph", raw)
    assert len(expected) >= CATALOGUE["communique-graph"].expect["min_triples"]
    assert isomorphic(got, expected)
    # the claims of the communiqué, with their evidence sentences, as the fixture has them
    rows = fixture_store.query(
        "SELECT ?communique ?claim ?sentence WHERE { ?claim a bilat:Claim ; "
        "prov:wasDerivedFrom ?communique ; bilat:evidence/nif:anchorOf ?sentence }",
        {"communique": NamedNode(COMMUNIQUE)},
    )
    claims = 0
    for row in rows:
        claims += 1
        claim = rdflib.URIRef(row["claim"].value)
        sentence = rdflib.Literal(row["sentence"].value)
        assert (claim, rdflib.URIRef(BILAT + "evidence"), None) in got
        assert (None, rdflib.URIRef(NIF + "anchorOf"), sentence) in got
    assert claims >= 1


def test_a_graph_question_negotiates_rdf(client):
    response = client.get(
        "/questions/communique-graph?communique=fixture-us-mx-meeting",
        headers={"Accept": "text/turtle"},
    )
    assert response.status_code == 200
    assert response.content_type == "text/turtle; charset=utf-8"
    rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    # a results format is no answer to a graph question, and Turtle none to a table
    assert client.get("/questions/communique-graph.json").status_code == 404
    assert client.get("/questions/actor-statements.ttl").status_code == 404
    table = client.get("/questions/actor-statements", headers={"Accept": "text/turtle"})
    assert table.content_type == "text/html; charset=utf-8"


def test_a_graph_question_refuses_a_bad_communique(client):
    response = client.get("/questions/communique-graph.ttl?communique=not a key")
    assert response.status_code == 400
    assert "parameter &#39;communique&#39; (communique)" in response.get_data(as_text=True)


# --- "edit this query": the bound query, as text the SPARQL endpoint runs --------------------


def edit_link_text(body: str) -> str:
    """The query text the "edit this query" link opens."""
    link = unescape(EDIT.search(body).group(1))
    assert urlsplit(link).path == "/sparql/editor"
    return parse_qs(urlsplit(link).query)["query"][0]


@pytest.mark.parametrize("name", NAMES)
def test_the_edit_link_runs_on_the_endpoint_with_the_same_answer(client, name: str):
    saved = CATALOGUE[name]
    examples = {p: param.example for p, param in saved.params.items()}
    page = client.get(f"/questions/{name}", query_string=examples)
    text = edit_link_text(page.get_data(as_text=True))
    assert unescape(page.get_data(as_text=True)).count(text) == 1  # shown on the page too
    if saved.kind == "graph":
        ran = client.post("/sparql", data={"query": text}, headers={"Accept": "text/turtle"})
        assert ran.status_code == 200
        twin = client.get(f"/questions/{name}.ttl", query_string=examples)
        graphs = [rdflib.Graph().parse(data=r.get_data(as_text=True)) for r in (ran, twin)]
        assert len(graphs[0]) >= saved.expect["min_triples"]
        assert isomorphic(*graphs)
        return
    ran = client.post(
        "/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"}
    )
    assert ran.status_code == 200
    twin = client.get(f"/questions/{name}.json", query_string=examples)
    got, expected = (json.loads(r.data) for r in (ran, twin))
    assert got["head"]["vars"] == expected["head"]["vars"]
    assert len(got["results"]["bindings"]) == html_rows(page.data) >= 1
    assert [key_values(b) for b in got["results"]["bindings"]] == [
        key_values(b) for b in expected["results"]["bindings"]
    ]


def key_values(binding: dict) -> dict:
    """A JSON results row, its GROUP_CONCAT lists sorted (their inner order is open)."""
    return {k: ", ".join(sorted(v["value"].split(", "))) for k, v in binding.items()}


def test_the_edit_link_carries_the_values_asked_for(client):
    page = client.get("/questions/statements-on-topic?topic=sovereignty&from=2026-01-10")
    text = edit_link_text(page.get_data(as_text=True))
    assert (
        "VALUES (?topic ?from ?to) { (<https://w3id.org/bilat/id/topic/sovereignty> "
        '"2026-01-10"^^<http://www.w3.org/2001/XMLSchema#date> '
        '"2100-12-31"^^<http://www.w3.org/2001/XMLSchema#date>) }'
    ) in text
    ran = client.get("/sparql", query_string={"query": text, "format": "json"})
    assert len(json.loads(ran.data)["results"]["bindings"]) == html_rows(page.data) == 1


def test_every_row_links_to_why_this_answer(client):
    page = client.get("/questions/most-active-actors?limit=3&offset=3")
    body = page.get_data(as_text=True)
    for number in (4, 5, 6):
        assert (
            f'href="/questions/most-active-actors/why?from=2000-01-01&amp;to=2100-12-31'
            f'&amp;row={number}"' in body
        )
    assert "row=3" not in body and "row=7" not in body


def test_an_example_the_graph_lacks_gives_way_to_a_choice_from_the_graph(fixture_store):
    """Without the example communiqué, the bare URL asks about one the graph holds."""
    fixture_store.replace_graph(NamedNode(ID + "communique/fixture-us-mx-meeting"), [])
    client = create_app({"TESTING": True, "STORE": fixture_store}).test_client()
    page = client.get("/questions/communique-graph")
    body = page.get_data(as_text=True)
    assert html_rows(page.data) >= 1 and "fixture-us-mx-meeting" not in body
    assert '<option value="fixture-mx-us-llamada" selected>' in body
    assert 'href="/questions/communique-graph.ttl?communique=fixture-mx-us-llamada"' in body
    twin = client.get("/questions/communique-graph.ttl")  # the same choice for scripts
    graph = rdflib.Graph().parse(data=twin.get_data(as_text=True), format="turtle")
    assert (rdflib.URIRef(COMMUNIQUE), None, None) in graph
