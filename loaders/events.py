"""Events: calls, meetings, summits, visits and signings, with dates and participants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from bilat.loaders import clauses
from bilat.loaders.actors import Actors
from bilat.loaders.dates import ResolvedDate, resolve
from bilat.loaders.dates import find_dates as find_dates_uncached
from bilat.loaders.extraction import Event, Evidence
from bilat.loaders.reading import Reading, Sentence

SAME_KIND = {"Summit": "Meeting"}


@dataclass
class Mention:
    """One place in the text that names an event; several may name the same event."""

    event: Event
    trigger: Token
    sentence: Sentence


def events_of(mentions: list[Mention]) -> list[Event]:
    """The distinct events the mentions name, in order of first mention."""
    return list({id(m.event): m.event for m in mentions}.values())


def find_events(reading: Reading, actors: Actors) -> list[Mention]:
    """Every event mention, in text order; mentions of one event share its Event."""
    mentions: list[Mention] = []
    doc = reading.communique
    for sentence in reading.sentences:
        if is_headline(sentence):
            continue  # a headline announces the event the text then reports, with its date
        dates = find_dates(sentence.text, doc.published, doc.language)
        triggers = [(t, kind) for t in sentence.span if (kind := kind_of(t, reading.words))]
        extents = [extent(t) for t, _ in triggers]
        for (trigger, kind), span in zip(triggers, extents, strict=True):
            others = [s for s in extents if s is not span]
            event = event_at(trigger, kind, span, others, sentence, dates, reading, actors)
            if event is not None:
                mentions.append(Mention(merge(event, mentions, actors), trigger, sentence))
    for event in events_of(mentions):
        if event.kind == "Meeting" and leaders_only(event, actors, doc.published):
            event.kind = "Summit"
    date_main_event(mentions, reading)
    return mentions


def is_headline(sentence: Sentence) -> bool:
    return sentence.index == 0 and not sentence.text.rstrip().endswith((".", "!", "?", "”", '"'))


def leaders_only(event: Event, actors: Actors, day: dt.date) -> bool:
    """A meeting of two or more heads of state or government is a summit."""
    people = [k for k in event.participants if actors.actor(k).type == "Person"]
    heads = {"head-of-state", "head-of-government"}
    return len(people) >= 2 and all(
        any(o.kind in heads for o in actors.gazetteer.roles_of(k, day)) for k in people
    )


def date_main_event(mentions: list[Mention], reading: Reading) -> None:
    """A news report's lead dates the event it reports ("acordaron ayer…"): the first held
    event without a date of its own, and the signings at it, take the lead's date."""
    doc = reading.communique
    lead = next(
        (d for s in reading.sentences[:3] for d in find_dates(s.text, doc.published, doc.language)
         if d.precision == "day" and 0 <= (doc.published - d.value).days <= 7),
        None,
    )
    if lead is None:
        return
    events = events_of(mentions)
    undated = [e for e in events if e.status == "Held" and e.date is None]
    if undated and not any(e.date == lead.iso() for e in events):
        undated[0].date = lead.iso()
    for event in undated:
        if event.kind == "Signing":  # signed at the meeting being reported
            event.date = lead.iso()


@lru_cache(maxsize=2048)
def find_dates(text: str, published: dt.date, lang: str) -> list[ResolvedDate]:
    """find_dates, remembered: events are read twice and the lead once more."""
    return find_dates_uncached(text, published, lang)


def kind_of(token: Token, words: dict) -> str | None:
    """The event kind a trigger word names, or None when it names no event."""
    lemma = token.lemma_.lower()
    if token.pos_ in ("NOUN", "PROPN") and lemma in words["event_nouns"]:
        kind = words["event_nouns"][lemma]
    elif token.pos_ == "VERB" and lemma in words["event_verbs"]:
        kind = words["event_verbs"][lemma]
        if lemma in words["partner_verbs"] and not has_partner(token, words):
            return None
    else:
        return None
    if token.pos_ == "VERB":
        return kind
    for child in token.children:  # "conversación telefónica", "phone call", "state visit"
        if child.dep_ in ("amod", "compound", "nmod", "flat"):
            kind = words["event_kind_modifiers"].get(child.lower_, kind)
    return kind


def has_partner(verb: Token, words: dict) -> bool:
    """ "spoke with", "habló con": the verb has someone to talk to."""
    partners = words["partner_words"]
    return any(
        c.lower_ in partners or any(g.lower_ in partners for g in c.children)
        for c in verb.children
    )


