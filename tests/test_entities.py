"""Entity pages: HTML with labels and evidence, communiqué texts, RDF by Accept or suffix."""

import json
import re
from html import unescape

import pytest
from pyoxigraph import Literal, NamedNode, Quad
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDFS

from bilat.graph import Store
from bilat.webapp import create_app

ID = "https://w3id.org/bilat/id/"
BILAT = "https://w3id.org/bilat/ontology#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HTML = "text/html; charset=utf-8"
RUBIO = URIRef(ID + "actor/marco-rubio")
RUBIO_CLAIM = URIRef(ID + "claim/fixture-us-mx-meeting/136")
MEETING = ID + "communique/fixture-us-mx-meeting"
LLAMADA = ID + "communique/fixture-mx-us-llamada"
MARK = re.compile(r"<mark\b([^>]*)>(.*?)</mark>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")

# How each RDF format is asked for, the Content-Type it comes back with, rdflib's name.
RDF_FORMATS = [
    ("text/turtle", ".ttl", "text/turtle; charset=utf-8", "turtle"),
    ("application/ld+json", ".jsonld", "application/ld+json", "json-ld"),
    ("application/n-triples", ".nt", "application/n-triples", "nt"),
]


def fulltext(body: str) -> str:
    """The HTML of a communiqué page's text."""
    return body.split('<div class="fulltext">')[1].split("</div>")[0]


def marks(body: str) -> list[tuple[str, str]]:
    """Each <mark> of the text: its attributes and its text (tags dropped, entities decoded)."""
    return [(attrs, unescape(TAG.sub("", inner))) for attrs, inner in MARK.findall(fulltext(body))]


def fixture_evidence(store: Store, communique: str) -> list[tuple[str, int, int]]:
    """The evidence sentences of a communiqué in the fixture, with their offsets."""
    rows = store.query(
        "SELECT DISTINCT ?communique ?anchor ?begin ?end WHERE { GRAPH ?communique {"
        " ?item bilat:evidence ?e . ?e nif:anchorOf ?anchor ;"
        " nif:beginIndex ?begin ; nif:endIndex ?end } }",
        {"communique": NamedNode(communique)},
    )
    return [(r["anchor"].value, int(r["begin"].value), int(r["end"].value)) for r in rows]


def test_an_entity_page_shows_labels_types_and_linked_names(client):
    response = client.get("/id/actor/marco-rubio")
    assert response.status_code == 200
    assert response.content_type == HTML
    assert "Accept" in response.vary
    body = response.get_data(as_text=True)
    assert "<title>Marco Rubio · bilat</title>" in body
    assert '<p class="entity-label">Marco Rubio</p>' in body
    assert (
        '<a href="https://w3id.org/bilat/ontology#Person">bilat:Person</a>'
        ' <span class="label">Person</span>' in body
    )
    # linked resources by name, both ways: his country (out) and the meeting (in)
    assert '<a href="/id/actor/usa">id:actor/usa</a> <span class="label">United States</span>' in (
        body
    )
    assert (
        '<a href="/id/event/meeting-2026-01-20-juan-ramon-de-la-fuente-marco-rubio">'
        "id:event/meeting-2026-01-20-juan-ramon-de-la-fuente-marco-rubio</a>"
        ' <span class="label">Meeting, 2026-01-20</span>' in body
    )
    assert (
        '<a href="/id/claim/fixture-us-mx-meeting/136">id:claim/fixture-us-mx-meeting/136</a>'
        ' <span class="label">that security cooperation must deliver results</span>' in body
    )
    assert '<a href="/id/actor/marco-rubio.ttl" type="text/turtle">Turtle</a>' in body


