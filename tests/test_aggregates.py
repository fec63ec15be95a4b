"""The aggregates graph (queries/aggregates/): the rewritten questions that read it give
what a direct GROUP BY over the communiqué graphs gives."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from pyoxigraph import Literal, NamedNode

from bilat.graph import Store
from bilat.graph.aggregates import AGGREGATES_GRAPH
from bilat.queries.catalogue import load_catalogue

from conftest import DATA, REPO

spec = importlib.util.spec_from_file_location("generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(spec)
sys.modules["generate"] = generate
spec.loader.exec_module(generate)

CATALOGUE = load_catalogue()
ACTOR = "https://w3id.org/bilat/id/actor/"
EVERYTHING = {"from": "2000-01-01", "to": "2100-12-31"}

# The direct questions, as they were before they read the aggregates graph.
WHO_MET_WHOM = """
SELECT ?kind ?actor ?actorLabel ?other ?otherLabel
       (COUNT(DISTINCT ?event) AS ?times)
       (MIN(STR(?date)) AS ?first) (MAX(STR(?date)) AS ?last)
WHERE {
  ?event a/rdfs:subClassOf* ?kind ;
         bilat:participant ?actor, ?other .
  FILTER(STR(?actor) < STR(?other))
  OPTIONAL { ?event bilat:date ?date }
  OPTIONAL { ?actor rdfs:label ?actorLabel FILTER(LANG(?actorLabel) IN ("", "en")) }
  OPTIONAL { ?other rdfs:label ?otherLabel FILTER(LANG(?otherLabel) IN ("", "en")) }
}
GROUP BY ?kind ?actor ?actorLabel ?other ?otherLabel"""

MONTHLY_TOPIC_COUNTS = """
SELECT ?from ?to ?month ?topic ?topicLabel
       (COUNT(DISTINCT ?about) AS ?communiques)
       (COUNT(DISTINCT ?claim) AS ?claims)
       (COUNT(DISTINCT ?commitment) AS ?commitments)
