"""What the extractors find in one communiqué, before it becomes RDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from bilat.loaders.reader import Communique


@dataclass(frozen=True)
class Evidence:
    """The sentence that says something, with its character offsets in the communiqué."""

    start: int
    end: int
    text: str


@dataclass
class Claim:
    speakers: list[str]  # actor keys
    text: str
    is_quote: bool
    evidence: Evidence
    topics: list[str] = field(default_factory=list)


@dataclass
class Event:
    kind: str  # Call, Meeting, Summit, Visit, Signing
    date: str | None  # YYYY-MM-DD or YYYY-MM
    status: str  # Held or Planned
    participants: list[str]
    evidence: list[Evidence]
    trigger: str = ""  # the word that announced it, for the label
    refers_back: bool = False  # "la reunión" with nothing of its own: the one seen before


@dataclass
class Commitment:
    by: list[str]
    text: str
    topics: list[str]
    evidence: Evidence


@dataclass
class Extraction:
    communique: Communique
    actors: list[str] = field(default_factory=list)  # keys, in order of first mention
    issuers: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    follows: list[tuple[int, int]] = field(default_factory=list)  # (later, earlier) indexes
    commitments: list[Commitment] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
