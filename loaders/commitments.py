"""Commitments: what actors agree, pledge or say they will do; never the negated or hedged."""

from __future__ import annotations

from spacy.tokens import Token

from bilat.loaders import clauses
from bilat.loaders.actors import Actors
from bilat.loaders.extraction import Commitment, Evidence
from bilat.loaders.reading import Reading, Sentence
from bilat.loaders.topics import topics_in

BULLETS = ("-", "•", "*", "–", "·")


def find_commitments(reading: Reading, actors: Actors) -> list[Commitment]:
    found: list[Commitment] = []
    words = reading.words
    sentences = reading.sentences
    for position, sentence in enumerate(sentences):
        for token in sentence.span:
            if is_negated_or_hedged(token, words):
                continue
            commitments: list[Commitment | None] = []
            if is_commitment_word(token, words):
                head = token if token.pos_ == "NOUN" else clauses.complement(token)
                commitments.append(
                    commitment_from(token, head, sentence, reading) or list_lead(sentence, reading)
                )
                # "agreed to revive X and to expand Y": one commitment each
                commitments += [
                    commitment_from(token, conj, sentence, reading)
                    for conj in coordinated_verbs(head)
                ]
            elif is_future_undertaking(token, words):
                commitments.append(commitment_from(token, token, sentence, reading))
            for commitment in filter(None, commitments):
                commitment.by = committed_by(token, actors)
                new = (
                    listed_after(commitment, sentences[position + 1 :], reading)
                    if commitment.text.endswith(":")
                    else [commitment]
                )
                found.extend(c for c in new if not repeats(c, found))
    return found


def coordinated_verbs(head: Token | None) -> list[Token]:
    if head is None or head.pos_ != "VERB":
        return []
    return [c for c in head.children if c.dep_ == "conj" and c.pos_ == "VERB"]


def repeats(commitment: Commitment, found: list[Commitment]) -> bool:
    """Already found from another word of the same sentence ("agreed that … will …")."""
    return any(
        c.evidence == commitment.evidence
        and (c.text in commitment.text or commitment.text in c.text)
        for c in found
    )


def is_commitment_word(token: Token, words: dict) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ == "VERB" and lemma in words["commitment_verbs"]:
        return True
    # "reiteraron su compromiso con …", "affirmed a mutual commitment to …"
    return (
        token.pos_ == "NOUN"
        and lemma in words["commitment_nouns"]
        and token.dep_ in ("obj", "dobj")
        and token.head.lemma_.lower() in words["reporting_verbs"]
    )


def is_future_undertaking(token: Token, words: dict) -> bool:
    """ "mantendrán la cooperación", "will pilot a scheme": a future act by the actors."""
    if token.pos_ != "VERB" or token.lemma_.lower() not in words["future_commitment_verbs"]:
        return False
    future = "Fut" in token.morph.get("Tense") or any(
        c.lower_ in ("will", "shall") and c.dep_ == "aux" for c in token.children
    )
    return future


def is_negated_or_hedged(token: Token, words: dict) -> bool:
    for child in token.children:
        if child.lower_ in words["negations"] and child.dep_ in ("advmod", "neg", "cc"):
            return True
        if child.dep_ == "aux" and child.lemma_.lower() in words["hedges"]:
            return True
    head = token.head
    if token.dep_ in ("xcomp", "ccomp") and head.lemma_.lower() in words["hedges"]:
        return True
    if token.dep_ == "xcomp" and head.i != token.i:
        return is_negated_or_hedged(head, words)
    return False


def commitment_from(
    verb: Token, head: Token | None, sentence: Sentence, reading: Reading
) -> Commitment | None:
    if head is None:
        return None
    if head.pos_ == "NOUN":  # "su compromiso con …": the noun's phrase
        start, end = head.left_edge.i, head.right_edge.i + 1
    elif head.i == verb.i:  # a future verb: from its auxiliary ("will pilot") to the clause end
        first = min([verb, *(c for c in verb.children if c.dep_ == "aux")], key=lambda t: t.i)
        start, end = first.i, clauses.clause_extent(verb, verb)[1]
    else:
        start, end = clauses.clause_extent(verb, head)
    span = verb.doc[start:end]
    text = clauses.span_text(span)
    if sentence.span.text.rstrip().endswith(":") and end >= sentence.span.end - 1:
        text += ":"
    if len(text.split()) < 2 and not text.endswith(":"):
        return None
    topics = topics_in(span, reading.pipeline.topics) or topics_in(
        sentence.span, reading.pipeline.topics
    )
    return Commitment([], text, topics, Evidence(sentence.start, sentence.end, sentence.text))


def list_lead(sentence: Sentence, reading: Reading) -> Commitment | None:
    """ "ambos gobiernos se comprometen a:": the items that follow say to what."""
    if not sentence.text.rstrip().endswith(":"):
        return None
    topics = topics_in(sentence.span, reading.pipeline.topics)
    evidence = Evidence(sentence.start, sentence.end, sentence.text)
    return Commitment([], sentence.text.strip(), topics, evidence)


def committed_by(verb: Token, actors: Actors) -> list[str]:
    """The verb's subject, else the subject of the verb that reports it, else the authors."""
    token: Token | None = verb
    while token is not None:
        subject = clauses.subject(token)
        if subject is not None:
            found = actors.referents(subject, [])
            if found:
                return found
        token = token.head if token.head.i != token.i else None
    return actors.governments()


def listed_after(lead: Commitment, following: list[Sentence], reading: Reading) -> list[Commitment]:
    """ "se comprometen a:" followed by a bulleted list: one commitment per item."""
    items = []
    for sentence in following:
        text = sentence.text.strip()
        if not text.startswith(BULLETS):
            break
        items.append(
            Commitment(
                by=lead.by,
                text=text.lstrip("".join(BULLETS) + " ").rstrip(" ;.,"),
                topics=topics_in(sentence.span, reading.pipeline.topics) or lead.topics,
                evidence=Evidence(sentence.start, sentence.end, sentence.text),
            )
        )
    return items or [lead]