def event_at(
    trigger: Token,
    kind: str,
    span: Span,
    others: list[Span],
    sentence: Sentence,
    dates: list[ResolvedDate],
    reading: Reading,
    actors: Actors,
) -> Event | None:
    """The event a trigger names; `others` are the words of the sentence's other events."""
    own_participants = participants_of(trigger, span, actors)
    own_date = date_in(span, sentence, dates)
    # what the event's own words do not say, the rest of its sentence may: "X and Y
    # announced on Thursday, at the summit", "la presidenta sostuvo hoy una conversación"
    participants = own_participants or people_outside(others, sentence, actors)
    date = own_date or nearest_date(trigger, others, sentence, dates)
    if trigger.pos_ == "NOUN" and "Plur" in trigger.morph.get("Number"):
        return None  # "reuniones sobre las estrategias", "visits to the shrine": no one event
    if date is not None and announced(trigger, reading.words):
        # "is due to hold a summit on Monday": the Monday to come, not the one gone
        date = resolve(date.text, reading.communique.published, reading.communique.language,
                       future=True) or date
    planned = is_planned(trigger, date, reading)
    return Event(
        kind=kind,
        date=date.iso() if date and date.precision in ("day", "month") else None,
        status="Planned" if planned else "Held",
        participants=participants,
        evidence=[Evidence(sentence.start, sentence.end, sentence.text)],
        trigger=trigger.text,
        refers_back=is_definite(trigger) and not own_participants and not own_date,
    )


def is_definite(trigger: Token) -> bool:
    """ "la reunión", "the meeting", "este encuentro": a noun that may name one seen before."""
    return trigger.pos_ == "NOUN" and any(
        c.dep_ == "det" and ("Def" in c.morph.get("Definite") or "Dem" in c.morph.get("PronType")
                             or c.lower_ in ("the", "this", "that"))
        for c in trigger.children
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
    """Who took part: the verb's subject, and the persons and bodies its words name."""
    found: list[str] = []
    # "sostuvo una conversación", "held a summit": the verb's subject took part
    verb = trigger if trigger.pos_ == "VERB" else trigger.head
    holds = trigger.dep_ in ("obj", "dobj") and verb.lemma_.lower() in actors.words["holding_verbs"]
    if verb.i == trigger.i or holds:
        if (subject := clauses.subject(verb)) is not None and subject.i != trigger.i:
            found += actors.referents(subject, [])
    named = actors.in_span(span)
    found += [k for k in named if actors.actor(k).type in ("Person", "Organization")]
    if not found:  # "the second conversation between the two top diplomats"
        group_nouns = actors.words["group_nouns"]
        groups = [t for t in span if t.i != trigger.i and t.lemma_.lower() in group_nouns]
        found += [k for t in groups for k in actors.referents(t, [])]
    if not found:
        found = [k for k in named if actors.actor(k).type == "Government"]
    return list(dict.fromkeys(found))


def people_outside(others: list[Span], sentence: Sentence, actors: Actors) -> list[str]:
    """Persons (else bodies) the sentence names outside the words of its other events."""
    keys = []
    for ent in sentence.span.ents:
        if not any(o.start <= ent.start < o.end for o in others):
            key = actors.key_of(ent)
            if key and actors.actor(key).type in ("Person", "Organization") and key not in keys:
                keys.append(key)
    people = [k for k in keys if actors.actor(k).type == "Person"]
    return people or keys


def nearest_date(
    trigger: Token, others: list[Span], sentence: Sentence, dates: list[ResolvedDate]
) -> ResolvedDate | None:
    """The date expression nearest the trigger that no other event of the sentence holds."""
    base = sentence.span.start_char
    free = [
        d for d in dates
        if not any(o.start_char - base <= d.start < o.end_char - base for o in others)
    ]
    where = trigger.idx - base
    return min(free, key=lambda d: abs(d.start - where), default=None)


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
    return announced(trigger, reading.words)


def announced(trigger: Token, words: dict) -> bool:
    """Said of the future: "la próxima reunión", "will meet", "is due to hold a summit"."""
    cues = words["planned_cues"]
    if any(child.lower_ in cues for child in trigger.children):
        return True
    governors = [trigger if trigger.pos_ == "VERB" else trigger.head]
    governors.append(governors[0].head)
    return any(
        "Fut" in g.morph.get("Tense")
        or g.lower_ in cues
        or any(c.lower_ in ("will", "shall") or c.lower_ in cues for c in g.children)
        for g in governors
    )


def merge(event: Event, mentions: list[Mention], actors: Actors) -> Event:
    """The event already seen that this mention names again, updated; else `event` itself."""
    for earlier in reversed([m.event for m in mentions]):
        if same_event(earlier, event, actors) or (
            event.refers_back and same_kind(earlier, event)
        ):
            earlier.evidence.extend(e for e in event.evidence if e not in earlier.evidence)
            new = [p for p in event.participants if p not in earlier.participants]
            earlier.participants.extend(new)
            earlier.date = earlier.date or event.date
            return earlier
    return event


def same_kind(a: Event, b: Event) -> bool:
    return SAME_KIND.get(a.kind, a.kind) == SAME_KIND.get(b.kind, b.kind)


def same_event(a: Event, b: Event, actors: Actors) -> bool:
    if not same_kind(a, b):
        return False
    if a.date and b.date:
        return a.date == b.date
    if a.status != b.status:
        return False
    # "the White House meeting" after "a summit with President Trump": a government stands
    # for its country's people
    countries = {actors.actor(k).country for k in a.participants} | set(a.participants)
    return all(
        k in a.participants
        or (actors.actor(k).type in ("Government", "Country") and
            (actors.actor(k).country or k) in countries)
        for k in b.participants
    )
