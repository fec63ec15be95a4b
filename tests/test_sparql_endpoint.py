"""/sparql: the SPARQL 1.1 Protocol endpoint, through the test client and a real client."""

import csv
import io
import json
import warnings
import xml.etree.ElementTree as ET

import pytest
import rdflib
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from servers import serve_app

ID = "https://w3id.org/bilat/id/"
RUBIO = f"{ID}actor/marco-rubio"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SELECT = "SELECT DISTINCT ?label WHERE { id:actor\\/marco-rubio rdfs:label ?label }"
ASK = "ASK { id:actor\\/marco-rubio a bilat:Person }"
CONSTRUCT = "CONSTRUCT WHERE { id:actor\\/marco-rubio rdfs:label ?label }"
UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/bilat/ontology>",
    "CREATE GRAPH <urn:new>",
]


def ask(client, method: str, query: str, **kwargs):
    """Send `query` by one of the protocol's three ways."""
    if method == "get":
        return client.get("/sparql", query_string={"query": query}, **kwargs)
    if method == "form":
        return client.post("/sparql", data={"query": query}, **kwargs)
    return client.post("/sparql", data=query, content_type="application/sparql-query", **kwargs)


def labels(body: bytes) -> list[str]:
    return [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]


def rubio_graph(data: bytes, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph().parse(data=data, format=fmt)
    assert set(graph) == {
        (rdflib.URIRef(RUBIO), rdflib.URIRef(RDFS_LABEL), rdflib.Literal("Marco Rubio"))
    }
    return graph


# --- methods and formats -------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_each_method_answers_a_select(client, method: str):
    response = ask(client, method, SELECT)
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert labels(response.data) == ["Marco Rubio"]


@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_each_method_answers_an_ask(client, method: str):
    response = ask(client, method, ASK)
    assert response.status_code == 200
    assert json.loads(response.data) == {"head": {}, "boolean": True}


def test_select_as_xml(client):
    response = ask(client, "get", SELECT, headers={"Accept": "application/sparql-results+xml"})
    assert response.content_type == "application/sparql-results+xml"
    root = ET.fromstring(response.data)
    assert [v.get("name") for v in root.iter(f"{SRX}variable")] == ["label"]
    assert [lit.text for lit in root.iter(f"{SRX}literal")] == ["Marco Rubio"]


# CSV holds plain values; TSV holds terms in SPARQL syntax (so no CSV quoting there)
@pytest.mark.parametrize(
    ("accept", "content_type", "reader", "rows"),
    [
        ("text/csv", "text/csv; charset=utf-8", {}, [["label"], ["Marco Rubio"]]),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            {"delimiter": "\t", "quoting": csv.QUOTE_NONE},
            [["?label"], ['"Marco Rubio"']],
        ),
    ],
)
def test_select_as_csv_and_tsv(client, accept, content_type, reader, rows):
    response = ask(client, "get", SELECT, headers={"Accept": accept})
    assert response.content_type == content_type
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)), **reader)) == rows


