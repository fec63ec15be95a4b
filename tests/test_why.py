""" "Why this answer": the subgraph, evidence and sources behind one row of an answer."""

import json
import re
from html import unescape
from urllib.parse import urlencode

import pytest
import rdflib
from pyoxigraph import NamedNode
from rdflib.compare import isomorphic

from bilat.graph import Store
from bilat.queries.catalogue import load_catalogue

CATALOGUE = load_catalogue()
ID = "https://w3id.org/bilat/id/"
BILAT = "https://w3id.org/bilat/ontology#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
WHY = re.compile(r'<td class="why"><a href="([^"]+)"')
# The sentences that say an item, with their offsets and communiqué, as the fixture has them.
EVIDENCE = """SELECT ?item ?sentence ?begin ?end ?communique WHERE {
  ?item bilat:evidence ?evidence .
  ?evidence nif:anchorOf ?sentence ; nif:beginIndex ?begin ; nif:endIndex ?end ;
            prov:wasDerivedFrom ?communique .
} ORDER BY ?communique"""


def answer_rows(client, name: str, raw: dict[str, str]) -> list[dict]:
    """The question's answer as its JSON twin gives it."""
    response = client.get(f"/questions/{name}.json", query_string=raw)
    return json.loads(response.data)["results"]["bindings"]


def evidence_of(store: Store, item: str) -> list[dict[str, str]]:
    return [
        {name: row[name].value for name in ("sentence", "begin", "end", "communique")}
        for row in store.query(EVIDENCE, {"item": NamedNode(item)})
    ]


def turtle(response) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_why_shows_the_rows_evidence_sentence_and_its_communique(client, fixture_store):
    raw = {"actor": "marco-rubio"}
    rows = answer_rows(client, "actor-statements", raw)
    claim = rows[0]["claim"]["value"]
    response = client.get("/questions/actor-statements/why", query_string={**raw, "row": 1})
    assert response.status_code == 200
    body = unescape(response.get_data(as_text=True))
    assert "Why this answer" in body and "Por qué esta respuesta" in body
    evidence = evidence_of(fixture_store, claim)
    assert evidence
    for found in evidence:
        assert f"<blockquote>{found['sentence']}</blockquote>" in body
        path = found["communique"][len(ID) :]
        assert f'href="/id/{path}#at-{found["begin"]}-{found["end"]}"' in body
        assert f"characters {found['begin']}–{found['end']}" in body
    # the row itself, and a section for each of its IRIs
    for iri in (rows[0]["actor"]["value"], claim, rows[0]["communique"]["value"]):
        assert f'<h2><a href="/id/{iri[len(ID) :]}">' in body


def test_an_event_reported_twice_shows_both_sentences(client, fixture_store):
    raw = {"later_kind": "Meeting", "earlier_kind": "Call"}
    rows = answer_rows(client, "follows-chains", raw)
    number, row = next(
        (n, r) for n, r in enumerate(rows, 1) if "call-2026-01-12" in r["earlier"]["value"]
    )
    response = client.get("/questions/follows-chains/why", query_string={**raw, "row": number})
    body = unescape(response.get_data(as_text=True))
    evidence = evidence_of(fixture_store, row["earlier"]["value"])
    assert len({found["communique"] for found in evidence}) == 2
    for found in evidence:
        assert f"<blockquote>{found['sentence']}</blockquote>" in body
        assert f'href="/id/{found["communique"][len(ID) :]}"' in body  # a source communiqué


def test_why_as_turtle_holds_the_subgraph(client, fixture_store):
    query = {"actor": "marco-rubio", "row": 1}
    claim = answer_rows(client, "actor-statements", {"actor": "marco-rubio"})[0]["claim"]["value"]
    response = client.get("/questions/actor-statements/why.ttl", query_string=query)
    assert response.status_code == 200
    assert response.content_type == "text/turtle; charset=utf-8"
    graph = turtle(response)
    said = (rdflib.URIRef(ID + "actor/marco-rubio"), rdflib.URIRef(BILAT + "said"))
    assert (*said, rdflib.URIRef(claim)) in graph
    for found in evidence_of(fixture_store, claim):
        assert (None, rdflib.URIRef(NIF + "anchorOf"), rdflib.Literal(found["sentence"])) in graph
        assert (rdflib.URIRef(found["communique"]), None, None) in graph
    # the Accept header gives the same graph; N-Triples and JSON-LD too
    accepted = client.get(
        "/questions/actor-statements/why", query_string=query, headers={"Accept": "text/turtle"}
    )
    assert isomorphic(turtle(accepted), graph)
    as_nt = client.get("/questions/actor-statements/why.nt", query_string=query)
    assert isomorphic(rdflib.Graph().parse(data=as_nt.get_data(as_text=True), format="nt"), graph)
    assert client.get("/questions/actor-statements/why.pdf", query_string=query).status_code == 404