WHERE {
  ?communique a bilat:Communique ;
              dcterms:date ?date .
  FILTER(?date >= ?from && ?date <= ?to)
  BIND(SUBSTR(STR(?date), 1, 7) AS ?month)
  { ?communique bilat:about ?topic . BIND(?communique AS ?about) }
  UNION { ?claim prov:wasDerivedFrom ?communique ; a bilat:Claim ; bilat:concerns ?topic . }
  UNION { ?commitment prov:wasDerivedFrom ?communique ; a bilat:Commitment ;
                      bilat:concerns ?topic . }
  OPTIONAL { ?topic skos:prefLabel ?topicLabel FILTER(LANGMATCHES(LANG(?topicLabel), "en")) }
}
GROUP BY ?from ?to ?month ?topic ?topicLabel"""

# Events are counted once per month (the aggregate sums months); str.format fills the dates.
MOST_ACTIVE = """
SELECT ?actor (SUM(?c1) AS ?claims) (SUM(?c2) AS ?commitments) (SUM(?c3) AS ?events) WHERE {{
  SELECT ?actor ?month (COUNT(DISTINCT ?claim) AS ?c1) (COUNT(DISTINCT ?commitment) AS ?c2)
         (COUNT(DISTINCT ?event) AS ?c3) WHERE {{
    ?communique a bilat:Communique ; dcterms:date ?date .
    FILTER(?date >= "{from}"^^xsd:date && ?date <= "{to}"^^xsd:date)
    BIND(SUBSTR(STR(?date), 1, 7) AS ?month)
    {{ ?claim prov:wasDerivedFrom ?communique . ?actor bilat:said ?claim . }}
    UNION {{ ?commitment prov:wasDerivedFrom ?communique ; bilat:committedBy ?actor . }}
    UNION {{ ?event prov:wasDerivedFrom ?communique ; bilat:participant ?actor . }}
  }} GROUP BY ?actor ?month
}} GROUP BY ?actor"""

COUNTRY_ACTORS = """
SELECT ?country ?actor ?label ?kind ?role (COUNT(DISTINCT ?claim) AS ?claims)
WHERE {
  ?actor bilat:country ?country ; a ?kind .
  ?kind rdfs:subClassOf bilat:Actor .
  OPTIONAL { ?actor rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) }
  OPTIONAL { ?actor bilat:role ?role FILTER(LANGMATCHES(LANG(?role), "en")) }
  OPTIONAL { ?actor bilat:said ?claim }
}
GROUP BY ?country ?actor ?label ?kind ?role"""

TIMELINE = """
SELECT DISTINCT ?country_a ?country_b ?date ?event ?kind ?status ?label
WHERE {
  ?event bilat:participant/bilat:country? ?country_a .
  ?event bilat:participant/bilat:country? ?country_b .
  ?event a ?kind ;
         bilat:date ?date .
  ?kind rdfs:subClassOf+ bilat:Event .
  FILTER NOT EXISTS { ?event a ?narrower . ?narrower rdfs:subClassOf+ ?kind }
  OPTIONAL { ?event bilat:status ?status }
  OPTIONAL { ?event rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) }
}"""


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory) -> Store:
    """An on-disk store holding 60 generated communiqués, its aggregates refreshed."""
    folder = tmp_path_factory.mktemp("agg")
    data = folder / "g.nq"
    generate.generate(60, data, seed=11, pool=200)
    store = Store(folder / "store")
    store.import_file(data)
    yield store
    store.close()


def rows(result, names=None) -> set[tuple]:
    names = names or [v.value for v in result.variables]
    return {tuple(None if row[n] is None else row[n].value for n in names) for row in result}


def saved(store: Store, name: str, values: dict[str, str]) -> set[tuple]:
    question = CATALOGUE[name]
    return rows(store.query(question.sparql, question.bind(values)))


def direct(store: Store, sparql: str, values: dict[str, str], question: str) -> set[tuple]:
    return rows(store.query(sparql, CATALOGUE[question].bind(values)))


@pytest.mark.parametrize("kind", ["Meeting", "Call", "Summit"])
def test_who_met_whom_matches_a_direct_group_by(generated_store, kind):
    found = saved(generated_store, "who-met-whom", {"kind": kind})
    assert found and found == direct(generated_store, WHO_MET_WHOM, {"kind": kind}, "who-met-whom")


def test_who_met_whom_on_the_fixture(fixture_store):
    found = saved(fixture_store, "who-met-whom", {"kind": "Call"})
    assert found == direct(fixture_store, WHO_MET_WHOM, {"kind": "Call"}, "who-met-whom")
    assert any(row[1].endswith("claudia-sheinbaum") for row in found)


@pytest.mark.parametrize("window", [EVERYTHING, {"from": "2018-03-01", "to": "2020-06-30"}])
def test_monthly_topic_counts_match_a_direct_group_by(generated_store, window):
    found = saved(generated_store, "monthly-topic-counts", window)
    expected = direct(generated_store, MONTHLY_TOPIC_COUNTS, window, "monthly-topic-counts")
    assert found and found == expected


@pytest.mark.parametrize("window", [EVERYTHING, {"from": "2017-04-01", "to": "2021-02-28"}])
def test_most_active_actors_match_a_direct_group_by(generated_store, window):
    question = CATALOGUE["most-active-actors"]
    result = generated_store.query(question.sparql, question.bind(window))
    found = rows(result, ["actor", "claims", "commitments", "events"])
    expected = rows(generated_store.query(MOST_ACTIVE.format(**window)))
    assert len(found) > 20 and found == expected


@pytest.mark.parametrize("country", ["usa", "mex", "chn"])
def test_country_actors_match_a_direct_group_by(generated_store, country):
    found = saved(generated_store, "country-actors", {"country": country})
    expected = direct(generated_store, COUNTRY_ACTORS, {"country": country}, "country-actors")
    assert any(int(row[-1]) > 0 for row in found) and found == expected


def test_timeline_between_countries_matches_the_property_path(generated_store):
    pairs = {("usa", "mex"), ("mex", "usa"), ("chn", "usa")}
    for a, b in pairs:
        values = {"country_a": a, "country_b": b}
        found = saved(generated_store, "timeline-between-countries", values)
        assert found == direct(generated_store, TIMELINE, values, "timeline-between-countries")


def test_refreshing_again_gives_the_same_graph(generated_store):
    before = set(generated_store.quads(AGGREGATES_GRAPH))
    generated_store.refresh_aggregates()
    assert before and set(generated_store.quads(AGGREGATES_GRAPH)) == before


def test_the_actor_directory_holds_one_copy_of_each_label(fixture_store):
    labels = fixture_store.query(
        "SELECT ?g ?actor ?label WHERE { GRAPH ?g { ?actor rdfs:label ?label } }",
        {"actor": NamedNode(ACTOR + "gov-usa"), "g": AGGREGATES_GRAPH})
    assert {row["label"] for row in labels} == {
        Literal("Government of the United States", language="en"),
        Literal("Gobierno de Estados Unidos", language="es")}


def test_the_aggregates_graph_is_not_listed_among_the_named_graphs(fixture_store):
    assert fixture_store.has_graph(AGGREGATES_GRAPH)
    assert AGGREGATES_GRAPH not in fixture_store.named_graphs()


def test_an_import_refreshes_the_aggregates(tmp_path):
    with Store(tmp_path / "store") as store:
        store.load_vocabulary()
        store.import_file(DATA / "fixture.trig")
        assert saved(store, "who-met-whom", {"kind": "Meeting"})


def test_the_event_cards_hold_each_events_most_specific_kinds(generated_store):
    carded = rows(generated_store.query(
        "PREFIX agg: <https://w3id.org/bilat/aggregates#> "
        "SELECT ?event ?kind WHERE { ?event agg:eventKind ?kind }"))
    walked = rows(generated_store.query(
        "SELECT DISTINCT ?event ?kind WHERE { ?event a ?kind . ?kind rdfs:subClassOf+ bilat:Event "
        "FILTER NOT EXISTS { ?event a ?narrower . ?narrower rdfs:subClassOf+ ?kind } }"))
    assert len(carded) > 50 and carded == walked
