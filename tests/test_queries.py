"""The saved queries: every queries/*.rq is documented, binds safely and answers the fixture."""

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple
from pyoxigraph import Store as OxStore

from bilat.queries.catalogue import (
    CONVERTERS,
    HERE,
    CatalogueError,
    ParameterError,
    choices,
    load_catalogue,
    read_query,
)

FILES = sorted(HERE.glob("*.rq"))
CATALOGUE = load_catalogue()
SELECTS = [path for path in FILES if CATALOGUE[path.stem].kind == "solutions"]
GRAPHS = [path for path in FILES if CATALOGUE[path.stem].kind == "graph"]
ACTOR = "https://w3id.org/bilat/id/actor/"
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
BILAT_EVIDENCE = NamedNode("https://w3id.org/bilat/ontology#evidence")
ANCHOR_OF = NamedNode("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf")
HOSTILE = ['"', "'", ">", "}", "} UNION { ?s ?p ?o", 'x" } UNION { ?s ?p ?o } #', "<b>'}"]


def rows_of(result) -> list[dict[str, str | None]]:
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def test_there_are_at_least_twelve_saved_queries():
    assert len(FILES) >= 12
    assert set(CATALOGUE) == {path.stem for path in FILES}
    assert GRAPHS, "at least one CONSTRUCT or DESCRIBE question"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_saved_query_is_documented(path: Path):
    saved = CATALOGUE[path.stem]
    assert saved.title and saved.title_es and saved.description
    if saved.kind == "graph":
        assert saved.expect["min_triples"] >= 1
    else:
        assert saved.expect["vars"] and saved.expect["min_rows"] >= 1
    for param in saved.params.values():
        assert param.type in CONVERTERS
        assert param.example != ""
        assert param.label


@pytest.mark.parametrize("path", SELECTS, ids=lambda p: p.stem)
def test_saved_query_meets_its_expectation(fixture_store, path: Path):
    saved = CATALOGUE[path.stem]
    examples = {name: param.example for name, param in saved.params.items()}
    result = fixture_store.query(saved.sparql, saved.bind(examples))
    assert [v.value for v in result.variables] == saved.expect["vars"]
    rows = rows_of(result)
    assert len(rows) >= saved.expect["min_rows"]
    # the parameters are projected, so every row shows the values it was asked with
    for name, term in saved.bind(examples).items():
        assert {row[name] for row in rows} == {term.value}


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_graph_query_meets_its_expectation(fixture_store, path: Path):
    saved = CATALOGUE[path.stem]
    examples = {name: param.example for name, param in saved.params.items()}
    triples = set(fixture_store.query(saved.sparql, saved.bind(examples)))
    assert len(triples) >= saved.expect["min_triples"]
    # every IRI it was asked about is in the answer
    terms = {term for triple in triples for term in (triple.subject, triple.object)}
    for term in saved.bind(examples).values():
        assert not isinstance(term, NamedNode) or term in terms


def test_the_communique_graph_holds_its_claims_and_their_evidence(fixture_store):
    saved = CATALOGUE["communique-graph"]
    communique = "https://w3id.org/bilat/id/communique/fixture-mx-us-llamada"
    triples = set(fixture_store.query(saved.sparql, saved.bind({"communique": communique})))
    expected = fixture_store.query(
        "SELECT ?communique ?item ?evidence ?sentence WHERE { ?item prov:wasDerivedFrom "
        "?communique ; bilat:evidence ?evidence . ?evidence nif:anchorOf ?sentence ; "
        "prov:wasDerivedFrom ?communique }",
        {"communique": NamedNode(communique)},
    )
    found = 0
    for row in expected:
        found += 1
        assert Triple(row["item"], BILAT_EVIDENCE, row["evidence"]) in triples
        assert Triple(row["evidence"], ANCHOR_OF, row["sentence"]) in triples
    assert found >= 3
    # nothing read from the other communiqué only
    other = "https://w3id.org/bilat/id/claim/fixture-us-mx-meeting/136"
    assert all(other not in (t.subject.value, t.object.value) for t in triples)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_standalone_text_gives_the_same_answer(fixture_store, path: Path):
    """The text the page shows and the editor opens: PREFIX lines and a VALUES block."""
    saved = CATALOGUE[path.stem]
    examples = {name: param.example for name, param in saved.params.items()}
    bound = saved.bind(examples)
    text = saved.standalone(bound)
    assert text.startswith("PREFIX bilat: <https://w3id.org/bilat/ontology#>\n")
    raw = OxStore()  # no engine prefixes, no bindings: the text says everything
    for quad in fixture_store.quads():
        raw.add(quad)
    alone = raw.query(text, use_default_graph_as_union=True)
    engine = fixture_store.query(saved.sparql, bound)
    if saved.kind == "graph":
        assert set(alone) == set(engine)
    else:
        assert unordered_lists(rows_of(alone)) == unordered_lists(rows_of(engine))


