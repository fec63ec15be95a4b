"""Statements: who said what, from reporting verbs, their subjects and complements."""

from __future__ import annotations

from spacy.tokens import Span, Token

from bilat.loaders import clauses
from bilat.loaders.actors import Actors
from bilat.loaders.extraction import Claim, Evidence
from bilat.loaders.reading import Reading, Sentence
from bilat.loaders.topics import topics_in


def find_claims(reading: Reading, actors: Actors, speakers_in: dict[int, list[str]]) -> list[Claim]:
    """Every act of saying in the communiqué, as a Claim.

    `speakers_in` maps a sentence index to the participants of an event it mentions
    ("En una conversación entre X y Y, reafirmaron …"): the fallback speakers there.
    """
    claims: list[Claim] = []
    previous: list[str] = []
    for sentence in reading.sentences:
        for verb in sentence.span:
            if not is_reporting_verb(verb, reading.words):
                continue
            claim = claim_of(verb, sentence, reading, actors)
            if claim is None:
                continue
            claim.speakers = speakers_of(
                verb, actors, speakers_in.get(sentence.index, []), previous
            )
            if claim.speakers:
                previous = claim.speakers
                claims.append(claim)
    return claims


def is_reporting_verb(token: Token, words: dict) -> bool:
    verbs = words["reporting_verbs"]
    if token.pos_ in ("VERB", "AUX"):
        return token.lemma_.lower() in verbs
    # headlines: "México y Estados Unidos reafirman respeto…" is often tagged as a noun
    has_subject = any(c.dep_ in clauses.SUBJECTS for c in token.children)
    return token.dep_ == "ROOT" and has_subject and token.norm_ in verbs


def claim_of(verb: Token, sentence: Sentence, reading: Reading, actors: Actors) -> Claim | None:
    """The claim a reporting verb introduces, or None when it has no complement."""
    if clauses.is_negated(verb, reading.words["negations"]):
        return None
    head = clauses.complement(verb)
    subject = clauses.subject(verb)
    if head is None and clauses.agent(verb) is not None and subject is not None:
        # "La importancia de X fue subrayada por ambos gobiernos": the subject was said
        span = verb.doc[subject.left_edge.i : subject.right_edge.i + 1]
    elif head is None:
        span = preposed_claim(verb, sentence)
        if span is None:
            return None
    else:
        weak = verb.lemma_.lower() in reading.words["weak_reporting_verbs"]
        if weak and head.dep_ not in ("ccomp", "obj", "dobj"):
            return None
        start, end = clauses.clause_extent(verb, head)
        span = verb.doc[start:end]
    text = clauses.span_text(span)
    if len(text.split()) < 2:
        return None
    return Claim(
        speakers=[],
        text=text,
        is_quote=clauses.quoted_share(span, sentence.span) > 0.6,
        evidence=Evidence(sentence.start, sentence.end, sentence.text),
        topics=topics_in(span, reading.pipeline.topics),
    )


def preposed_claim(verb: Token, sentence: Sentence) -> Span | None:
    """ "Britain and France will pilot a scheme, the two leaders announced": the words
    before the comma that opens the reporting clause, when the parser missed the link."""
    subject = clauses.subject(verb)
    if subject is None or subject.i > verb.i:
        return None
    comma = subject.left_edge.i - 1
    if comma <= sentence.span.start or verb.doc[comma].text != ",":
        return None
    return verb.doc[sentence.span.start : comma]


def speakers_of(
    verb: Token, actors: Actors, in_event: list[str], previous: list[str]
) -> list[str]:
    """The subject, else the event's participants, else the authors or the last speakers."""
    doer = clauses.agent(verb)
    if doer is not None and (found := actors.referents(doer, in_event)):
        return found
    subject = clauses.subject(verb)
    if subject is not None and subject.pos_ == "PRON" and len(previous) == 1:
        return previous  # "He expressed …" after "The Secretary thanked …"
    if subject is not None:
        found = actors.referents(subject, in_event)
        if found:
            return found
    if in_event:
        return in_event
    if clauses.is_impersonal(verb) or not previous:
        return actors.governments()
    return previous
