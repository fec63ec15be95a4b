"""The vocabulary: bilat.ttl against the BILAT namespace, topics.ttl against GOLD-FORMAT.md."""

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Dataset, Graph, Literal, URIRef, namespace
from rdflib.namespace import DCTERMS

from bilat.ontology import BILAT, ONTOLOGY_FILE, SHAPES_FILE, TOPIC, TOPICS_FILE

REPO = Path(__file__).resolve().parents[1]
GOLD_FORMAT = REPO.parent / "shared" / "corpus" / "GOLD-FORMAT.md"
DATA = Path(__file__).parent / "data"

ONTOLOGY_IRI = URIRef("https://w3id.org/bilat/ontology")
SCHEME = URIRef("https://w3id.org/bilat/id/topics")
BILAT_NS = str(BILAT._NS)
TERMS = sorted(BILAT.__annotations__)

DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
DATATYPE_PROPERTIES = {"text", "isQuote", "date", "role", "fullText", "countryCode"}
INDIVIDUALS = {"Held", "Planned"}

# The class hierarchy and the ranges of the ontology contract (shared/DESIGN.md).
SUBCLASSES = [
    ("Person", "Actor"),
    ("Country", "Actor"),
    ("Government", "Actor"),
    ("Organization", "Actor"),
    ("Call", "Event"),
    ("Meeting", "Event"),
    ("Visit", "Event"),
    ("Signing", "Event"),
    ("Summit", "Meeting"),
]
RANGES = {
    "said": BILAT.Claim,
    "follows": BILAT.Event,
    "participant": BILAT.Actor,
    "status": BILAT.EventStatus,
    "concerns": SKOS.Concept,
    "committedBy": BILAT.Actor,
    "country": BILAT.Country,
    "about": SKOS.Concept,
    "evidence": BILAT.Evidence,
    "mentions": BILAT.Actor,
    "issuedBy": BILAT.Actor,
    "isQuote": namespace.XSD.boolean,
    "countryCode": namespace.XSD.string,
}

# Topic labels that would fire in nearly every communiqué.
TOO_GENERIC = {
    "cooperación",
    "cooperation",
    "acuerdo",
    "agreement",
    "relación",
    "relations",
    "reunión",
    "meeting",
    "gobierno",
    "government",
    "país",
    "country",
    "entregas",
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def topics() -> Graph:
    return Graph().parse(TOPICS_FILE)


@pytest.fixture(scope="module")
def gold_topics() -> dict[str, tuple[str, str, str | None]]:
    """The topic keys table of GOLD-FORMAT.md: key -> (English, Spanish, broader key)."""
    if not GOLD_FORMAT.exists():
        pytest.skip(f"{GOLD_FORMAT} is absent")
    return read_topic_table(GOLD_FORMAT.read_text(encoding="utf-8"))


def read_topic_table(markdown: str) -> dict[str, tuple[str, str, str | None]]:
    section = markdown.split("## Topic keys", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("key", "") or set(cells[0]) <= {"-"}:
            continue
        key, english, spanish, broader = cells
        table[key] = (english, spanish, broader or None)
    return table


def labels(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, list[str]]:
    """Literal values by language tag."""
    found: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", []).append(str(value))
    return found


def bilat_iris(graph: Graph) -> set[URIRef]:
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(BILAT_NS)
    }


# --- the files ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, TOPICS_FILE, SHAPES_FILE], ids=lambda p: p.name)
def test_file_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    graph = Graph().parse(path)
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(graph) == len(quads) > 0


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert {"en", "es"} <= set(labels(ontology, ONTOLOGY_IRI, DCTERMS.title))
    assert {"en", "es"} <= set(labels(ontology, ONTOLOGY_IRI, DCTERMS.description))
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(version))
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI)).endswith(str(version))
    assert isinstance(ontology.value(ONTOLOGY_IRI, DCTERMS.license), URIRef)


# --- the terms ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", TERMS)
def test_term_is_declared_and_documented(ontology: Graph, name: str) -> None:
    term = BILAT[name]
    types = set(ontology.objects(term, RDF.type))
    if name in INDIVIDUALS:
        assert {OWL.NamedIndividual, BILAT.EventStatus} <= types
    elif name[0].isupper():
        assert OWL.Class in types
    elif name in DATATYPE_PROPERTIES:
        assert OWL.DatatypeProperty in types
    else:
        assert OWL.ObjectProperty in types
    for predicate in (RDFS.label, SKOS.definition):
        found = labels(ontology, term, predicate)
        assert len(found.get("en", [])) == 1, f"{name}: one English {predicate}"
        assert len(found.get("es", [])) == 1, f"{name}: one Spanish {predicate}"


def test_every_bilat_term_in_the_ontology_is_in_the_namespace_class(ontology: Graph) -> None:
    assert bilat_iris(ontology) == {BILAT[name] for name in TERMS}


