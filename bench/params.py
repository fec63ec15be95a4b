"""Parameters for the canned questions, drawn from what a generated dataset holds.

Actors, countries and topics are drawn across their popularity (log-uniform over the
rank, so the busiest and the rarest both come up); date windows are a month, a quarter,
a year or three years, and one run in five uses the form's default, everything.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from bilat.queries.catalogue import EVENT_KINDS, SavedQuery

SPANS = (31, 92, 365, 1096)
# words for the evidence search, from very common to rare in the generated text
WORDS = ("cooperación", "security", "agenda bilateral", "memorandum", "fentanilo",
         "summit", "agua", "respeto mutuo", "migration", "soberanía")


class Drawer:
    """Draws parameter values for saved queries from a generator summary (FILE.json)."""

    def __init__(self, summary: dict, seed: int = 7):
        self.rng = random.Random(seed)
        self.actors = [key for key, _ in summary["actors"]]
        self.countries = [key for key, _ in summary["countries"]]
        self.topics = [key for key, _ in summary["topics"]]
        self.communiques = summary.get("communiques_sample", [])
        self.first = date.fromisoformat(summary["first_date"])
        self.last = date.fromisoformat(summary["last_date"])

    def ranked(self, items: list[str]) -> str:
        """An item whose rank is log-uniform: busy and rare ones alike."""
        rank = int(math.exp(self.rng.uniform(0, math.log(len(items))))) - 1
        return items[min(rank, len(items) - 1)]

    def day(self) -> date:
        return self.first + timedelta(days=self.rng.randrange((self.last - self.first).days))

    def values(self, saved: SavedQuery) -> dict[str, str]:
        """One set of text values for the saved query's parameters, as a form sends them."""
        out: dict[str, str] = {}
        names = set(saved.params)
        if {"from", "to"} <= names and self.rng.random() >= 0.2:
            start = self.day()
            out["from"] = start.isoformat()
            out["to"] = (start + timedelta(days=self.rng.choice(SPANS))).isoformat()
        countries: list[str] = []
        for name, param in saved.params.items():
            if name in out:
                continue
            if param.type == "actor":
                out[name] = self.ranked(self.actors)
            elif param.type == "country":
                value = self.ranked(self.countries)
                while value in countries:  # two different countries for a pair
                    value = self.ranked(self.countries)
                countries.append(value)
                out[name] = value
            elif param.type == "topic":
                out[name] = self.rng.choice(self.topics)
            elif param.type == "communique" and self.communiques:
                out[name] = self.rng.choice(self.communiques)
            elif param.type == "event-kind":
                out[name] = self.rng.choice(EVENT_KINDS)
            elif param.type == "date" and name not in ("from", "to"):
                out[name] = self.day().isoformat()
            elif param.type == "string":
                out[name] = self.rng.choice(WORDS)
            elif param.default is not None:
                out[name] = str(param.default)
            else:
                out[name] = str(param.example)
        return out
