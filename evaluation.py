"""Scoring the loaders against gold annotations: `bilat evaluate GOLD_DIR`.

A gold folder holds communiqués `NAME.txt`, each with its annotation `NAME.gold.json`
(../shared/corpus/GOLD-FORMAT.md). Every communiqué is extracted by the real loader into a
fresh in-memory store, read back by SPARQL through the ontology contract only
(queries/evaluation/*.rq), and compared with its gold layer by layer with the matching
rules of GOLD-FORMAT.md ("How a scorer matches"). Gold and extracted items are paired
one to one, the closest pairs first; precision, recall and F1 are summed over the corpus
per layer and micro-averaged over all layers.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pyoxigraph import NamedNode

from bilat.graph import Store

QUERIES = Path(__file__).parent / "queries" / "evaluation"
LAYERS = ("actors", "statements", "events", "follows", "commitments", "topics")
ACTOR_TYPES = ("Person", "Country", "Government", "Organization")
EVENT_KINDS = ("Call", "Meeting", "Summit", "Visit", "Signing")
# Types of one family match each other: a Government is a kind of organization
# (schema:GovernmentOrganization), so gold and loader may type a state body either way.
TYPE_FAMILY = {"Person": "person", "Country": "country",
               "Government": "organization", "Organization": "organization"}
# The extracted kinds a gold event kind accepts: a Summit is a kind of Meeting.
ACCEPTS = {kind: {kind} for kind in EVENT_KINDS} | {"Meeting": {"Meeting", "Summit"}}
STATEMENT_MIN_F1 = 0.5
COMMITMENT_MIN_F1 = 0.4
GOLD_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
WORD = re.compile(r"\w+")

Item = TypeVar("Item")
Other = TypeVar("Other")


class EvaluationError(Exception):
    """A gold folder or file that cannot be scored; the message is one line."""


# --- what gold and extraction are made of --------------------------------------------------
# The same classes hold both: gold items refer to actors and events by their gold keys,
# extracted items by their IRIs.


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    types: frozenset[str]
    names: frozenset[str]  # normalized label and aliases


@dataclass(frozen=True)
class Statement:
    speakers: frozenset[str]
    claim: str
    sentences: frozenset[str]


@dataclass(frozen=True)
class Event:
    id: str
    kind: str | None
    date: str | None
    status: str | None
    participants: frozenset[str]
    sentences: frozenset[str]


@dataclass(frozen=True)
class Follows:
    later: str
    earlier: str
    sentences: frozenset[str]


@dataclass(frozen=True)
class Commitment:
    by: frozenset[str]
    topics: frozenset[str]
    text: str
    sentences: frozenset[str]


@dataclass(frozen=True)
class Annotation:
    """One communiqué's items, layer by layer (gold, or read back from the store)."""

    actors: tuple[Actor, ...] = ()
    statements: tuple[Statement, ...] = ()
    events: tuple[Event, ...] = ()
    follows: tuple[Follows, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    topics: tuple[str, ...] = ()


# --- scores ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """Counts of one layer; an empty layer with nothing extracted scores 1.0."""

    gold: int = 0
    extracted: int = 0
    matched: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(self.gold + other.gold, self.extracted + other.extracted,
                     self.matched + other.matched)

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else float(self.gold == 0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else float(self.extracted == 0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"gold": self.gold, "extracted": self.extracted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class LayerResult:
    """One layer of one communiqué: its counts and the items left unpaired, described."""

    score: Score
    misses: tuple[str, ...] = ()  # gold items no extracted item matched
    false: tuple[str, ...] = ()  # extracted items that matched no gold item


@dataclass(frozen=True)
class DocumentResult:
    name: str
    layers: dict[str, LayerResult]


@dataclass(frozen=True)
class Evaluation:
    documents: list[DocumentResult] = field(default_factory=list)

    def layer(self, name: str) -> Score:
        """A layer's counts summed over the corpus."""
        return sum((d.layers[name].score for d in self.documents), Score())

    def micro(self) -> Score:
        """All layers' counts summed: the micro-average."""
        return sum((self.layer(name) for name in LAYERS), Score())


# --- matching rules ----------------------------------------------------------------------


def normalize(text: str) -> str:
    """Case folded, accents stripped, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def words(text: str) -> list[str]:
    return WORD.findall(normalize(text))


def token_f1(a: str, b: str) -> float:
    """F1 of the two texts' words (as multisets), after normalization."""
    x, y = Counter(words(a)), Counter(words(b))
    common = sum((x & y).values())
    return 2 * common / (sum(x.values()) + sum(y.values())) if common else 0.0


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def same_sentence(gold: frozenset[str], found: frozenset[str]) -> bool:
    """Whether one of the gold sentences contains, or is contained in, an evidence one."""
    return any(g in f or f in g for g in map(normalize, gold) for f in map(normalize, found))


def actor_matches(gold: Actor, found: Actor) -> bool:
    """Same type family, and a name or alias of one is a name or alias of the other."""
    families = {TYPE_FAMILY[t] for t in gold.types} & {TYPE_FAMILY[t] for t in found.types}
    return bool(families) and bool(gold.names & found.names)


def date_matches(gold: str | None, found: str | None) -> bool:
    """No gold date matches any; a month-only gold date matches any day of that month."""
    if not gold:
        return True
    return found is not None and (found == gold if len(gold) == 10 else found[:7] == gold)


def gold_keys(ids: Iterable[str], keys: dict[str, frozenset[str]]) -> frozenset[str]:
    """The gold actor keys extracted actor IRIs stand for."""
    return frozenset(k for i in ids for k in keys.get(i, ()))


# --- similarity of a candidate pair: None when the rules say they do not match ----------------


def actor_similarity(gold: Actor, found: Actor) -> float | None:
    if not actor_matches(gold, found):
        return None
    return 1 + jaccard(gold.names, found.names) + (normalize(gold.label) in found.names)


def statement_similarity(gold: Statement, found: Statement,
                         keys: dict[str, frozenset[str]]) -> float | None:
    speakers = gold_keys(found.speakers, keys)
    overlap = token_f1(gold.claim, found.claim)
    if not gold.speakers & speakers or overlap < STATEMENT_MIN_F1:
        return None
    return overlap + jaccard(gold.speakers, speakers) / 2 + same_sentence(
        gold.sentences, found.sentences) / 2


def event_similarity(gold: Event, found: Event, keys: dict[str, frozenset[str]]) -> float | None:
    participants = gold_keys(found.participants, keys)
    if (found.kind not in ACCEPTS.get(gold.kind or "", ())
            or not date_matches(gold.date, found.date)
            or (gold.participants and not gold.participants & participants)):
        return None
    return (1 + (gold.kind == found.kind) + (bool(gold.date) and gold.date == found.date)
            + jaccard(gold.participants, participants)
            + same_sentence(gold.sentences, found.sentences))


def follows_similarity(gold: Follows, found: Follows, events: dict[str, str]) -> float | None:
    """Both gold ends are paired with the extracted ends, in the same direction."""
    if events.get(gold.later) != found.later or events.get(gold.earlier) != found.earlier:
        return None
    return 1.0


def commitment_similarity(gold: Commitment, found: Commitment) -> float | None:
    overlap = token_f1(gold.text, found.text)
    if not gold.topics & found.topics or overlap < COMMITMENT_MIN_F1:
        return None
    return overlap + jaccard(gold.topics, found.topics) / 2 + same_sentence(
        gold.sentences, found.sentences) / 2


def topic_similarity(gold: str, found: str) -> float | None:
    return 1.0 if gold == found else None


# --- pairing and scoring -----------------------------------------------------------------


def pair(gold: Sequence[Item], found: Sequence[Other],
         similarity: Callable[[Item, Other], float | None]) -> list[tuple[int, int]]:
    """Pair gold and extracted items one to one, the most similar matching pairs first."""
    candidates = sorted(
        (-score, g, f)
        for g, gold_item in enumerate(gold)
        for f, found_item in enumerate(found)
        if (score := similarity(gold_item, found_item)) is not None
    )
    pairs: list[tuple[int, int]] = []
    used_gold: set[int] = set()
    used_found: set[int] = set()
    for _, g, f in candidates:
        if g not in used_gold and f not in used_found:
            pairs.append((g, f))
            used_gold.add(g)
            used_found.add(f)
    return pairs


def layer_result(gold: Sequence[Item], found: Sequence[Other], pairs: list[tuple[int, int]],
                 describe: Callable[[Any], str]) -> LayerResult:
    """Counts of a layer, and its unpaired items described for --verbose."""
    paired_gold, paired_found = {g for g, _ in pairs}, {f for _, f in pairs}
    return LayerResult(
        Score(len(gold), len(found), len(pairs)),
        misses=tuple(describe(x) for i, x in enumerate(gold) if i not in paired_gold),
        false=tuple(describe(x) for i, x in enumerate(found) if i not in paired_found),
    )


def score_document(name: str, gold: Annotation, found: Annotation) -> DocumentResult:
    """Score one communiqué's extraction against its gold, layer by layer."""
    keys = {
        f.id: frozenset(g.id for g in gold.actors if actor_matches(g, f)) for f in found.actors
    }
    actor_pairs = pair(gold.actors, found.actors, actor_similarity)
    statement_pairs = pair(gold.statements, found.statements,
                           lambda g, f: statement_similarity(g, f, keys))
    event_pairs = pair(gold.events, found.events, lambda g, f: event_similarity(g, f, keys))
    events = {gold.events[g].id: found.events[f].id for g, f in event_pairs}
    follows_pairs = pair(gold.follows, found.follows,
                         lambda g, f: follows_similarity(g, f, events))
    commitment_pairs = pair(gold.commitments, found.commitments, commitment_similarity)
    topic_pairs = pair(gold.topics, found.topics, topic_similarity)
    return DocumentResult(name, {
        "actors": layer_result(gold.actors, found.actors, actor_pairs, describe_actor),
        "statements": layer_result(gold.statements, found.statements, statement_pairs,
                                   describe_statement),
        "events": layer_result(gold.events, found.events, event_pairs, describe_event),
        "follows": layer_result(gold.follows, found.follows, follows_pairs, describe_follows),
        "commitments": layer_result(gold.commitments, found.commitments, commitment_pairs,
                                    describe_commitment),
        "topics": layer_result(gold.topics, found.topics, topic_pairs, str),
    })


# --- descriptions of unpaired items, for --verbose ----------------------------------------


def short(iri: str) -> str:
    """An actor or event named by its key: the last segment of its IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1] if "://" in iri else iri


def keys_of(ids: Iterable[str]) -> str:
    return ", ".join(sorted(short(i) for i in ids)) or "-"


def sentence_of(sentences: frozenset[str]) -> str:
    return " | ".join(sorted(sentences)) or "(no sentence)"


def describe_actor(actor: Actor) -> str:
    return f"{'/'.join(sorted(actor.types)) or '?'} {actor.label!r} ({short(actor.id)})"


def describe_statement(s: Statement) -> str:
    return f"[{keys_of(s.speakers)}] {s.claim!r}\n      in: {sentence_of(s.sentences)}"


def describe_event(e: Event) -> str:
    return (f"{e.kind or '?'} {e.date or 'undated'} {e.status or ''} ({short(e.id)})"
            f" with [{keys_of(e.participants)}]\n      in: {sentence_of(e.sentences)}")


def describe_follows(f: Follows) -> str:
    return f"{short(f.later)} follows {short(f.earlier)}\n      in: {sentence_of(f.sentences)}"


def describe_commitment(c: Commitment) -> str:
    return (f"[{keys_of(c.by)}] on {keys_of(c.topics)}: {c.text!r}"
            f"\n      in: {sentence_of(c.sentences)}")


# --- reading the gold --------------------------------------------------------------------


def gold_files(folder: Path) -> list[tuple[Path, Path]]:
    """Every (NAME.txt, NAME.gold.json) pair in a folder, in name order."""
    if not folder.is_dir():
        raise EvaluationError(f"{folder} is not a folder")
    pairs = [(text, text.with_name(f"{text.stem}.gold.json"))
             for text in sorted(folder.glob("*.txt"))]
    pairs = [(text, gold) for text, gold in pairs if gold.is_file()]
    if not pairs:
        raise EvaluationError(f"no NAME.txt with a NAME.gold.json beside it in {folder}")
    return pairs


def read_gold(path: Path) -> Annotation:
    """Read a gold file; anything malformed raises EvaluationError with a one-line reason."""
    try:
        return gold_annotation(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = str(error).splitlines()[0]
    except KeyError as error:
        reason = f"missing field {error}"
    except (TypeError, ValueError, AttributeError) as error:
        reason = str(error).splitlines()[0] or type(error).__name__
    raise EvaluationError(f"{path.name}: malformed gold annotation: {reason}")


def gold_annotation(data: dict[str, Any]) -> Annotation:
    """The gold JSON object as an Annotation (raises KeyError/TypeError/ValueError)."""
    if not isinstance(data, dict):
        raise TypeError("the file is not a JSON object")
    return Annotation(
        actors=tuple(gold_actor(a) for a in data.get("actors", [])),
        statements=tuple(
            Statement(strings(s, "speakers"), string(s, "claim"), sentences(s))
            for s in data.get("statements", [])),
        events=tuple(gold_event(e) for e in data.get("events", [])),
        follows=tuple(
            Follows(string(f, "later"), string(f, "earlier"), sentences(f))
            for f in data.get("follows", [])),
        commitments=tuple(
            Commitment(strings(c, "by"), strings(c, "topics"), string(c, "text"), sentences(c))
            for c in data.get("commitments", [])),
        topics=tuple(dict.fromkeys(strings(data, "topics", required=False))),
    )


def string(item: dict[str, Any], name: str) -> str:
    """A required text field of a gold item."""
    if not isinstance(item[name], str):
        raise TypeError(f"{name!r} must be a string, not {item[name]!r}")
    return item[name]


def strings(item: dict[str, Any], name: str, required: bool = True) -> frozenset[str]:
    """A list-of-keys field of a gold item, as a set."""
    value = item[name] if required else item.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name!r} must be a list of strings, not {value!r}")
    return frozenset(value)


def sentences(item: dict[str, Any]) -> frozenset[str]:
    return frozenset([string(item, "sentence")] if item.get("sentence") else [])


def gold_actor(a: dict[str, Any]) -> Actor:
    if a["type"] not in ACTOR_TYPES:
        raise ValueError(f"actor {a['key']}: type {a['type']!r} is not one of {ACTOR_TYPES}")
    names = [string(a, "name"), *strings(a, "aliases", required=False)]
    return Actor(string(a, "key"), a["name"], frozenset([a["type"]]),
                 frozenset(map(normalize, names)))


def gold_event(e: dict[str, Any]) -> Event:
    if e["type"] not in EVENT_KINDS:
        raise ValueError(f"event {e['key']}: type {e['type']!r} is not one of {EVENT_KINDS}")
    date = e.get("date")
    if date is not None and not (isinstance(date, str) and GOLD_DATE.fullmatch(date)):
        raise ValueError(f"event {e['key']}: date {date!r} is not YYYY-MM-DD, YYYY-MM or null")
    return Event(string(e, "key"), e["type"], date, e.get("status"),
                 strings(e, "participants", required=False), sentences(e))


# --- reading the extraction back from the store ---------------------------------------------


def select(store: Store, name: str, communique: NamedNode) -> list[dict[str, str]]:
    """Run queries/evaluation/NAME.rq for one communiqué; rows of the bound values."""
    result = store.query((QUERIES / f"{name}.rq").read_text(encoding="utf-8"),
                         {"communique": communique})
    variables = [v.value for v in result.variables]
    return [{v: row[v].value for v in variables if row[v] is not None} for row in result]


def grouped(rows: list[dict[str, str]], *by: str) -> dict[tuple[str, ...], list[dict[str, str]]]:
    """Rows grouped by the values of some variables, in first-seen order."""
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[name] for name in by), []).append(row)
    return groups


def values(rows: list[dict[str, str]], name: str) -> frozenset[str]:
    return frozenset(row[name] for row in rows if name in row)


def one(rows: list[dict[str, str]], name: str) -> str | None:
    """A variable's value when all rows agree (the smallest, deterministically, if not)."""
    return min(values(rows, name), default=None)


def local_name(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1] if iri else None


def read_extraction(store: Store, communique: NamedNode) -> Annotation:
    """What the loader extracted for one communiqué, through the ontology contract."""
    return Annotation(
        actors=tuple(
            Actor(iri, one(rows, "label") or short(iri),
                  frozenset(map(local_name, values(rows, "type"))),
                  frozenset(map(normalize, values(rows, "label") | values(rows, "alias"))))
            for (iri,), rows in grouped(select(store, "actors", communique), "actor").items()),
        statements=tuple(
            Statement(values(rows, "speaker"), one(rows, "text") or "", values(rows, "sentence"))
            for rows in grouped(select(store, "statements", communique), "claim").values()),
        events=tuple(
            Event(iri, local_name(one(rows, "kind")), one(rows, "date"),
                  local_name(one(rows, "status")), values(rows, "participant"),
                  values(rows, "sentence"))
            for (iri,), rows in grouped(select(store, "events", communique), "event").items()),
        follows=tuple(
            Follows(later, earlier, values(rows, "sentence"))
            for (later, earlier), rows
            in grouped(select(store, "follows", communique), "later", "earlier").items()),
        commitments=tuple(
            Commitment(values(rows, "actor"), values(rows, "topic"), one(rows, "text") or "",
                       values(rows, "sentence"))
            for rows in grouped(select(store, "commitments", communique), "commitment").values()),
        topics=tuple(row.get("topic", row["concept"])
                     for row in select(store, "topics", communique)),
    )


def extract(path: Path) -> Annotation:
    """Load one communiqué with the real loader into a fresh in-memory store, read it back."""
    from bilat.loaders import ReadError, load_file

    try:
        loaded = load_file(path)
    except ReadError as error:
        raise EvaluationError(f"{path.name}: {error}") from error
    with Store() as store:
        store.load_vocabulary()
        store.replace_graph(loaded.graph, loaded.quads)
        return read_extraction(store, loaded.graph)


def evaluate_folder(folder: Path) -> Evaluation:
    """Score every communiqué of a gold folder; every gold file is checked before loading."""
    files = [(text, read_gold(gold)) for text, gold in gold_files(folder)]
    return Evaluation([score_document(text.name, gold, extract(text)) for text, gold in files])


# --- reports -----------------------------------------------------------------------------


def table(evaluation: Evaluation) -> str:
    """Per-layer counts and scores over the corpus, and their micro-average."""
    rows = [(name, evaluation.layer(name)) for name in LAYERS]
    lines = [f"{'layer':<12} {'gold':>5} {'extracted':>9} {'matched':>7} "
             f"{'P':>6} {'R':>6} {'F1':>6}"]
    for name, s in [*rows, ("micro", evaluation.micro())]:
        lines.append(f"{name:<12} {s.gold:>5} {s.extracted:>9} {s.matched:>7} "
                     f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}")
    lines.append(f"({len(evaluation.documents)} communiqués)")
    return "\n".join(lines)


def details(evaluation: Evaluation) -> str:
    """Per communiqué, every gold item missed and every false extraction."""
    lines: list[str] = []
    for doc in evaluation.documents:
        lines.append(f"== {doc.name}")
        for name in LAYERS:
            layer = doc.layers[name]
            lines += [f"  {name} miss: {item}" for item in layer.misses]
            lines += [f"  {name} false: {item}" for item in layer.false]
    return "\n".join(lines)


def as_json(evaluation: Evaluation, verbose: bool = False) -> dict[str, Any]:
    """The scores as a JSON-ready dict; with verbose, the misses and false extractions."""
    def document(doc: DocumentResult) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": doc.name,
            "layers": {name: doc.layers[name].score.as_dict() for name in LAYERS},
        }
        if verbose:
            out["misses"] = {name: list(doc.layers[name].misses) for name in LAYERS}
            out["false"] = {name: list(doc.layers[name].false) for name in LAYERS}
        return out

    return {
        "layers": {name: evaluation.layer(name).as_dict() for name in LAYERS},
        "micro": evaluation.micro().as_dict(),
        "documents": [document(doc) for doc in evaluation.documents],
    }
