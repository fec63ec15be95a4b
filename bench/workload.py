"""The benchmarks' workload: the canned questions with varied parameters.

Parameter values are drawn (with a fixed seed) from the graph itself: keys (actors,
countries, topics, ...) from the same `queries/choices/<type>.rq` lists the web page offers,
dates inside the span of the communiqués' dates, words from the topics' labels. A drawn
question is bound as terms (Store.query(sparql, bindings), what the web app does) or as
text (SavedQuery.standalone: the same VALUES block plus PREFIX lines, for /sparql and for
Virtuoso).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bilat.graph import Store
from bilat.queries.catalogue import SavedQuery, Term, choices

DATES = """SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last)
WHERE { ?c a bilat:Communique ; dcterms:date ?d }"""
WORDS = "SELECT DISTINCT ?label WHERE { ?t skos:prefLabel ?label }"


@dataclass(frozen=True)
class Ask:
    """One canned question with its parameters as a form or a URL sends them."""

    saved: SavedQuery
    raw: dict[str, str]
    page: str | None = None  # the SPARQL of its first page (queries/paging.page_query)

    @property
    def name(self) -> str:
        return self.saved.name

    def terms(self) -> dict[str, Term]:
        return self.saved.bind(self.raw)

    def twin_path(self, suffix: str = "json", limit: int | None = None) -> str:
        """The web app's URL path of this question's machine-readable twin (with a limit:
        its first page)."""
        asked = {**self.raw, "limit": str(limit)} if limit else self.raw
        query = f"?{urlencode(asked)}" if asked else ""
        return f"/questions/{self.name}.{suffix}{query}"

    def text(self) -> str:
        """The query as standalone SPARQL: PREFIX lines, parameters as a VALUES clause."""
        return self.saved.standalone(self.terms())


@dataclass
class Pool:
    """The values parameters are drawn from."""

    keys: dict[str, list[str]]  # parameter type -> keys, as the web page's choices
    first: date
    last: date
    words: list[str]


def value_pool(store: object, catalogue: dict[str, SavedQuery]) -> Pool:
    """What the graph offers for each parameter type the catalogue uses."""
    types = {p.type for saved in catalogue.values() for p in saved.params.values()}
    keys = {t: [key for key, _ in found] for t in sorted(types)
            if (found := choices(store, t)) is not None}
    span = next(iter(store.query(DATES)))
    first = date.fromisoformat(span["first"].value) if span["first"] else date(2026, 1, 1)
    last = date.fromisoformat(span["last"].value) if span["last"] else first
    words = sorted({w.lower() for row in store.query(WORDS) for w in row["label"].value.split()
                    if len(w) >= 5 and w.isalpha()})
    return Pool(keys=keys, first=first, last=last, words=words)


def draw(saved: SavedQuery, pool: Pool, rng: random.Random) -> dict[str, str]:
    """Random parameter values: distinct keys of a type, date parameters in rising order."""
    raw: dict[str, str] = {}
    by_type: dict[str, list[str]] = {}
    for name, param in saved.params.items():
        by_type.setdefault(param.type, []).append(name)
    for param_type, names in by_type.items():
        if param_type == "date":
            days = (pool.last - pool.first).days
            picked = sorted(rng.randint(0, days) for _ in names)
            values = [(pool.first + timedelta(days=d)).isoformat() for d in picked]
        else:
            candidates = pool.words if param_type == "string" else pool.keys.get(param_type, [])
            if len(candidates) >= len(names):
                values = rng.sample(candidates, len(names))
            else:  # integer and iri parameters, or a graph without such values
                values = [saved.params[n].fallback for n in names]
        raw.update(zip(names, values, strict=True))
    return raw


def asks(catalogue: dict[str, SavedQuery], values: Callable[[SavedQuery], dict[str, str]],
         runs: int, names: list[str] | None = None) -> dict[str, list[Ask]]:
    """`runs` draws for each question (all questions, or those named)."""
    chosen = names or sorted(catalogue)
    unknown = [n for n in chosen if n not in catalogue]
    if unknown:
        raise SystemExit(f"no saved question {', '.join(unknown)}; see `bilat queries`")
    return {n: [Ask(catalogue[n], values(catalogue[n])) for _ in range(runs)] for n in chosen}


def drawer(store: object, catalogue: dict[str, SavedQuery], summary: Path | None,
           seed: int) -> Callable[[SavedQuery], dict[str, str]]:
    """How parameters are drawn: uniformly from the graph's choices, or, given a summary
    of bench/generate.py, as bench/params.py draws them (busy and rare keys alike)."""
    if summary is not None:
        from params import Drawer

        return Drawer(json.loads(summary.read_text()), seed).values
    pool = value_pool(store, catalogue)
    rng = random.Random(seed)
    return lambda saved: draw(saved, pool, rng)


def draw_workload(store_dir: Path, summary: Path | None, seed: int, runs: int,
                  names: list[str] | None = None, pages: int = 0) -> dict[str, list[Ask]]:
    """The benchmark's questions, each with `runs` parameter draws, from a store folder;
    with `pages`, each knows the SPARQL of its first page of that many rows."""
    from bilat.queries.catalogue import load_catalogue

    with Store(store_dir, read_only=True) as store:
        catalogue = load_catalogue()
        drawn = asks(catalogue, drawer(store, catalogue, summary, seed), runs, names)
        if pages:
            drawn = {name: [with_page(store, ask, pages) for ask in runs]
                     for name, runs in drawn.items()}
        return drawn


def with_page(store: Store, ask: Ask, size: int) -> Ask:
    """The ask with the standalone SPARQL of its first `size` rows, as the page reads them
    (a `by_month` question's months, a `text` one's items, are read from the store to
    learn which hold them)."""
    from itertools import islice

    from bilat.queries.paging import page_query

    def run(sparql: str, bound: dict, stop: int | None) -> tuple[list[str], list[dict]]:
        result = store.query(sparql, bound)
        names = [v.value for v in result.variables]
        return names, [{n: row[n] for n in names} for row in islice(result, stop)]

    if ask.saved.kind != "solutions":
        return ask
    index = store.text_index()
    sparql, bound = page_query(ask.saved, ask.terms(), 0, size, run, index and index.first)
    return Ask(ask.saved, ask.raw, ask.saved.standalone(bound, sparql))


def add_workload_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark draws its workload with: --questions, --seed, --summary."""
    parser.add_argument("--questions", nargs="+", help="Only these questions.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--summary", type=Path,
                        help="bench/generate.py's FILE.json: draw parameters as bench/params.py.")


def exit_on_disagreements(problems: list[str]) -> None:
    """Print each answer that differs between two ways of asking; exit 1 if there is one."""
    for line in problems:
        print("DISAGREE", line)
    if problems:
        raise SystemExit(1)