def test_ask_as_xml(client):
    response = ask(client, "get", ASK, headers={"Accept": "application/sparql-results+xml"})
    assert response.content_type == "application/sparql-results+xml"
    assert ET.fromstring(response.data).find(f"{SRX}boolean").text == "true"


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
    ],
)
@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_construct_in_each_rdf_format(client, method, accept, content_type, rdflib_format):
    response = ask(client, method, CONSTRUCT, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type == content_type
    rubio_graph(response.data, rdflib_format)


def test_construct_defaults_to_turtle_and_select_to_json(client):
    graph = ask(client, "get", CONSTRUCT, headers={"Accept": "*/*"})
    assert graph.content_type == "text/turtle; charset=utf-8"
    rubio_graph(graph.data, "turtle")
    solutions = ask(client, "get", SELECT)  # no Accept at all
    assert solutions.content_type == "application/sparql-results+json"
    assert "Accept" in solutions.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "name", "content_type"),
    [
        (SELECT, "csv", "text/csv; charset=utf-8"),
        (SELECT, "xml", "application/sparql-results+xml"),
        (SELECT, "text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        (CONSTRUCT, "nt", "application/n-triples"),
        (CONSTRUCT, "json-ld", "application/ld+json"),
    ],
)
def test_the_format_parameter_wins_over_accept(client, query, name, content_type):
    response = client.get(
        "/sparql",
        query_string={"query": query, "format": name},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.content_type == content_type


def test_describe_answers_a_graph(client):
    response = ask(client, "get", "DESCRIBE id:actor\\/marco-rubio")
    assert response.status_code == 200
    assert response.content_type == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert graph.value(rdflib.URIRef(RUBIO), rdflib.RDFS.label) == rdflib.Literal("Marco Rubio")


def test_the_html_form_posts_its_format(client):
    response = client.post("/sparql", data={"query": SELECT, "format": "csv"})
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.get_data(as_text=True).splitlines() == ["label", "Marco Rubio"]


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "serves"),
    [
        (SELECT, "text/turtle", "application/sparql-results+json"),
        (SELECT, "image/png", "text/tab-separated-values"),
        (CONSTRUCT, "application/sparql-results+json", "text/turtle"),
    ],
)
def test_an_accept_it_cannot_serve_is_a_406(client, query, accept, serves):
    response = ask(client, "get", query, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.content_type == "text/plain; charset=utf-8"
    message = response.get_data(as_text=True)
    assert message.count("\n") == 1 and accept in message and serves in message


def test_an_unknown_format_parameter_is_a_406(client):
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert response.status_code == 406
    assert "text/turtle (turtle)" in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_bad_sparql_is_a_400_with_the_parsers_message(client, method: str):
    response = ask(client, method, "SELECT ?x WHERE { ?x ")
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True).startswith("bad SPARQL: error at 1:")


def test_an_unknown_prefix_is_a_400(client):
    response = ask(client, "get", "SELECT ?x WHERE { ?x nope:label ?y }")
    assert response.status_code == 400
    assert "Prefix not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "   ", "# only a comment"])
def test_a_missing_query_is_a_400(client, query: str):
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=utf-8"


def test_a_post_of_another_type_is_a_415(client):
    response = client.post("/sparql", data=SELECT, content_type="text/plain")
    assert response.status_code == 415
    assert "application/sparql-query" in response.get_data(as_text=True)


def test_no_query_at_all_is_a_400_for_a_program(client):
    response = client.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("missing query")


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("how", ["update-form", "update-direct", "as-query"])
def test_updates_are_a_403(client, fixture_store, update: str, how: str):
    before = len(fixture_store)
    if how == "update-form":
        response = client.post("/sparql", data={"update": update})
    elif how == "update-direct":
        response = client.post("/sparql", data=update, content_type="application/sparql-update")
    else:
        response = ask(client, "form", update)
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    assert len(fixture_store) == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "select * where { ?s ?p ?o OPTIONAL { service silent <http://x.org/q> { ?s ?q ?r } } }",
        "ASK { ?s ?p ?o . \\u0053ERVICE <http://example.org/q> { ?s ?q ?r } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s WHERE { SERVICE ?where { ?s ?p ?o } } } }",
    ],
)
@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_federated_queries_are_a_403(client, method: str, query: str):
    response = ask(client, method, query)
    assert response.status_code == 403
    assert "federated queries are off" in response.get_data(as_text=True)


