"""An Extraction as RDF quads in the communiqué's own named graph."""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from bilat import __version__
from bilat.loaders.actors import Actors
from bilat.loaders.extraction import Claim, Commitment, Event, Evidence, Extraction
from bilat.ontology import BILAT, ID, NIF, SCHEMA, TOPIC

WIKIDATA = "http://www.wikidata.org/entity/"
SOFTWARE = ID[f"software/bilat-loaders-{__version__}"]


def node(iri: str) -> NamedNode:
    return NamedNode(str(iri))


def communique_iri(slug: str) -> NamedNode:
    return node(ID[f"communique/{slug}"])


def actor_iri(key: str) -> NamedNode:
    return node(ID[f"actor/{key}"])


def event_iri(event: Event, slug: str, index: int) -> NamedNode:
    """Dated events are shared across communiqués: same kind, date and participants."""
    if event.date:
        who = "-".join(sorted(event.participants))
        return node(ID[f"event/{event.kind.lower()}-{event.date}" + (f"-{who}" if who else "")])
    return node(ID[f"event/{slug}/{index}"])


class GraphWriter:
    """Collects the quads of one communiqué's named graph."""

    def __init__(self, extraction: Extraction, actors: Actors, model: str):
        self.x = extraction
        self.actors = actors
        self.model = model
        self.slug = extraction.communique.slug
        self.lang = extraction.communique.language
        self.graph = communique_iri(self.slug)
        self.quads: list[Quad] = []

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal | str) -> None:
        obj = o if isinstance(o, NamedNode | Literal) else node(o)
        self.quads.append(Quad(s, node(p), obj, self.graph))

    def text(self, value: str) -> Literal:
        return Literal(value, language=self.lang)

    def write(self) -> list[Quad]:
        self.communique()
        self.provenance()
        for key in dict.fromkeys([*self.x.actors, *self.x.issuers]):
            self.actor(key)
        for i, claim in enumerate(self.x.claims):
            self.claim(claim, i)
        events = {id(e): event_iri(e, self.slug, i) for i, e in enumerate(self.x.events)}
        for event in self.x.events:
            self.event(event, events[id(event)])
        for later, earlier in self.x.follows:
            a, b = self.x.events[later], self.x.events[earlier]
            self.add(events[id(a)], BILAT.follows, events[id(b)])
        for i, commitment in enumerate(self.x.commitments):
            self.commitment(commitment, i)
        return list(dict.fromkeys(self.quads))

    def communique(self) -> None:
        c, doc = self.graph, self.x.communique
        self.add(c, RDF.type, BILAT.Communique)
        self.add(c, DCTERMS.title, self.text(doc.title))
        self.add(c, DCTERMS.date, Literal(doc.published.isoformat(), datatype=node(XSD.date)))
        self.add(c, DCTERMS.language, Literal(doc.language))
        self.add(c, DCTERMS.source, Literal(doc.source or doc.name))
        self.add(c, BILAT.fullText, self.text(doc.text))
        for key in self.x.issuers:
            self.add(c, BILAT.issuedBy, actor_iri(key))
        for key in self.x.actors:
            self.add(c, BILAT.mentions, actor_iri(key))
        for topic in self.x.topics:
            self.add(c, BILAT.about, node(TOPIC[topic]))

    def provenance(self) -> None:
        run = node(ID[f"extraction/{self.slug}"])
        software, model = node(SOFTWARE), node(ID[f"software/{self.model}"])
        self.add(self.graph, PROV.wasGeneratedBy, run)
        self.add(run, RDF.type, PROV.Activity)
        self.add(run, PROV.used, self.graph)
        self.add(run, PROV.used, model)
        self.add(run, PROV.wasAssociatedWith, software)
        self.add(software, RDF.type, PROV.SoftwareAgent)
        self.add(software, RDFS.label, Literal("bilat loaders"))
        self.add(software, SCHEMA.softwareVersion, Literal(__version__))
        self.add(model, RDF.type, PROV.Entity)
        self.add(model, RDFS.label, Literal(f"spaCy pipeline {self.model}"))

    def actor(self, key: str) -> None:
        actor, a = self.actors.actor(key), actor_iri(key)
        self.add(a, RDF.type, BILAT.Actor)
        self.add(a, RDF.type, BILAT[actor.type])
        names = set(actor.names.values())
        if len(names) == 1:  # a person's name is the same in every language
            self.add(a, RDFS.label, Literal(names.pop()))
        else:
            for lang, name in actor.names.items():
                self.add(a, RDFS.label, Literal(name, language=lang))
        for alias in sorted({x for forms in actor.aliases.values() for x in forms}):
            self.add(a, SKOS.altLabel, Literal(alias))
        if actor.country and actor.type != "Country":
            self.add(a, BILAT.country, actor_iri(actor.country))
        if actor.code:
            self.add(a, BILAT.countryCode, Literal(actor.code))
        if actor.wikidata:
            self.add(a, OWL.sameAs, node(WIKIDATA + actor.wikidata))
        for office in self.actors.gazetteer.roles_of(key, self.x.communique.published):
            for lang, title in office.titles.items():
                self.add(a, BILAT.role, Literal(title, language=lang))

    def evidence(self, subject: NamedNode, evidence: Evidence) -> None:
        e = node(ID[f"evidence/{self.slug}/{evidence.start}-{evidence.end}"])
        self.add(subject, BILAT.evidence, e)
        self.add(subject, PROV.wasDerivedFrom, self.graph)
        self.add(e, RDF.type, BILAT.Evidence)
        self.add(e, NIF.anchorOf, Literal(evidence.text))
        self.add(e, NIF.beginIndex, Literal(evidence.start))
        self.add(e, NIF.endIndex, Literal(evidence.end))
        self.add(e, PROV.wasDerivedFrom, self.graph)

    def claim(self, claim: Claim, index: int) -> None:
        c = node(ID[f"claim/{self.slug}/{index}"])
        self.add(c, RDF.type, BILAT.Claim)
        self.add(c, BILAT.text, self.text(claim.text))
        self.add(c, BILAT.isQuote, Literal(claim.is_quote))
        for key in claim.speakers:
            self.add(actor_iri(key), BILAT.said, c)
        for topic in claim.topics:
            self.add(c, BILAT.concerns, node(TOPIC[topic]))
        self.evidence(c, claim.evidence)

    def event(self, event: Event, e: NamedNode) -> None:
        self.add(e, RDF.type, BILAT.Event)
        self.add(e, RDF.type, BILAT[event.kind])
        label = f"{event.kind}, {event.date}" if event.date else f"{event.kind} ({event.trigger})"
        self.add(e, RDFS.label, Literal(label, language="en"))
        if event.date:
            kind = XSD.date if len(event.date) == 10 else XSD.gYearMonth
            self.add(e, BILAT.date, Literal(event.date, datatype=node(kind)))
        self.add(e, BILAT.status, BILAT[event.status])
        for key in event.participants:
            self.add(e, BILAT.participant, actor_iri(key))
        for evidence in event.evidence:
            self.evidence(e, evidence)

    def commitment(self, commitment: Commitment, index: int) -> None:
        c = node(ID[f"commitment/{self.slug}/{index}"])
        self.add(c, RDF.type, BILAT.Commitment)
        self.add(c, BILAT.text, self.text(commitment.text))
        for key in commitment.by:
            self.add(c, BILAT.committedBy, actor_iri(key))
        for topic in commitment.topics:
            self.add(c, BILAT.concerns, node(TOPIC[topic]))
        self.evidence(c, commitment.evidence)


def quads_of(extraction: Extraction, actors: Actors, model: str) -> Iterator[Quad]:
    yield from GraphWriter(extraction, actors, model).write()
