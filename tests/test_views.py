"""The editor, timeline and network views, through Flask's test client on the fixture store."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from io import BytesIO
from pathlib import Path

import networkx as nx
import pytest

from bilat.graph import Store
from bilat.webapp import create_app
from bilat.webapp.views import declare_prefixes

ID = "https://w3id.org/bilat/id/"
BILAT = "https://w3id.org/bilat/ontology#"
ACTORS = {
    f"{ID}actor/{key}": label
    for key, label in [
        ("claudia-sheinbaum", "Claudia Sheinbaum"),
        ("donald-trump", "Donald Trump"),
        ("marco-rubio", "Marco Rubio"),
        ("juan-ramon-de-la-fuente", "Juan Ramón de la Fuente"),
        ("gov-mex", "Government of Mexico"),
        ("gov-usa", "Government of the United States"),
    ]
}
CALL = f"{ID}event/call-2026-01-12-claudia-sheinbaum-donald-trump"
MEETING = f"{ID}event/meeting-2026-01-20-juan-ramon-de-la-fuente-marco-rubio"
PLANNED = f"{ID}event/meeting-2026-02-security-implementation-group"
# A second call between the presidents, in a communiqué of its own.
SECOND_CALL = f"""
@prefix bilat: <{BILAT}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}communique/extra> {{
  <{ID}event/call-2026-03-02> a bilat:Event, bilat:Call ;
    bilat:date "2026-03-02"^^xsd:date ; bilat:status bilat:Held ;
    bilat:participant <{ID}actor/claudia-sheinbaum>, <{ID}actor/donald-trump> .
}}
"""


def rows(body: bytes) -> int:
    return body.count(b'<tr class="row">')


def timeline(client, **args) -> list[dict]:
    response = client.get("/timeline.json", query_string=args)
    assert response.status_code == 200 and response.is_json
    return response.get_json()["events"]


def network(client, **args) -> dict:
    response = client.get("/network.json", query_string=args)
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def links(elements: dict) -> set[tuple[str, str, str]]:
    return {
        (e["data"]["relation"], e["data"]["source"], e["data"]["target"]) for e in elements["edges"]
    }


# --- navigation -------------------------------------------------------------------------


def test_every_page_links_the_views(client):
    body = client.get("/").get_data(as_text=True)
    for href in ('href="/sparql/editor"', 'href="/timeline"', 'href="/network"'):
        assert href in body


# --- the SPARQL editor ------------------------------------------------------------------


def editor_settings(body: str) -> dict:
    found = re.search(r'<script type="application/json" id="editor-settings">(.*?)</script>', body)
    assert found, "the page carries no editor settings"
    return json.loads(found.group(1))


def textarea(body: str) -> str:
    return unescape(re.search(r'<textarea name="query"[^>]*>(.*?)</textarea>', body, re.S).group(1))


def test_the_editor_starts_with_every_prefix_and_an_example(client, app):
    response = client.get("/sparql/editor")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    text = textarea(body)
    assert text.startswith("PREFIX bilat: <https://w3id.org/bilat/ontology#>")
    assert "SELECT" in text
    assert 'src="/static/vendor/yasqe.min.js"' in body and 'src="/static/editor.js"' in body
    assert "cdn" not in body.lower() and "https://unpkg" not in body
    with app.app_context():
        from bilat.webapp.questions import catalogue

        names = set(catalogue())
    assert set(re.findall(r'<option value="([^"]+)"', body.split('id="examples"')[1])) >= names
    settings = editor_settings(body)
    assert set(settings["examples"]) == names
    assert settings["endpoint"] == "/sparql"
    assert f"{BILAT}Commitment" in settings["vocabulary"]["classes"]
    assert f"{BILAT}participant" in settings["vocabulary"]["properties"]


def test_the_editor_opens_the_query_it_is_given(client):
    query = "SELECT ?c WHERE { ?c a bilat:Commitment } # <b>"
    body = client.get("/sparql/editor", query_string={"query": query}).get_data(as_text=True)
    assert "# <b>" not in body  # the query is escaped in the page
    assert textarea(body) == f"PREFIX bilat: <{BILAT}>\n{query}"


def test_the_editor_opens_a_saved_question(client):
    body = client.get("/sparql/editor?example=who-met-whom").get_data(as_text=True)
    assert '<option value="who-met-whom" selected>' in body
    text = textarea(body)
    assert "SELECT ?kind ?actor ?actorLabel ?other ?otherLabel ?times" in text
    assert "PREFIX skos:" not in text  # only the prefixes the saved query uses are declared


def test_declared_prefixes_are_not_declared_twice():
    query = "PREFIX bilat: <x#>\nSELECT * WHERE { ?s bilat:a ?o ; rdfs:label ?l }"
    assert (
        declare_prefixes(query) == f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n{query}"
    )
    iri_only = "ASK { <http://e.org/id:x> ?p ?o }"
    assert declare_prefixes(iri_only) == iri_only


def test_without_the_vendor_files_the_editor_is_the_plain_form(fixture_store, tmp_path):
    app = create_app({"TESTING": True, "STORE": fixture_store})
    static = tmp_path / "static"
    shutil.copytree(Path(app.static_folder), static, ignore=shutil.ignore_patterns("vendor"))
    app.static_folder = str(static)
    body = app.test_client().get("/sparql/editor").get_data(as_text=True)
    assert "The editor's scripts are not installed" in body
    assert "vendor/yasqe.min.js" not in body and 'action="/sparql"' in body
    timeline_page = app.test_client().get("/timeline").get_data(as_text=True)
    assert "vis-timeline" not in timeline_page and rows(timeline_page.encode()) == 3


# --- the timeline ----------------------------------------------------------------------


def test_the_timeline_page_has_its_form_drawing_and_table(client):
    response = client.get("/timeline?country_a=mex&country_b=usa")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<option value="mex" selected>Mexico</option>' in body
    assert '<option value="usa" selected>United States</option>' in body
    assert 'data-source="/timeline.json?country_a=mex&amp;country_b=usa"' in body
    assert rows(response.data) == 2


def test_the_timeline_json_between_two_countries(client):
    events = timeline(client, country_a="mex", country_b="usa")
    assert [e["id"] for e in events] == [CALL, MEETING]
    call, meeting = events
    assert call["date"] == call["start"] == "2026-01-12" and call["end"] is None
    assert call["kind"] == "Call" and call["status"] == "Held"
    assert call["href"] == "/id/event/call-2026-01-12-claudia-sheinbaum-donald-trump"
    assert [p["label"] for p in call["participants"]] == ["Claudia Sheinbaum", "Donald Trump"]
    assert meeting["follows"] == [CALL]


def test_the_timeline_spans_a_month_only_date_and_filters_a_period(client):
    assert [e["id"] for e in timeline(client)] == [CALL, MEETING, PLANNED]
    planned = timeline(client, **{"from": "2026-02-15"})
    assert [e["id"] for e in planned] == [PLANNED]  # February overlaps the period
    assert planned[0]["start"] == "2026-02-01" and planned[0]["end"] == "2026-02-28"
    assert planned[0]["status"] == "Planned"
    assert [e["id"] for e in timeline(client, to="2026-01-15")] == [CALL]
    assert [e["id"] for e in timeline(client, **{"from": "2026-01-13", "to": "2026-01-31"})] == [
        MEETING
    ]
    assert timeline(client, country_a="usa", country_b="usa", to="2026-01-01") == []


# --- the network -----------------------------------------------------------------------


def test_the_network_json_has_the_actors_and_their_links(client):
    elements = network(client)
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    assert {iri: data["label"] for iri, data in nodes.items()} == ACTORS
    assert nodes[f"{ID}actor/gov-mex"]["type"] == "Government"
    assert nodes[f"{ID}actor/marco-rubio"]["type"] == "Person"
    assert nodes[f"{ID}actor/marco-rubio"]["href"] == "/id/actor/marco-rubio"
    rubio, fuente = f"{ID}actor/marco-rubio", f"{ID}actor/juan-ramon-de-la-fuente"
    assert links(elements) == {
        ("met", f"{ID}actor/claudia-sheinbaum", f"{ID}actor/donald-trump"),
        ("met", fuente, rubio),
        ("committed", fuente, rubio),
        ("committed", f"{ID}actor/gov-mex", f"{ID}actor/gov-usa"),
    }
    for edge in elements["edges"]:
        assert edge["data"]["weight"] == 1


def test_the_network_filters_by_relation_kind_and_period(client):
    assert {r for r, _, _ in links(network(client, relation="met"))} == {"met"}
    assert {r for r, _, _ in links(network(client, relation="committed"))} == {"committed"}
    calls = network(client, relation="met", kind="Call")
    assert links(calls) == {("met", f"{ID}actor/claudia-sheinbaum", f"{ID}actor/donald-trump")}
    later = network(client, **{"from": "2026-01-14"})
    assert {(r, s.rsplit("/", 1)[1]) for r, s, _ in links(later)} == {
        ("met", "juan-ramon-de-la-fuente"),
        ("committed", "juan-ramon-de-la-fuente"),
    }
    assert network(client, to="2026-01-01") == {"nodes": [], "edges": []}


def test_links_are_weighted_by_the_events_shared(fixture_store, tmp_path):
    extra = tmp_path / "extra.trig"
    extra.write_text(SECOND_CALL, encoding="utf-8")
    fixture_store.import_file(extra)
    client = create_app({"TESTING": True, "STORE": fixture_store}).test_client()
    edge = next(
        e["data"]
        for e in network(client, relation="met")["edges"]
        if e["data"]["source"].endswith("claudia-sheinbaum")
    )
    assert (edge["weight"], edge["first"], edge["last"]) == (2, "2026-01-12", "2026-03-02")


def test_the_network_page_lists_the_links_and_downloads(client):
    response = client.get("/network?relation=met")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert rows(response.data) == 2
    assert 'href="/id/actor/marco-rubio"' in body
    assert 'href="/network.graphml?relation=met"' in body
    assert 'href="/network.gexf?relation=met"' in body
    assert 'data-source="/network.json?relation=met"' in body


@pytest.mark.parametrize(
    ("suffix", "content_type", "read"),
    [
        ("graphml", "application/graphml+xml", nx.read_graphml),
        ("gexf", "application/gexf+xml", nx.read_gexf),
    ],
)
def test_the_network_downloads_for_graph_tools(client, suffix, content_type, read):
    response = client.get(f"/network.{suffix}")
    assert response.status_code == 200
    assert response.content_type == content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="bilat-network.{suffix}"'
    )
    graph = read(BytesIO(response.data))
    assert graph.number_of_nodes() == len(ACTORS) and graph.number_of_edges() == 4
    labels = {node: data.get("label") for node, data in graph.nodes(data=True)}
    assert labels == ACTORS
    assert graph.nodes[f"{ID}actor/gov-usa"]["type"] == "Government"
    relations = sorted(data["relation"] for _, _, data in graph.edges(data=True))
    assert relations == ["committed", "committed", "met", "met"]
    assert all(float(data["weight"]) == 1 for _, _, data in graph.edges(data=True))


# --- bad parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/timeline.json?from=2026-13-01", "is not a date"),
        ("/timeline.json?from=2026-02-01&to=2026-01-01", "starts after it ends"),
        ("/timeline.json?country_a=$$$", "country"),
        ("/network.json?relation=friends", "is not one of"),
        ("/network.json?kind=Banquet", "is not an event kind"),
        ("/network.json?to=tomorrow", "is not a date"),
    ],
)
def test_a_bad_parameter_is_a_400_in_json(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and response.is_json
    assert message in response.get_json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/timeline?to=2026-02-30",
        "/network?relation=friends",
        "/network.graphml?kind=Banquet",
        "/network.gexf?from=yesterday",
        "/sparql/editor?example=no-such-question",
    ],
)
def test_a_bad_parameter_on_a_page_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_an_unknown_download_is_a_404(client):
    assert client.get("/network.pdf").status_code == 404


def test_the_view_queries_do_not_change_the_store(fixture_store: Store, client):
    before = len(fixture_store)
    for url in ("/timeline", "/network", "/network.graphml", "/sparql/editor"):
        assert client.get(url).status_code == 200
    assert len(fixture_store) == before