def unordered_lists(rows: list[dict]) -> list[dict]:
    """Rows with each GROUP_CONCAT list sorted: SPARQL leaves the order inside one open."""
    return [
        {k: ", ".join(sorted(v.split(", "))) if v else v for k, v in row.items()} for row in rows
    ]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_string_value_cannot_break_out_of_the_values_block(fixture_store, hostile: str):
    saved = CATALOGUE["evidence-containing"]
    text = saved.standalone(saved.bind({"word": "security" + hostile}))
    assert rows_of(fixture_store.query(text)) == []
    assert text.count("VALUES") == 1


@pytest.mark.parametrize("path", SELECTS, ids=lambda p: p.stem)
def test_saved_query_has_no_duplicate_rows(fixture_store, path: Path):
    saved = CATALOGUE[path.stem]
    rows = rows_of(fixture_store.query(saved.sparql, saved.bind({})))
    assert len({tuple(sorted(row.items())) for row in rows}) == len(rows)


def test_bind_turns_keys_into_terms():
    saved = CATALOGUE["statements-on-topic"]
    bound = saved.bind({"topic": "security", "from": "2026-01-01"})
    assert bound == {
        "topic": NamedNode("https://w3id.org/bilat/id/topic/security"),
        "from": Literal("2026-01-01", datatype=XSD_DATE),
        "to": Literal("2100-12-31", datatype=XSD_DATE),  # the default
    }
    actor = CATALOGUE["actor-statements"]
    assert actor.bind({"actor": "marco-rubio"})["actor"] == NamedNode(ACTOR + "marco-rubio")
    assert actor.bind({"actor": ACTOR + "marco-rubio"})["actor"] == NamedNode(ACTOR + "marco-rubio")
    assert actor.bind({})["actor"] == NamedNode(ACTOR + "marco-rubio")  # the example
    kinds = CATALOGUE["follows-chains"].bind({"later_kind": "summit"})
    assert kinds["later_kind"] == NamedNode("https://w3id.org/bilat/ontology#Summit")
    assert kinds["earlier_kind"] == NamedNode("https://w3id.org/bilat/ontology#Call")
    country = CATALOGUE["country-actors"].bind({"country": "MEX"})
    assert country["country"] == NamedNode(ACTOR + "mex")


def test_bind_rejects_unknown_parameters():
    with pytest.raises(
        ParameterError, match=r"unknown parameter 'topik' for 'statements-on-topic'"
    ):
        CATALOGUE["statements-on-topic"].bind({"topik": "security"})


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "13/01/2026", "2026-1-5", "soon"])
def test_bind_rejects_bad_dates(bad: str):
    with pytest.raises(ParameterError, match=r"parameter 'from' \(date\): .* is not a date"):
        CATALOGUE["statements-on-topic"].bind({"from": bad})


def test_bind_rejects_bad_values_of_other_types():
    with pytest.raises(ParameterError, match=r"parameter 'kind' \(event-kind\): 'Party'"):
        CATALOGUE["who-met-whom"].bind({"kind": "Party"})
    with pytest.raises(ParameterError, match=r"parameter 'actor' \(actor\)"):
        CATALOGUE["actor-statements"].bind({"actor": "marco rubio"})
    assert CONVERTERS["integer"]("12") == Literal(12)
    with pytest.raises(ValueError, match="not an integer"):
        CONVERTERS["integer"]("12; DROP ALL")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_string_value_cannot_change_the_query(fixture_store, hostile: str):
    saved = CATALOGUE["evidence-containing"]
    rows = rows_of(fixture_store.query(saved.sparql, saved.bind({"word": hostile})))
    assert rows == []
    # the same text after a real word still matches nothing: it is one literal
    rows = rows_of(fixture_store.query(saved.sparql, saved.bind({"word": "security" + hostile})))
    assert rows == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_an_actor_value_cannot_change_the_query(fixture_store, hostile: str):
    saved = CATALOGUE["actor-statements"]
    with pytest.raises(ParameterError, match=r"parameter 'actor' \(actor\)"):
        saved.bind({"actor": "marco-rubio" + hostile})
    # an IRI that merely contains the text of a query still names one (absent) actor
    odd = ACTOR + "marco-rubio%22%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo"
    assert rows_of(fixture_store.query(saved.sparql, saved.bind({"actor": odd}))) == []