def test_the_why_links_on_a_page_open_their_own_rows(client):
    raw = {"from": "2026-01-01", "to": "2026-12-31"}
    page = client.get("/questions/most-active-actors", query_string=raw)
    links = [unescape(link) for link in WHY.findall(page.get_data(as_text=True))]
    rows = answer_rows(client, "most-active-actors", raw)
    assert len(links) == len(rows) >= 2
    for link, row in zip(links, rows, strict=True):
        body = client.get(link).get_data(as_text=True)
        actor = row["actor"]["value"][len(ID) :]
        cells = '<tr class="row"><td>2026-01-01</td><td>2026-12-31</td>'
        assert f'{cells}<td><a href="/id/{actor}">' in body


def test_why_works_for_a_graph_question(client):
    raw = {"communique": "fixture-us-mx-meeting"}
    page = client.get("/questions/communique-graph", query_string=raw)
    first = unescape(WHY.findall(page.get_data(as_text=True))[0])
    response = client.get(first)
    assert response.status_code == 200
    assert "<th>subject</th><th>predicate</th><th>object</th>" in response.get_data(as_text=True)


def test_the_permanent_link_gives_the_same_subgraph(client):
    query = {"actor": "marco-rubio", "row": 1}
    page = client.get("/questions/actor-statements/why", query_string=query)
    permanent = unescape(
        re.search(r'<a href="(/why\?[^"]+)" rel="bookmark">', page.get_data(as_text=True)).group(1)
    )
    again = client.get(permanent)
    assert again.status_code == 200
    assert "Both officials said that security cooperation must deliver results." in (
        again.get_data(as_text=True)
    )
    by_row = turtle(client.get("/questions/actor-statements/why.ttl", query_string=query))
    by_iri = turtle(client.get(permanent.replace("/why?", "/why.ttl?")))
    assert isomorphic(by_row, by_iri)
    short = client.get("/why.ttl?" + urlencode({"iri": "id:claim/fixture-us-mx-meeting/136"}))
    assert short.status_code == 200 and len(turtle(short)) >= 5


def test_a_row_number_out_of_range_is_a_404(client):
    raw = {"actor": "marco-rubio"}
    count = len(answer_rows(client, "actor-statements", raw))
    past = client.get("/questions/actor-statements/why", query_string={**raw, "row": count + 1})
    assert past.status_code == 404
    assert f"has no row {count + 1}" in past.get_data(as_text=True)
    ttl = client.get("/questions/actor-statements/why.ttl", query_string={**raw, "row": 99})
    assert ttl.status_code == 404
    assert client.get("/questions/nothing/why?row=1").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"actor": "marco-rubio"},  # no row
        {"actor": "marco-rubio", "row": "0"},
        {"actor": "marco-rubio", "row": "-1"},
        {"actor": "marco-rubio", "row": "first"},
        {"actor": "marco rubio", "row": "1"},  # not an actor key
        {"person": "marco-rubio", "row": "1"},  # no such parameter
    ],
)
def test_a_bad_parameter_is_a_400(client, query: dict[str, str]):
    for path in ("/questions/actor-statements/why", "/questions/actor-statements/why.ttl"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("iri=http://example.org/x", 400),
        ("iri=not%20an%20iri", 400),
        ("iri=id:claim/nothing-here", 404),
    ],
)
def test_the_permanent_link_refuses_what_is_not_ours(client, query: str, status: int):
    assert client.get(f"/why?{query}").status_code == status


def test_a_parameter_called_name_does_not_clash_with_the_route(fixture_store, tmp_path):
    from bilat.webapp import create_app

    (tmp_path / "labelled.rq").write_text(
        "#+ title: Labelled\n#+ title_es: Etiquetado\n#+ description: Actors by label.\n"
        "#+ params: {name: {type: string, example: Marco Rubio}}\n"
        "SELECT ?name ?actor WHERE { ?actor rdfs:label ?name }\n",
        encoding="utf-8",
    )
    client = create_app({"TESTING": True, "STORE": fixture_store, "QUERIES": str(tmp_path)})
    page = client.test_client().get("/questions/labelled?name=Marco+Rubio")
    link = unescape(WHY.findall(page.get_data(as_text=True))[0])
    assert link == "/questions/labelled/why?name=Marco+Rubio&row=1"
    why = client.test_client().get(link)
    assert why.status_code == 200 and '<h2><a href="/id/actor/marco-rubio">' in why.get_data(
        as_text=True
    )
