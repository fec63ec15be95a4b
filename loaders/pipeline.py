"""The extraction pipeline: a communiqué's text in, its named graph's quads out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from bilat.loaders.actors import Actors
from bilat.loaders.commitments import find_commitments
from bilat.loaders.events import events_of, find_events
from bilat.loaders.extraction import Extraction
from bilat.loaders.follows import find_follows, main_event
from bilat.loaders.rdf import communique_iri, quads_of
from bilat.loaders.reader import Communique, read_communique
from bilat.loaders.reading import read
from bilat.loaders.statements import find_claims
from bilat.loaders.topics import topics_in


@dataclass(frozen=True)
class Loaded:
    """A communiqué ready for the store: its named graph and that graph's quads."""

    communique: Communique
    graph: NamedNode
    quads: list[Quad]


def load_file(path: Path) -> Loaded:
    """Read and extract one file; raises ReadError for a file bilat cannot read."""
    return extract(read_communique(path))


def extract(communique: Communique) -> Loaded:
    reading = read(communique)
    actors = Actors(reading)
    # "the two officials" stand for the people of the main event, known after one pass:
    # read the events again when a plural asked for them
    for _ in range(2):
        mentions = find_events(reading, actors)
        events = events_of(mentions)
        main = main_event(events)
        if main is not None:
            actors.main_people = [k for k in main.participants if actors.actor(k).type == "Person"]
        if not (actors.asked_for_main_people and actors.main_people):
            break
    speakers_in: dict[int, list[str]] = {}
    for mention in mentions:
        people = [k for k in mention.event.participants if actors.actor(k).type == "Person"]
        if len(people) > 1:
            speakers_in.setdefault(mention.sentence.index, people)
    position = {id(e): i for i, e in enumerate(events)}
    extraction = Extraction(
        communique=communique,
        issuers=actors.governments(),
        claims=find_claims(reading, actors, speakers_in),
        events=events,
        follows=[(position[id(a)], position[id(b)]) for a, b in find_follows(reading, mentions)],
        commitments=find_commitments(reading, actors),
    )
    matcher = reading.pipeline.topics
    counts = Counter(t for s in reading.sentences for t in topics_in(s.span, matcher))
    extraction.topics = [t for t, _ in counts.most_common()]
    for commitment in extraction.commitments:
        # a commitment that names no topic ("develop relations in a stable way") is taken
        # to concern what the whole communiqué is about
        commitment.topics = commitment.topics or extraction.topics[:3]
    named = [
        *actors.found,
        *(k for c in extraction.claims for k in c.speakers),
        *(k for e in events for k in e.participants),
        *(k for c in extraction.commitments for k in c.by),
    ]
    extraction.actors = list(dict.fromkeys(named))
    quads = list(quads_of(extraction, actors, reading.pipeline.model))
    return Loaded(communique, communique_iri(communique.slug), quads)
