"""Topics: which concepts of the SKOS scheme a stretch of text is about."""

from __future__ import annotations

from functools import cache

from rdflib import Graph
from rdflib.namespace import SKOS
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span

from bilat.ontology import TOPICS_FILE


@cache
def scheme() -> Graph:
    return Graph().parse(TOPICS_FILE, format="turtle")


@cache
def topic_labels(lang: str) -> dict[str, list[str]]:
    """Every topic key with its preferred and alternative labels in `lang` (from topics.ttl)."""
    labels: dict[str, list[str]] = {}
    for concept, notation in scheme().subject_objects(SKOS.notation):
        forms = [
            str(label)
            for prop in (SKOS.prefLabel, SKOS.altLabel)
            for label in scheme().objects(concept, prop)
            if getattr(label, "language", None) in (lang, None)
        ]
        labels[str(notation)] = forms
    return labels


@cache
def broader(key: str) -> tuple[str, ...]:
    """The keys of the topics above `key`, nearest first."""
    by_notation = {str(n): c for c, n in scheme().subject_objects(SKOS.notation)}
    notation_of = {c: n for n, c in by_notation.items()}
    chain, concept = [], by_notation.get(key)
    while concept is not None:
        concept = next(scheme().objects(concept, SKOS.broader), None)
        if concept is not None:
            chain.append(notation_of[concept])
    return tuple(chain)


def topics_in(span: Span, matcher: PhraseMatcher) -> list[str]:
    """Topic keys whose labels occur in `span`, in text order, without repeats."""
    vocab = span.doc.vocab
    found = [vocab.strings[match_id] for match_id, _, _ in matcher(span)]
    return list(dict.fromkeys(found))