def test_what_rdflib_cannot_check_is_not_run(client):
    # the store's parser takes LATERAL; rdflib's does not, so SERVICE cannot be ruled out
    query = "SELECT * WHERE { ?s ?p ?o LATERAL { SERVICE <http://127.0.0.1:1/> { ?s ?q ?r } } }"
    response = ask(client, "get", query)
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith(
        "bad SPARQL (bilat checks every query with rdflib first): Expected SelectQuery"
    )


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s rdfs:label ?l FILTER (?l != "SERVICE <http://x.org/> { }") }',
        "SELECT ?s WHERE { ?s ?p <http://example.org/SERVICE> }",
        "SELECT ?s WHERE { ?s rdfs:label ?l } # SERVICE <http://x.org/> { ?s ?p ?o }",
    ],
)
def test_the_word_service_elsewhere_is_not_refused(client, query: str):
    # (rdflib's parse tree shows it is no SERVICE call)
    response = ask(client, "get", query)
    assert response.status_code == 200
    assert json.loads(response.data)["head"] == {"vars": ["s"]}


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT * WHERE { ?s ?p ?o LATERAL { SELECT ?q WHERE { ?s ?q ?r } LIMIT 1 } }",
         "application/sparql-results+json"),
        ("# a comment\nPREFIX ex: <http://example.org/a#b>\nBASE <http://example.org/>\n"
         "construct { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "application/n-triples"),
    ],
)
def test_a_query_without_the_word_service_goes_to_the_store(client, query: str, kind: str):
    # no parse tree needed: the store's parser takes LATERAL, which rdflib's does not
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json, "
                                             "application/n-triples;q=0.9"})
    assert response.status_code == 200 and response.content_type.startswith(kind)


def test_a_long_prologue_that_leads_nowhere_is_refused_at_once(client):
    # the prologue pattern cuts spaces and comments one way only: with `\s+` inside its
    # `*`, these 60 spaces alone would take the regex 2**60 steps before it gave up
    response = ask(client, "get", " " * 60 + "# a comment\n" * 60 + "SELEKT * WHERE { }")
    assert response.status_code == 400


def test_a_bad_query_without_the_word_service_gets_the_stores_message(client):
    response = ask(client, "get", "SELECT ?s WHERE { ?s ?p }")
    assert response.status_code == 400
    assert "bad SPARQL" in response.get_data(as_text=True)


def test_a_browser_gets_the_query_form(client):
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    body = response.get_data(as_text=True)
    assert '<form method="post" action="/sparql">' in body
    assert '<textarea name="query"' in body
    assert "PREFIX bilat: &lt;https://w3id.org/bilat/ontology#&gt;" in body


# --- a real client against a real server -----------------------------------------------


@pytest.fixture
def endpoint(app, monkeypatch) -> str:
    """The app served on a port the OS picks, in a background thread; its /sparql URL."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with serve_app(app) as url:
        yield f"{url}/sparql"


def wrapper(url: str, query: str, fmt: str) -> object:
    sparql = SPARQLWrapper(url)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SPARQLWrapper warns when the content type is off
        return sparql.query().convert()


def test_sparqlwrapper_select_as_json(endpoint: str):
    result = wrapper(endpoint, SELECT, JSON)
    assert result["head"]["vars"] == ["label"]
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["Marco Rubio"]


def test_sparqlwrapper_ask(endpoint: str):
    assert wrapper(endpoint, ASK, JSON)["boolean"] is True
    assert wrapper(endpoint, ASK.replace("Person", "Country"), JSON)["boolean"] is False


def test_sparqlwrapper_construct_as_turtle(endpoint: str):
    rubio_graph(wrapper(endpoint, CONSTRUCT, TURTLE), "turtle")


def test_sparqlwrapper_post(endpoint: str):
    sparql = SPARQLWrapper(endpoint)
    sparql.setMethod("POST")
    sparql.setQuery(SELECT)
    sparql.setReturnFormat(JSON)
    bindings = sparql.query().convert()["results"]["bindings"]
    assert bindings == [{"label": {"type": "literal", "value": "Marco Rubio"}}]


def test_an_overlong_request_gets_413(client):
    body = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (2 * 1024 * 1024)
    response = client.post("/sparql", data=body, content_type="application/sparql-query")
    assert response.status_code == 413
