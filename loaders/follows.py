"""Follows: which event came after which, from cue words and from what was announced."""

from __future__ import annotations

from spacy.tokens import Token

from bilat.loaders.events import Mention, events_of
from bilat.loaders.extraction import Event
from bilat.loaders.reading import Reading


def find_follows(reading: Reading, mentions: list[Mention]) -> list[tuple[Event, Event]]:
    """(later, earlier) pairs of events, without repeats."""
    events = events_of(mentions)
    main = main_event(events)
    pairs: list[tuple[Event, Event]] = []
    for mention in mentions:
        earlier = mention.event
        if not after_cue(mention.trigger, reading.words):
            continue
        later = other_event_in(mention, mentions) or main
        if later is not None and later is not earlier:
            pairs.append((later, earlier))
    planned = [e for e in events if e.status == "Planned"]
    for event in planned:
        if main is not None and main.status == "Held":
            pairs.append((event, main))
    dated = sorted((e for e in planned if e.date), key=lambda e: e.date)
    pairs.extend(zip(dated[1:], dated[:-1], strict=False))
    pairs.extend(repeated_meetings(events))
    pairs.extend(after_earlier_events(main, events))
    unique: list[tuple[Event, Event]] = []
    for later, earlier in pairs:
        if not any(later is a and earlier is b for a, b in unique):
            unique.append((later, earlier))
    return unique


def after_cue(trigger: Token, words: dict) -> bool:
    """Is this event word introduced by "tras", "after", "following", "follows"…?"""
    cues = [c.split() for c in words["follows_cues"]]
    before = [t.lower_ for t in trigger.doc[max(0, trigger.i - 6) : trigger.i]]
    for cue in cues:
        n = len(cue)
        for i in range(len(before) - n + 1):
            if before[i : i + n] == cue and not any(
                t.pos_ == "VERB" for t in trigger.doc[trigger.i - len(before) + i + n : trigger.i]
            ):
                return True
    head = trigger.head
    return head.lemma_.lower() in words["follow_verbs"] and trigger.dep_ in ("obj", "dobj")


def other_event_in(mention: Mention, mentions: list[Mention]) -> Event | None:
    """Another event named in the same sentence, outside the cue's phrase."""
    for other in mentions:
        if other.sentence is mention.sentence and other.event is not mention.event:
            if other.trigger.i < mention.trigger.i or other.trigger.dep_ in ("nsubj", "ROOT"):
                return other.event
    return None


def after_earlier_events(main: Event | None, events: list[Event]) -> list[tuple[Event, Event]]:
    """The event reported comes after every earlier held event the text recalls ("the first
    since they met in March 2023", "tras la visita de agosto")."""
    if main is None or main.status != "Held" or not main.date:
        return []
    pairs = []
    for event in events:
        if event is main:
            continue
        if event.kind == "Signing" and event.status == "Held" and event.date == main.date:
            pairs.append((event, main))  # signed at the end of the meeting
        elif event.status == "Held" and event.date and earlier(event.date, main.date):
            if len(set(event.participants) & set(main.participants)) >= 2:
                pairs.append((main, event))
    return pairs


def earlier(a: str, b: str) -> bool:
    """Is date a (YYYY-MM-DD or YYYY-MM) surely before date b?"""
    if len(a) != len(b):
        return a[:7] < b[:7]
    return a < b


def repeated_meetings(events: list[Event]) -> list[tuple[Event, Event]]:
    """The same people meeting again: each dated, held encounter follows their previous one."""
    held = sorted((e for e in events if e.status == "Held" and e.date), key=lambda e: e.date)
    pairs = []
    for i, later in enumerate(held):
        for earlier in reversed(held[:i]):
            shared = set(later.participants) & set(earlier.participants)
            if earlier.date < later.date and len(shared) >= 2:
                pairs.append((later, earlier))
                break
    return pairs


def main_event(events: list[Event]) -> Event | None:
    """The event the communiqué reports: the first one held between several participants."""
    held = [e for e in events if e.status == "Held"]
    for enough in (2, 1):
        found = next((e for e in held if len(e.participants) >= enough), None)
        if found is not None:
            return found
    return held[0] if held else None