def test_a_query_whose_parameter_is_not_projected_is_refused(tmp_path: Path):
    path = tmp_path / "hidden.rq"
    path.write_text(
        "#+ title: Hidden\n#+ title_es: Oculto\n#+ description: x\n"
        "#+ params: {actor: {type: actor, example: marco-rubio}}\n"
        "SELECT ?claim WHERE { ?actor bilat:said ?claim }\n",
        encoding="utf-8",
    )
    with pytest.raises(
        CatalogueError, match=r"hidden.rq: parameter \?actor must appear in the SELECT"
    ):
        read_query(path)
    with pytest.raises(CatalogueError, match="hidden.rq"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ params: {actor: {type: actor}}", "needs at least a type and an example"),
        ("#+ params: {actor: {type: person, example: x}}", "unknown type 'person'"),
        ("#+ params: {limit: {type: integer, example: 3}}", "reserved for paging"),
        ("#+ params: {row: {type: integer, example: 3}}", "reserved for paging"),
        ("#+ params: {when: {type: date, example: tomorrow}}", "a default or example is not valid"),
        ("#+ params: {word: {type: string, example: x}}", "'word' is not used as ?word"),
        ("#+ params: [oops", "not YAML"),
        ("#+ params: [actor]", "params must be a mapping"),
        ("#+ text: {search: nothing, finds: actor}", "text needs search: PARAM, finds: VAR"),
        ("#+ by_month: {order: sideways}", "by_month needs an order: newest or oldest"),
        ("#+ by_month: {order: newest, items: actor}", "items (a variable) and keys"),
        (
            "#+ by_month: {order: newest, items: actor, keys: '?actor a ?month'}",
            "binds it and ?key",
        ),
        ("#+ top: {finds: actor, score: n}", "top needs finds: VAR, score: VAR, node"),
        (
            "#+ top: {finds: actor, score: actor, node: 'x:{key}/{member}', "
            "levels: '?key ?level ?score ?above', members: '?level ?member'}",
            "top needs periods",
        ),
    ],
)
def test_a_bad_header_is_refused(tmp_path: Path, header: str, message: str):
    path = tmp_path / "bad.rq"
    path.write_text(f"#+ title: Bad\n{header}\nSELECT ?actor WHERE {{ ?actor a bilat:Actor }}\n")
    with pytest.raises(CatalogueError, match=re.escape(message)):
        read_query(path)


def test_an_ask_query_is_refused(tmp_path: Path):
    path = tmp_path / "ask.rq"
    path.write_text("#+ title: Ask\nASK { ?s ?p ?o }\n")
    with pytest.raises(CatalogueError, match="ask.rq: an ASK query has no answer to show"):
        read_query(path)


def test_a_construct_query_is_a_graph_question(tmp_path: Path):
    path = tmp_path / "said.rq"
    path.write_text(
        "#+ title: Said\n#+ params: {actor: {type: actor, example: marco-rubio}}\n"
        "CONSTRUCT { ?actor bilat:said ?claim } WHERE { ?actor bilat:said ?claim }\n"
    )
    saved = read_query(path)
    assert saved.kind == "graph"
    text = saved.standalone(saved.bind({}))
    assert "WHERE {\n  VALUES (?actor) { (<https://w3id.org/bilat/id/actor/marco-rubio>) }" in text


def test_bad_sparql_is_refused(tmp_path: Path):
    path = tmp_path / "broken.rq"
    path.write_text("#+ title: Broken\nSELECT ?x WHERE { ?x \n")
    with pytest.raises(CatalogueError, match="broken.rq: bad SPARQL"):
        read_query(path)


def test_choices_come_from_the_graph(fixture_store):
    actors = dict(choices(fixture_store, "actor"))
    assert actors["marco-rubio"] == "Marco Rubio"
    assert actors["gov-usa"] == "Government of the United States"  # English preferred
    assert dict(choices(fixture_store, "country")) == {"mex": "Mexico", "usa": "United States"}
    topics = dict(choices(fixture_store, "topic"))
    assert topics["security"] == "Security" and topics["arms-trafficking"] == "Arms trafficking"
    assert [key for key, _ in choices(fixture_store, "event-kind")] == [
        "Call",
        "Meeting",
        "Signing",
        "Summit",
        "Visit",
    ]
    assert choices(fixture_store, "date") is None
    communiques = dict(choices(fixture_store, "communique"))
    assert communiques == {
        "fixture-mx-us-llamada": "2026-01-13 · Llamada entre las presidencias de México y "
        "Estados Unidos",
        "fixture-us-mx-meeting": "2026-01-20 · Secretary Rubio's meeting with Foreign "
        "Secretary de la Fuente",
    }
    param = CATALOGUE["communique-graph"].params["communique"]
    assert param.convert("fixture-us-mx-meeting") == NamedNode(
        "https://w3id.org/bilat/id/communique/fixture-us-mx-meeting"
    )
