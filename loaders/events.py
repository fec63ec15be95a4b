"""Events: calls, meetings, summits, visits and signings, with dates and participants."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from bilat.loaders import clauses
from bilat.loaders.actors import Actors
from bilat.loaders.dates import ResolvedDate, find_dates
from bilat.loaders.extraction import Event, Evidence
from bilat.loaders.reading import Reading, Sentence

SAME_KIND = {"Summit": "Meeting"}


@dataclass
class Mention:
    """One place in the text that names an event; several may name the same event."""

    event: Event
    trigger: Token
    sentence: Sentence


def find_events(reading: Reading, actors: Actors) -> list[Mention]:
    """Every event mention, in text order; mentions of one event share its Event."""
    mentions: list[Mention] = []
    for sentence in reading.sentences:
        dates = find_dates(sentence.text, reading.communique.published, reading.communique.language)
        for trigger in sentence.span:
            kind = kind_of(trigger, reading.words)
            if kind is None:
                continue
            event = event_at(trigger, kind, sentence, dates, reading, actors)
            if event is not None:
                mentions.append(Mention(merge(event, mentions), trigger, sentence))
    return mentions


def kind_of(token: Token, words: dict) -> str | None:
    """The event kind a trigger word names, or None when it names no event."""
    lemma = token.lemma_.lower()
    if token.pos_ in ("NOUN", "PROPN") and lemma in words["event_nouns"]:
        kind = words["event_nouns"][lemma]
    elif token.pos_ == "VERB" and lemma in words["event_verbs"]:
        kind = words["event_verbs"][lemma]
    else:
        return None
    for child in token.children:
        modifier = child.lower_ if child.dep_ != "compound" else child.lemma_.lower()
        kind = words["event_kind_modifiers"].get(modifier, kind)
    return kind


def event_at(
    trigger: Token,
    kind: str,
    sentence: Sentence,
    dates: list[ResolvedDate],
    reading: Reading,
    actors: Actors,
) -> Event | None:
    span = extent(trigger)
    participants = participants_of(trigger, span, actors)
    date = date_in(span, sentence, dates)
    generic = trigger.pos_ == "NOUN" and "Plur" in trigger.morph.get("Number")
    if generic and date is None:
        return None  # "reuniones sobre las estrategias": no event in particular
    planned = is_planned(trigger, date, reading)
    return Event(
        kind=kind,
        date=date.iso() if date and date.precision in ("day", "month") else None,
        status="Planned" if planned else "Held",
        participants=participants,
        evidence=[Evidence(sentence.start, sentence.end, sentence.text)],
        trigger=trigger.text,
    )


def extent(trigger: Token) -> Span:
    """The words that belong to the event: a noun's phrase, or a verb's own clause."""
    doc = trigger.doc
    if trigger.pos_ != "VERB":
        return doc[trigger.left_edge.i : trigger.right_edge.i + 1]
    start, end = clauses.clause_extent(trigger, trigger)
    subject = clauses.subject(trigger)
    if subject is not None and subject.i < start:
        start = subject.left_edge.i
    return doc[start:end]


def participants_of(trigger: Token, span: Span, actors: Actors) -> list[str]:
    named = actors.in_span(span)
    people = [k for k in named if actors.actor(k).type in ("Person", "Organization")]
    if people:
        return people
    if trigger.pos_ == "VERB":
        subject = clauses.subject(trigger)
        if subject is not None:
            return actors.referents(subject, [])
    return [k for k in named if actors.actor(k).type == "Government"]


def date_in(span: Span, sentence: Sentence, dates: list[ResolvedDate]) -> ResolvedDate | None:
    """The first date expression inside the event's words."""
    start = span.start_char - sentence.span.start_char
    end = span.end_char - sentence.span.start_char
    return next((d for d in dates if start <= d.start and d.end <= end), None)


def is_planned(trigger: Token, date: ResolvedDate | None, reading: Reading) -> bool:
    published = reading.communique.published
    if date is not None and date.precision in ("day", "month"):
        if date.precision == "month":
            return (date.value.year, date.value.month) > (published.year, published.month)
        return date.value > published
    cues = reading.words["planned_cues"]
    if any(child.lower_ in cues for child in trigger.children):
        return True
    governor = trigger if trigger.pos_ == "VERB" else trigger.head
    return "Fut" in governor.morph.get("Tense") or any(
        c.lower_ in ("will", "shall") for c in governor.children
    )


def merge(event: Event, mentions: list[Mention]) -> Event:
    """The event already seen that this mention names again, updated; else `event` itself."""
    for earlier in reversed([m.event for m in mentions]):
        if same_event(earlier, event):
            earlier.evidence.extend(e for e in event.evidence if e not in earlier.evidence)
            new = [p for p in event.participants if p not in earlier.participants]
            earlier.participants.extend(new)
            earlier.date = earlier.date or event.date
            return earlier
    return event


def same_event(a: Event, b: Event) -> bool:
    if SAME_KIND.get(a.kind, a.kind) != SAME_KIND.get(b.kind, b.kind):
        return False
    if a.date and b.date:
        return a.date == b.date
    if a.status != b.status:
        return False
    # a bare "the meeting" / "el encuentro" refers back to the last one of its kind
    return not b.participants or set(b.participants) == set(a.participants)
