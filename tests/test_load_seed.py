"""Loading the seed communiqué: the v1 contract, checked by SPARQL over a real store."""

import pytest
from pyoxigraph import NamedNode

from bilat.graph import Store
from bilat.loaders import load_file

from conftest import CORPUS, REPO

SEED = CORPUS / "dev" / "seed-2026-01-16-us-mx-soberania.txt"
EXAMPLE_SEED = REPO / "examples" / "seed-2026-01-16-us-mx-soberania.txt"


@pytest.fixture(scope="module")
def seed_store() -> Store:
    path = SEED if SEED.exists() else EXAMPLE_SEED
    store = Store()
    store.load_vocabulary()
    loaded = load_file(path)
    store.replace_graph(loaded.graph, loaded.quads)
    return store


def ask(store: Store, body: str) -> bool:
    return bool(store.query(f"ASK {{ {body} }}"))


def test_people_with_their_countries(seed_store):
    assert ask(seed_store, """
        ?rubio a bilat:Person ; rdfs:label "Marco Rubio" ; bilat:country ?usa .
        ?usa a bilat:Country ; bilat:countryCode "USA" .
        ?fuente a bilat:Person ; rdfs:label "Juan Ramón de la Fuente" ; bilat:country ?mex .
        ?mex a bilat:Country ; bilat:countryCode "MEX" .""")


def test_one_claim_said_by_both_secretaries_about_alliance_and_sovereignty(seed_store):
    rows = list(seed_store.query("""
        SELECT DISTINCT ?claim ?text WHERE {
          id:actor\\/marco-rubio bilat:said ?claim .
          id:actor\\/juan-ramon-de-la-fuente bilat:said ?claim .
          ?claim a bilat:Claim ; bilat:text ?text .
          FILTER(CONTAINS(?text, "alianza") && CONTAINS(?text, "soberanía"))
        }"""))
    assert rows, "no claim said by both Rubio and De la Fuente about alliance and sovereignty"


def test_the_call_of_12_january(seed_store):
    assert ask(seed_store, """
        ?call a bilat:Call ; bilat:date "2026-01-12"^^xsd:date ;
              bilat:participant ?sheinbaum, ?trump .
        ?sheinbaum rdfs:label "Claudia Sheinbaum" . ?trump rdfs:label "Donald Trump" .
        ?later bilat:follows ?call .""")


def test_planned_meeting_of_23_january(seed_store):
    assert ask(seed_store, """
        ?m a bilat:Meeting ; bilat:date "2026-01-23"^^xsd:date ; bilat:status bilat:Planned .""")


def test_a_commitment_on_security(seed_store):
    assert ask(seed_store, """
        ?c a bilat:Commitment ; bilat:concerns ?topic ; bilat:committedBy ?actor .
        ?topic skos:notation "security" .""")


def test_every_claim_has_provenance_in_its_communiques_graph(seed_store):
    missing = list(seed_store.query("""
        SELECT ?claim WHERE {
          ?claim a bilat:Claim .
          FILTER NOT EXISTS {
            GRAPH ?g { ?claim prov:wasDerivedFrom ?g ; bilat:evidence ?e .
                       ?e nif:anchorOf ?sentence ; nif:beginIndex ?b ; nif:endIndex ?end .
                       ?g a bilat:Communique } }
        }"""))
    assert missing == []
    assert ask(seed_store, "?claim a bilat:Claim")


def test_evidence_offsets_point_at_the_sentence(seed_store):
    rows = list(seed_store.query("""
        SELECT ?text ?b ?e ?full WHERE {
          ?x bilat:evidence ?ev . ?ev nif:anchorOf ?text ; nif:beginIndex ?b ; nif:endIndex ?e ;
              prov:wasDerivedFrom ?c . ?c bilat:fullText ?full }"""))
    assert rows
    for row in rows:
        full = row["full"].value
        assert full[int(row["b"].value) : int(row["e"].value)] == row["text"].value


def test_loading_twice_gives_the_same_quads():
    path = SEED if SEED.exists() else EXAMPLE_SEED
    first, second = load_file(path), load_file(path)
    assert first.graph == second.graph
    store = Store()
    store.replace_graph(first.graph, first.quads)
    before = set(store.quads())
    store.replace_graph(second.graph, second.quads)
    assert set(store.quads()) == before
    assert len(store.quads()) == len(before)
    assert all(q.graph_name == NamedNode(first.graph.value) for q in before)
