"""The vocabulary: the ontology, topic scheme and shapes files, and their Python face."""

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

HERE = Path(__file__).parent
ONTOLOGY_FILE = HERE / "bilat.ttl"
TOPICS_FILE = HERE / "topics.ttl"
SHAPES_FILE = HERE / "shapes.ttl"

# The ontology and the topic scheme share one named graph in the store, so queries can
# walk skos:broader* next to the data.
VOCABULARY_GRAPH = URIRef("https://w3id.org/bilat/ontology")

ID = Namespace("https://w3id.org/bilat/id/")
TOPIC = Namespace("https://w3id.org/bilat/id/topic/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SCHEMA = Namespace("https://schema.org/")


class BILAT(DefinedNamespace):
    """The bilat ontology; a test checks every term here against bilat.ttl."""

    _NS = Namespace("https://w3id.org/bilat/ontology#")
    _fail = True

    # classes
    Communique: URIRef
    Actor: URIRef
    Person: URIRef
    Country: URIRef
    Government: URIRef
    Organization: URIRef
    Claim: URIRef
    Event: URIRef
    Call: URIRef
    Meeting: URIRef
    Summit: URIRef
    Visit: URIRef
    Signing: URIRef
    Commitment: URIRef
    Evidence: URIRef
    EventStatus: URIRef
    # individuals
    Held: URIRef
    Planned: URIRef
    # object properties
    said: URIRef
    follows: URIRef
    participant: URIRef
    status: URIRef
    concerns: URIRef
    committedBy: URIRef
    country: URIRef
    about: URIRef
    evidence: URIRef
    mentions: URIRef
    issuedBy: URIRef
    # datatype properties
    text: URIRef
    isQuote: URIRef
    date: URIRef
    role: URIRef
    fullText: URIRef
    countryCode: URIRef


# The prefixes every query, export and editor page starts with.
PREFIXES: dict[str, str] = {
    "bilat": str(BILAT._NS),
    "id": str(ID),
    "topic": str(TOPIC),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "nif": str(NIF),
    "schema": str(SCHEMA),
}