@pytest.mark.parametrize(
    "path",
    [TOPICS_FILE, SHAPES_FILE, DATA / "fixture.trig", *sorted((DATA / "shapes").glob("*.ttl"))],
    ids=lambda p: p.name,
)
def test_files_use_only_declared_terms(path: Path) -> None:
    if path.suffix == ".trig":
        graph = Graph()
        for s, p, o, _ in Dataset().parse(path).quads():
            graph.add((s, p, o))
    else:
        graph = Graph().parse(path)
    unknown = {str(iri) for iri in bilat_iris(graph)} - {str(BILAT[name]) for name in TERMS}
    assert not unknown


@pytest.mark.parametrize("name", sorted(DATATYPE_PROPERTIES | set(RANGES)))
def test_property_has_domain_and_range(ontology: Graph, name: str) -> None:
    prop = BILAT[name]
    assert ontology.value(prop, RDFS.domain) is not None
    assert ontology.value(prop, RDFS.range) is not None
    if name in RANGES:
        assert ontology.value(prop, RDFS.range) == RANGES[name]


def test_every_property_is_checked(ontology: Graph) -> None:
    properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(
        ontology.subjects(RDF.type, OWL.DatatypeProperty)
    )
    assert {BILAT[name] for name in DATATYPE_PROPERTIES | set(RANGES)} == properties


@pytest.mark.parametrize(("sub", "sup"), SUBCLASSES)
def test_class_hierarchy(ontology: Graph, sub: str, sup: str) -> None:
    assert (BILAT[sub], RDFS.subClassOf, BILAT[sup]) in ontology


def test_date_range_documents_its_datatypes(ontology: Graph) -> None:
    assert ontology.value(BILAT.date, RDFS.range) == RDFS.Literal
    comment = " ".join(labels(ontology, BILAT.date, RDFS.comment).get("en", []))
    assert "xsd:date" in comment and "xsd:gYearMonth" in comment


# --- the topic scheme -------------------------------------------------------------------


def test_topic_scheme_header(topics: Graph) -> None:
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in topics
    assert {"en", "es"} <= set(labels(topics, SCHEME, DCTERMS.title))
    assert {"en", "es"} <= set(labels(topics, SCHEME, DCTERMS.description))


def test_topic_keys_are_those_of_the_gold_format(topics: Graph, gold_topics: dict) -> None:
    notations = {str(n) for n in topics.objects(None, SKOS.notation)}
    assert notations == set(gold_topics)
    assert set(topics.subjects(RDF.type, SKOS.Concept)) == {TOPIC[key] for key in gold_topics}


def test_topics_match_the_gold_format_table(topics: Graph, gold_topics: dict) -> None:
    problems = []
    for key, (english, spanish, broader) in gold_topics.items():
        concept = TOPIC[key]
        if [str(n) for n in topics.objects(concept, SKOS.notation)] != [key]:
            problems.append(f"{key}: notation")
        if labels(topics, concept, SKOS.prefLabel) != {"en": [english], "es": [spanish]}:
            problems.append(f"{key}: prefLabels")
        expected_broader = {TOPIC[broader]} if broader else set()
        if set(topics.objects(concept, SKOS.broader)) != expected_broader:
            problems.append(f"{key}: broader")
        if (concept, SKOS.inScheme, SCHEME) not in topics:
            problems.append(f"{key}: inScheme")
        top = (concept, SKOS.topConceptOf, SCHEME) in topics
        listed = (SCHEME, SKOS.hasTopConcept, concept) in topics
        if top != (broader is None) or listed != top:
            problems.append(f"{key}: top concept")
        if set(labels(topics, concept, SKOS.definition)) != {"en", "es"}:
            problems.append(f"{key}: definitions")
    assert problems == []


def test_every_topic_has_alt_labels_in_both_languages(topics: Graph) -> None:
    for concept in topics.subjects(RDF.type, SKOS.Concept):
        found = labels(topics, concept, SKOS.altLabel)
        assert set(found) == {"en", "es"}, concept
        assert len(found["en"]) >= 5 and len(found["es"]) >= 5, concept


def test_alt_labels_are_specific_and_unambiguous(topics: Graph) -> None:
    owner: dict[str, URIRef] = {}
    for concept, label in topics.subject_objects(SKOS.altLabel):
        text = str(label)
        assert text == " ".join(text.split()), f"white space in {text!r}"
        assert text.casefold() not in TOO_GENERIC, f"{text!r} would fire everywhere"
        assert owner.setdefault(text.casefold(), concept) == concept, f"{text!r} in two topics"
    for concept, label in topics.subject_objects(SKOS.prefLabel):
        assert owner.get(str(label).casefold(), concept) == concept, f"{label!r}"