@pytest.mark.parametrize(
    ("path", "sentence", "communique", "anchor"),
    [
        (
            "claim/fixture-us-mx-meeting/136",
            "Both officials said that security cooperation must deliver results.",
            "fixture-us-mx-meeting",
            "at-137-204",
        ),
        (
            "commitment/fixture-mx-us-llamada/102",
            "Ambos gobiernos acordaron reforzar la cooperación contra el tráfico de armas.",
            "fixture-mx-us-llamada",
            "at-102-179",
        ),
        (
            "event/meeting-2026-02-security-implementation-group",
            "They agreed to convene the Security Implementation Group in February.",
            "fixture-us-mx-meeting",
            "at-205-274",
        ),
    ],
)
def test_extractions_show_their_evidence_and_link_to_the_communique(
    client, path: str, sentence: str, communique: str, anchor: str
):
    response = client.get(f"/id/{path}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"<blockquote>{sentence}</blockquote>" in body
    assert f'<a href="/id/communique/{communique}#{anchor}">' in body


def test_an_event_reported_twice_shows_both_sentences(client):
    body = client.get("/id/event/call-2026-01-12-claudia-sheinbaum-donald-trump").get_data(
        as_text=True
    )
    assert body.count("<blockquote>") == 2
    assert '<a href="/id/communique/fixture-mx-us-llamada#at-0-101">' in body
    assert '<a href="/id/communique/fixture-us-mx-meeting#at-0-136">' in body


@pytest.mark.parametrize("communique", [MEETING, LLAMADA])
def test_a_communique_page_marks_every_evidence_sentence(client, fixture_store, communique):
    response = client.get("/id/" + communique[len(ID) :])
    assert response.status_code == 200
    assert response.content_type == HTML
    body = response.get_data(as_text=True)
    found = marks(body)
    evidence = fixture_evidence(fixture_store, communique)
    assert evidence
    for sentence, begin, end in evidence:
        assert any(sentence in text for _, text in found), sentence
        assert f'<span id="at-{begin}-{end}"></span>' in body
    # the text reads as it is stored, marks and all
    full = unescape(TAG.sub("", fulltext(body)))
    text = next(
        fixture_store.query(
            "SELECT ?c ?t WHERE { ?c bilat:fullText ?t }", {"c": NamedNode(communique)}
        )
    )["t"].value
    assert full == text


def test_a_communique_page_shows_its_metadata_and_extractions(client):
    body = client.get("/id/communique/fixture-us-mx-meeting").get_data(as_text=True)
    assert (
        "<title>Secretary Rubio&#39;s meeting with Foreign Secretary de la Fuente · bilat</title>"
        in body
    )
    assert "<tr><th>Date</th><td>2026-01-20</td></tr>" in body
    assert "<tr><th>Language</th><td>en</td></tr>" in body
    assert "<tr><th>Source</th><td>fixture-us-mx-meeting.txt</td></tr>" in body
    assert (
        '<a href="/id/topic/security">topic:security</a> <span class="label">Security</span>'
        in body
    )
    assert (
        '<li><a href="/id/claim/fixture-us-mx-meeting/136">'
        "that security cooperation must deliver results</a>"
        ' <span class="agents">said by Juan Ramón de la Fuente, Marco Rubio</span></li>' in body
    )
    for item in [
        "event/meeting-2026-01-20-juan-ramon-de-la-fuente-marco-rubio",
        "event/meeting-2026-02-security-implementation-group",
        "event/call-2026-01-12-claudia-sheinbaum-donald-trump",
        "commitment/fixture-us-mx-meeting/196",
    ]:
        assert f'<li><a href="/id/{item}">' in body


def test_marks_have_a_class_per_kind_and_say_what_was_extracted(client):
    body = client.get("/id/communique/fixture-us-mx-meeting").get_data(as_text=True)
    found = {text: unescape(attrs) for attrs, text in marks(body)}
    claim = found["Both officials said that security cooperation must deliver results."]
    assert 'class="claim"' in claim
    assert (
        'title="Claim: said by Juan Ramón de la Fuente, Marco Rubio:'
        ' that security cooperation must deliver results"' in claim
    )
    # one sentence, two extractions: a commitment and the planned meeting, in one mark
    both = found["They agreed to convene the Security Implementation Group in February."]
    assert 'class="commitment event"' in both
    assert "Commitment: committed by Juan Ramón de la Fuente, Marco Rubio: to convene" in both
    assert "Event: Meeting, 2026-02, with Security Implementation Group" in both


def hostile_store(store: Store) -> Store:
    """The fixture plus a communiqué whose text holds HTML, with overlapping evidence."""
    communique = NamedNode(ID + "communique/fixture-hostile")
    claim = NamedNode(ID + "claim/fixture-hostile/0")
    event = NamedNode(ID + "event/fixture-hostile-call")
    text = "Rubio said <script>alert(1)</script> & more. Then they called."
    whole = NamedNode(ID + "evidence/fixture-hostile/0-44")
    inner = NamedNode(ID + "evidence/fixture-hostile/11-36")
    crossing = NamedNode(ID + "evidence/fixture-hostile/39-62")
    quads = [
        (communique, RDF_TYPE, NamedNode(BILAT + "Communique")),
        (communique, "http://purl.org/dc/terms/title", Literal("<b>Hostile</b> title")),
        (communique, BILAT + "fullText", Literal(text, language="en")),
        (claim, RDF_TYPE, NamedNode(BILAT + "Claim")),
        (claim, BILAT + "text", Literal("<script>alert(1)</script> & more")),
        (claim, BILAT + "evidence", whole),
        (claim, BILAT + "evidence", inner),
        (claim, PROV + "wasDerivedFrom", communique),
        (NamedNode(ID + "actor/marco-rubio"), BILAT + "said", claim),
        (event, RDF_TYPE, NamedNode(BILAT + "Event")),
        (event, BILAT + "evidence", crossing),
        (event, PROV + "wasDerivedFrom", communique),
    ]
    for node, begin, end in [(whole, 0, 44), (inner, 11, 36), (crossing, 39, 62)]:
        quads += [
            (node, NIF + "anchorOf", Literal(text[begin:end])),
            (node, NIF + "beginIndex", Literal(str(begin), datatype=XSD_INTEGER)),
            (node, NIF + "endIndex", Literal(str(end), datatype=XSD_INTEGER)),
        ]
    store.replace_graph(
        communique,
        [
            Quad(s, p if isinstance(p, NamedNode) else NamedNode(p), o, communique)
            for s, p, o in quads
        ],
    )
    return store


XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def test_a_communique_with_html_in_its_text_is_escaped(fixture_store: Store):
    client = create_app({"TESTING": True, "STORE": hostile_store(fixture_store)}).test_client()
    response = client.get("/id/communique/fixture-hostile")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in body
    assert "&lt;b&gt;Hostile&lt;/b&gt; title" in body
    # nested and crossing spans make one well-formed mark, holding all three sentences
    found = marks(body)
    assert len(found) == 1
    attrs, text = found[0]
    assert text == "Rubio said <script>alert(1)</script> & more. Then they called."
    assert 'class="claim event"' in attrs
    assert "Event: id:event/fixture-hostile-call" in unescape(attrs)  # no label: its name
    assert fulltext(body).count("<mark") == fulltext(body).count("</mark>") == 1
    for anchor in ["at-0-44", "at-11-36", "at-39-62"]:
        assert f'<span id="{anchor}"></span>' in body
    claim = client.get("/id/claim/fixture-hostile/0").get_data(as_text=True)
    assert "<script>" not in claim and "&lt;script&gt;alert(1)&lt;/script&gt;" in claim


def rdf_of(response, parser: str) -> Graph:
    return Graph().parse(data=response.get_data(as_text=True), format=parser)


@pytest.mark.parametrize(("accept", "suffix", "content_type", "parser"), RDF_FORMATS)
def test_an_entity_as_rdf_by_accept_and_by_suffix(
    client, accept: str, suffix: str, content_type: str, parser: str
):
    by_accept = client.get("/id/actor/marco-rubio", headers={"Accept": accept})
    by_suffix = client.get(f"/id/actor/marco-rubio{suffix}")
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.content_type == content_type
        graph = rdf_of(response, parser)
        assert (RUBIO, RDFS.label, RdfLiteral("Marco Rubio")) in graph
        assert (RUBIO, URIRef(BILAT + "said"), RUBIO_CLAIM) in graph
        # and what points to him
        meeting = URIRef(ID + "event/meeting-2026-01-20-juan-ramon-de-la-fuente-marco-rubio")
        assert (meeting, URIRef(BILAT + "participant"), RUBIO) in graph
        assert all(RUBIO in (s, o) for s, _, o in graph)
    assert "Accept" in by_accept.vary
    assert set(rdf_of(by_accept, parser)) == set(rdf_of(by_suffix, parser))


@pytest.mark.parametrize(("accept", "suffix", "content_type", "parser"), RDF_FORMATS)
def test_a_communique_as_rdf_is_its_named_graph(
    client, fixture_store: Store, accept: str, suffix: str, content_type: str, parser: str
):
    response = client.get("/id/communique/fixture-us-mx-meeting", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type == content_type
    graph = rdf_of(response, parser)
    assert len(graph) == len(fixture_store.quads(NamedNode(MEETING)))
    assert (RUBIO, URIRef(BILAT + "said"), RUBIO_CLAIM) in graph
    text = "Both officials said that security cooperation must deliver results."
    assert (
        URIRef(ID + "evidence/fixture-us-mx-meeting/137-204"),
        URIRef(NIF + "anchorOf"),
        RdfLiteral(text),
    ) in graph


def test_json_ld_is_json(client):
    response = client.get("/id/actor/marco-rubio.jsonld")
    assert isinstance(json.loads(response.data), list | dict)


@pytest.mark.parametrize(
    "accept", [None, "text/html", "text/html,application/xhtml+xml,*/*;q=0.8", "*/*", "image/png"]
)
def test_html_is_the_default(client, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/id/actor/marco-rubio", headers=headers)
    assert response.status_code == 200
    assert response.content_type == HTML


@pytest.mark.parametrize(
    ("path", "headers", "content_type"),
    [
        ("/id/actor/nobody", {}, HTML),
        ("/id/actor/nobody", {"Accept": "text/turtle"}, "text/plain; charset=utf-8"),
        ("/id/actor/nobody.ttl", {}, "text/plain; charset=utf-8"),
        ("/id/actor/nobody.jsonld", {}, "text/plain; charset=utf-8"),
        ("/id/actor/nobody", {"Accept": "application/n-triples"}, "text/plain; charset=utf-8"),
        ("/id/communique/nothing-here", {}, HTML),
    ],
)
def test_an_unknown_iri_is_a_404_in_every_format(client, path, headers, content_type):
    response = client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.content_type == content_type
    assert "https://w3id.org/bilat/id/" in response.get_data(as_text=True)
