"""The web app: the question list, question pages, their JSON/CSV twins, errors, escaping."""

import csv
import io
import json
import re
from html import unescape

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from bilat.graph import Store
from bilat.queries.catalogue import load_catalogue
from bilat.webapp import create_app

CATALOGUE = load_catalogue()
NAMES = sorted(CATALOGUE)
ROW = re.compile(r'<tr class="row">')
ID = "https://w3id.org/bilat/id/"
BILAT = "https://w3id.org/bilat/ontology#"


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


@pytest.mark.parametrize("name", NAMES)
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
    assert '<a href="/questions/actor-statements.json?actor=marco-rubio">JSON</a>' in body
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
    ]
    fixture_store.replace_graph(source, quads)
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
