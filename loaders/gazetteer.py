"""The actor gazetteer: countries, governments, organizations, offices and people.

The data lives in `data/gazetteer.yaml` (a file a researcher reads and edits; its header
says how). This module reads it once per process, checks its cross-references, and
answers the questions the loaders ask:

- which surface forms name which actor (for the spaCy EntityRuler),
- which country a demonym points to,
- which offices a title such as "la presidenta" or "the Foreign Secretary" can mean,
  and who held them on a given day,
- which gazetteer actor a name found by NER stands for (exact, then fuzzy on people).

Names are compared after `fold`: case folding, accents stripped, punctuation dropped or
turned into spaces, white space collapsed ("EE.UU." and "EEUU" fold alike).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

DATA = Path(__file__).parent / "data" / "gazetteer.yaml"
LANGS = ("en", "es")
ACTOR_IRI = "https://w3id.org/bilat/id/actor/"
ACTOR_TYPES = ("Person", "Country", "Government", "Organization")
FUZZY_CUTOFF = 90  # rapidfuzz token_set_ratio (../shared/NLP.md)
MIN_FUZZY_LETTERS = 4  # never fuzzy-match shorter strings ("EU", "Lee")

# words at the edges of a title that carry no meaning of their own
EDGE_WORDS = frozenset(
    "the a an of s and mr mrs ms dr sir".split()
    + "el la los las lo un una de del al y e sr sra don dona".split()
)
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
CODE_RE = re.compile(r"^[A-Z]{3}$")


def fold(text: str) -> str:
    """Case-fold, strip accents and punctuation, collapse white space."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace(".", "")
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


# --- the records ----------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """A country, a government, an organization or a person."""

    key: str
    type: str  # one of ACTOR_TYPES
    names: Mapping[str, str] = field(hash=False)  # lang -> preferred label
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    country: str | None = None  # the country actor's key ("mex"), for all but countries
    wikidata: str | None = None
    code: str | None = None  # ISO 3166-1 alpha-3, countries only

    @property
    def iri(self) -> str:
        return ACTOR_IRI + self.key

    def label(self, lang: str | None = None) -> str:
        """The preferred name in `lang`, else in English, else any."""
        return (
            self.names.get(lang or "en") or self.names.get("en") or next(iter(self.names.values()))
        )

    def forms(self, lang: str) -> list[str]:
        """The name and aliases in `lang`, name first, without repeats."""
        return _unique([self.names.get(lang, ""), *self.aliases.get(lang, ())])

    @classmethod
    def unknown(cls, key: str, type: str, name: str) -> Actor:
        """An actor found in a text but absent from the gazetteer."""
        return cls(key=key, type=type, names={lang: name for lang in LANGS})


@dataclass(frozen=True)
class Tenure:
    """One person's term in an office; `end` is None while in office (both days included)."""

    person: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Office:
    """A role ("Secretary of State of the United States") and who held it when."""

    key: str
    titles: Mapping[str, str] = field(hash=False)  # lang -> title
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    holders: tuple[Tenure, ...] = ()
    # the generic titles of the office's kind ("canciller", "Foreign Minister")
    generic: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    country: str | None = None  # country actor key, None for international offices
    organization: str | None = None  # organization actor key, for offices of a body
    kind: str | None = None  # e.g. "foreign-minister": shares that kind's generic titles

    def title(self, lang: str | None = None) -> str:
        return (
            self.titles.get(lang or "en")
            or self.titles.get("en")
            or next(iter(self.titles.values()))
        )

    def forms(self, lang: str) -> list[str]:
        """Title, own aliases, then the kind's generic titles, without repeats."""
        return _unique([*self.own_forms(lang), *self.generic.get(lang, ())])

    def own_forms(self, lang: str) -> list[str]:
        return _unique([self.titles.get(lang, ""), *self.aliases.get(lang, ())])

    def holder_on(self, day: date) -> str | None:
        """The person key holding the office on `day`; on a hand-over day, the newcomer."""
        current = [t for t in self.holders if t.covers(day)]
        return max(current, key=lambda t: t.start).person if current else None


# --- the gazetteer --------------------------------------------------------------------


class Gazetteer:
    """All actors and offices, with the indexes the loaders query."""

    def __init__(
        self,
        actors: Iterable[Actor],
        offices: Iterable[Office],
        demonyms: Mapping[str, Mapping[str, str]],
        generic: Mapping[str, Mapping[str, tuple[str, ...]]],
        title_modifiers: Mapping[str, Iterable[str]],
    ):
        self._actors = {a.key: a for a in actors}
        self._offices = {o.key: o for o in offices}
        self._office_forms_cache: dict[str, dict[str, list[str]]] = {}
        self._demonyms = {lang: dict(d) for lang, d in demonyms.items()}
        self._generic = generic  # org key -> lang -> forms that name it only in context
        self._modifiers = {fold(w) for words in title_modifiers.values() for w in words}
        self._exact: dict[str, dict[str, set[str]]] = {}  # folded form -> lang -> keys
        for actor in self._actors.values():
            for lang in LANGS:
                for form in actor.forms(lang):
                    self._exact.setdefault(fold(form), {}).setdefault(lang, set()).add(actor.key)
        self._person_forms = {
            fold(form): a.key
            for a in self._actors.values()
            if a.type == "Person"
            for lang in LANGS
            for form in a.forms(lang)
            if len(fold(form).replace(" ", "")) >= MIN_FUZZY_LETTERS
        }
        self._surnames = {
            word: key
            for form, key in self._person_forms.items()
            for word in form.split()[1:]
            if len(word) >= MIN_FUZZY_LETTERS and word not in EDGE_WORDS
        }
        self._title_words = self._collect_title_words()

    # --- lookups by key ---------------------------------------------------------------

    def actor(self, key: str) -> Actor:
        try:
            return self._actors[key]
        except KeyError:
            raise KeyError(f"no actor {key!r} in the gazetteer") from None

    def has(self, key: str) -> bool:
        return key in self._actors

    def actors(self, type: str | None = None) -> list[Actor]:
        return [a for a in self._actors.values() if type is None or a.type == type]

    def office(self, key: str) -> Office:
        return self._offices[key]

    def offices(self) -> list[Office]:
        return list(self._offices.values())

    # --- what the loaders ask -----------------------------------------------------------

    def surface_forms(self, lang: str) -> list[tuple[str, str]]:
        """(form, actor key) for every name and alias in `lang`; no demonyms, no titles."""
        return [(form, a.key) for a in self._actors.values() for form in a.forms(lang)]

    def demonyms(self, lang: str) -> dict[str, str]:
        """Lower-case demonym ("mexicanas", "British") -> country key."""
        return dict(self._demonyms.get(lang, {}))

    def offices_titled(self, title: str, lang: str) -> list[Office]:
        """The offices a title can mean ("el canciller", "the French president").

        Case and accents do not matter. A country named in the title ("primer ministro de
        Canadá", "ministra canadiense") keeps only that country's offices. A title naming
        another time ("former", "electo", "designado", "ex", "entonces") matches nothing:
        its holder is not the one in office on the day.
        """
        offices = self._titled(title, lang, self._office_forms(lang), self._offices)
        # an office's own alias is a stronger claim than its kind's generic title
        # ("canciller" is first the Mexican secretary's word, then any foreign minister's)
        words = _trim(fold(title))
        return sorted(offices, key=lambda o: not _names_own(o, lang, words))

    def organizations_called(self, name: str, lang: str) -> list[Actor]:
        """Organizations a generic name can mean ("la Cancillería", "the Foreign Ministry")."""
        forms = {
            key: [fold(f) for f in by_lang.get(lang, ())] for key, by_lang in self._generic.items()
        }
        orgs = {key: self._actors[key] for key in forms}
        return self._titled(name, lang, forms, orgs)

    def roles_of(self, person: str, day: date) -> list[Office]:
        """The offices `person` held on `day`."""
        return [
            o
            for o in self._offices.values()
            if any(t.person == person and t.covers(day) for t in o.holders)
        ]

    def find(self, name: str, lang: str | None = None) -> Actor | None:
        """The gazetteer actor a name stands for, or None when unknown or ambiguous.

        First an exact match (after `fold`, with or without leading articles) on names and
        aliases, preferring `lang`'s forms ("EU" is the United States in Spanish, the European
        Union in English); then, for people only, the same after dropping leading titles
        ("Secretary Rubio", "la presidenta Sheinbaum"), then a fuzzy match on their names
        (token_set_ratio >= 90, a lone word only against surnames), never for fewer than four
        letters.
        """
        folded = fold(name)
        if not folded:
            return None
        key = self._exact_key(folded, lang) or self._exact_key(_trim(folded), lang)
        if key is None:  # from here on, only people: "primer ministro de Canadá" is no country
            stripped = self._strip_titles(folded)
            key = self._exact_key(stripped, lang) if stripped != folded else None
            if key is None or self._actors[key].type != "Person":
                key = self._fuzzy_person(stripped)
        return self._actors[key] if key else None

    # --- internals ---------------------------------------------------------------------

    def _exact_key(self, folded: str, lang: str | None) -> str | None:
        by_lang = self._exact.get(folded, {})
        if lang and by_lang.get(lang):
            keys = by_lang[lang]
        else:
            keys = set().union(*by_lang.values()) if by_lang else set()
        return next(iter(keys)) if len(keys) == 1 else None

    def _strip_titles(self, folded: str) -> str:
        words = folded.split()
        while len(words) > 1 and words[0] in self._title_words:
            words = words[1:]
        return " ".join(words)

    def _fuzzy_person(self, query: str) -> str | None:
        if len(query.replace(" ", "")) < MIN_FUZZY_LETTERS:
            return None
        # a lone word is a surname, never a first name ("Juan", "Mark")
        choices, scorer = (
            (self._surnames, fuzz.ratio) if " " not in query
            else (self._person_forms, fuzz.token_set_ratio)
        )
        hits = process.extract(
            query, list(choices), scorer=scorer, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        if not hits:
            return None
        best = max(score for _, score, _ in hits)
        keys = {choices[form] for form, score, _ in hits if score == best}
        return keys.pop() if len(keys) == 1 else None

    def _office_forms(self, lang: str) -> dict[str, list[str]]:
        # folded once per language: title look-ups happen on every subject of every sentence
        if lang not in self._office_forms_cache:
            self._office_forms_cache[lang] = {
                key: [fold(f) for f in o.forms(lang)] for key, o in self._offices.items()
            }
        return self._office_forms_cache[lang]

    def _country_mentions(self, lang: str) -> list[tuple[str, str]]:
        """(folded form, country key) for country names, aliases and demonyms, longest first."""
        pairs = {
            (fold(form), a.key)
            for a in self._actors.values()
            if a.type == "Country"
            for form in a.forms(lang)
        }
        pairs |= {(fold(d), key) for d, key in self._demonyms.get(lang, {}).items()}
        return sorted(pairs, key=lambda p: -len(p[0]))

    def _titled(
        self, text: str, lang: str, forms_by_key: Mapping[str, list[str]], records: Mapping
    ) -> list:
        """Records whose forms best fit `text` (see `_match`), kept to the countries it names."""
        words = fold(text).split()
        if any(self._is_modifier(w) for w in words):
            return []
        padded = f" {' '.join(words)} "
        countries = set()
        for form, key in self._country_mentions(lang):
            if form and f" {form} " in padded:
                countries.add(key)
                padded = padded.replace(f" {form} ", " ")
        whole = _trim(" ".join(words))
        rest = _trim(padded)
        best: tuple[int, int] = (0, 0)
        found: list[str] = []
        for key, forms in forms_by_key.items():
            score = max((_match(f, whole, rest) for f in forms if f), default=(0, 0))
            if score > best:
                best, found = score, [key]
            elif score == best and score > (0, 0):
                found.append(key)
        matches = [records[k] for k in found]
        if countries:
            matches = [m for m in matches if m.country in countries]
        return matches

    def _is_modifier(self, word: str) -> bool:
        if word in self._modifiers:
            return True
        return word.startswith("ex") and word[2:] in self._title_words and len(word) > 4

    def _collect_title_words(self) -> frozenset[str]:
        words = set(EDGE_WORDS) | self._modifiers
        for office in self._offices.values():
            for lang in LANGS:
                for form in office.forms(lang):
                    words.update(fold(form).split())
        for lang in LANGS:
            for form, _ in self._country_mentions(lang):
                words.update(form.split())
        words.update(fold(w) for w in HONORIFICS)
        return frozenset(words)


HONORIFICS = "señor señora doña don sir dame his her majesty excellency".split()


def _names_own(office: Office, lang: str, words: str) -> bool:
    """Whether one of the office's own forms occurs in the (folded, trimmed) title."""
    return any(f" {fold(f)} " in f" {words} " for f in office.own_forms(lang))


def _trim(text: str) -> str:
    words = text.split()
    while words and words[0] in EDGE_WORDS:
        words = words[1:]
    while words and words[-1] in EDGE_WORDS:
        words = words[:-1]
    return " ".join(words)


def _match(form: str, whole: str, rest: str) -> tuple[int, int]:
    """How well a title form fits: (3, n) same as the text, (2, n) same once the country is
    removed, (1, n) contained in it; n is the form's length in words (longer wins)."""
    n = len(form.split())
    if form == whole:
        return (3, n)
    if form == rest:
        return (2, n)
    if f" {form} " in f" {rest} ":
        return (1, n)
    return (0, 0)


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        folded = fold(item) if item else ""
        if folded and folded not in seen:
            seen.add(folded)
            out.append(item)
    return out


# --- reading the YAML -----------------------------------------------------------------


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer in `path` (default: data/gazetteer.yaml), read once per process."""
    return _load(Path(path or DATA).resolve())


@cache
def _load(path: Path) -> Gazetteer:
    with path.open(encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not valid YAML: {error}") from error
    return _Reader(data, str(path)).gazetteer()


SECTIONS = {"office_kinds", "title_modifiers", "countries", "organizations", "offices", "people"}
FIELDS = {
    "countries": {
        "key",
        "code",
        "wikidata",
        "name",
        "aliases",
        "capital",
        "demonyms",
        "government",
    },
    "government": {"name", "aliases"},
    "organizations": {"key", "country", "wikidata", "name", "aliases", "generic"},
    "offices": {"key", "country", "organization", "kind", "title", "aliases", "holders"},
    "holders": {"person", "from", "until"},
    "people": {"key", "name", "wikidata", "country", "aliases"},
}


class _Reader:
    """Turns the parsed YAML into records, raising ValueError naming the faulty entry."""

    def __init__(self, data: Any, source: str):
        self.source = source
        if not isinstance(data, dict):
            self.fail("the file", "must be a mapping with sections " + ", ".join(sorted(SECTIONS)))
        unknown = set(data) - SECTIONS
        if unknown:
            self.fail("the file", f"unknown sections {sorted(unknown)}")
        self.data = data
        self.codes: dict[str, str] = {}  # ISO code -> country key

    def fail(self, where: str, problem: str):
        raise ValueError(f"{self.source}: {where}: {problem}")

    def gazetteer(self) -> Gazetteer:
        kinds = self.section("office_kinds", dict)
        actors: list[Actor] = []
        demonyms: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        for entry in self.section("countries", list):
            actors.extend(self.country(entry, demonyms))
        generic: dict[str, dict[str, tuple[str, ...]]] = {}
        for entry in self.section("organizations", list):
            actor = self.organization(entry)
            actors.append(actor)
            if entry.get("generic"):
                generic[actor.key] = self.texts(entry["generic"], f"organization {actor.key!r}")
        people = [self.person(entry) for entry in self.section("people", list)]
        actors.extend(people)
        self.check_keys(actors)
        known_orgs = {a.key for a in actors if a.type == "Organization"}
        offices = [
            self.office(e, kinds, {p.key for p in people}, known_orgs)
            for e in self.section("offices", list)
        ]
        self.check_unique([o.key for o in offices], "office")
        self.check_forms(actors)
        modifiers = self.texts(self.data.get("title_modifiers") or {}, "title_modifiers")
        return Gazetteer(actors, offices, demonyms, generic, modifiers)

    # --- sections ----------------------------------------------------------------------

    def section(self, name: str, kind: type) -> Any:
        value = self.data.get(name) or kind()
        if not isinstance(value, kind):
            self.fail(name, f"must be a {'list' if kind is list else 'mapping'}")
        return value

    def entry(self, entry: Any, section: str) -> str:
        """Check an entry's shape and return its key."""
        key = entry.get("key") if isinstance(entry, dict) else None
        where = f"{section} entry {key or entry!r}"
        if not isinstance(entry, dict):
            self.fail(where, "must be a mapping")
        if not isinstance(key, str) or not KEY_RE.match(key):
            self.fail(where, "needs a `key` of lower-case words joined by hyphens")
        unknown = set(entry) - FIELDS[section]
        if unknown:
            self.fail(
                where, f"unknown fields {sorted(unknown)} (allowed: {sorted(FIELDS[section])})"
            )
        wikidata = entry.get("wikidata")
        if wikidata is not None and not (isinstance(wikidata, str) and WIKIDATA_RE.match(wikidata)):
            self.fail(where, f"`wikidata` {wikidata!r} is not a Wikidata id like Q96")
        return key

    def country(self, entry: Any, demonyms: dict[str, dict[str, str]]) -> list[Actor]:
        key = self.entry(entry, "countries")
        where = f"country {key!r}"
        code = entry.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            self.fail(where, "needs a `code`: ISO 3166-1 alpha-3, like MEX")
        if code in self.codes:
            self.fail(where, f"code {code} is already used by {self.codes[code]!r}")
        self.codes[code] = key
        names = self.names(entry.get("name"), where, both=True)
        aliases = self.texts(entry.get("aliases") or {}, where)
        capital = self.names(entry.get("capital") or {}, where) if entry.get("capital") else {}
        aliases = {
            lang: (*aliases.get(lang, ()), *(c for c in [capital.get(lang)] if c)) for lang in LANGS
        }
        for lang, words in self.texts(entry.get("demonyms") or {}, where).items():
            for word in words:
                other = demonyms[lang].setdefault(word.lower(), key)
                if other != key:
                    self.fail(where, f"demonym {word!r} ({lang}) is already {other!r}'s")
        country = Actor(key, "Country", names, aliases, None, entry.get("wikidata"), code)
        return [country, self.government(entry, country)]

    def government(self, entry: dict, country: Actor) -> Actor:
        where = f"country {country.key!r}, government"
        spec = entry.get("government") or {}
        if not isinstance(spec, dict) or set(spec) - FIELDS["government"]:
            self.fail(where, f"must be a mapping with {sorted(FIELDS['government'])}")
        en, es = country.names["en"], country.names["es"]
        names = {"en": f"Government of {en}", "es": f"Gobierno de {es}"}
        if spec.get("name"):
            names.update(self.names(spec["name"], where))
        own = self.texts(spec.get("aliases") or {}, where)
        demonyms = self.texts(entry.get("demonyms") or {}, where)
        dem = {lang: next(iter(demonyms.get(lang, ())), None) for lang in LANGS}
        made = {
            "en": [
                f"Government of {en}",
                f"government of {en}",
                f"{en} government",
                f"{en}'s government",
            ],
            "es": [f"Gobierno de {es}", f"gobierno de {es}"],
        }
        if dem["en"]:
            made["en"] += [f"{dem['en']} government", f"{dem['en']} Government"]
        if dem["es"]:
            made["es"] += [f"gobierno {dem['es']}", f"Gobierno {dem['es']}"]
        aliases = {lang: tuple(_unique([*own.get(lang, ()), *made[lang]])) for lang in LANGS}
        return Actor(f"gov-{country.key}", "Government", names, aliases, country.key)

    def organization(self, entry: Any) -> Actor:
        key = self.entry(entry, "organizations")
        where = f"organization {key!r}"
        names = self.names(entry.get("name"), where)
        aliases = self.texts(entry.get("aliases") or {}, where)
        country = self.country_key(entry.get("country"), where) if entry.get("country") else None
        return Actor(key, "Organization", names, aliases, country, entry.get("wikidata"))

    def person(self, entry: Any) -> Actor:
        key = self.entry(entry, "people")
        where = f"person {key!r}"
        names = self.names(entry.get("name"), where)
        aliases = self.texts(entry.get("aliases") or [], where)
        country = self.country_key(entry.get("country"), where) if entry.get("country") else None
        return Actor(key, "Person", names, aliases, country, entry.get("wikidata"))

    def office(self, entry: Any, kinds: dict, people: set[str], orgs: set[str]) -> Office:
        key = self.entry(entry, "offices")
        where = f"office {key!r}"
        titles = self.names(entry.get("title"), where)
        own = self.texts(entry.get("aliases") or {}, where)
        kind = entry.get("kind")
        generic: dict[str, tuple[str, ...]] = {}
        if kind is not None:
            if kind not in kinds:
                self.fail(where, f"unknown kind {kind!r} (office_kinds has {sorted(kinds)})")
            generic = self.texts(kinds[kind], f"office_kinds {kind!r}")
        country = self.country_key(entry.get("country"), where) if entry.get("country") else None
        org = entry.get("organization")
        if org is not None and org not in orgs:
            self.fail(where, f"unknown organization {org!r}")
        holders = tuple(self.tenure(h, where, people) for h in entry.get("holders") or [])
        return Office(key, titles, own, holders, generic, country, org, kind)

    def tenure(self, holder: Any, where: str, people: set[str]) -> Tenure:
        if not isinstance(holder, dict) or set(holder) - FIELDS["holders"]:
            self.fail(where, f"each holder is a mapping of {sorted(FIELDS['holders'])}: {holder!r}")
        person, start, end = holder.get("person"), holder.get("from"), holder.get("until")
        if person not in people:
            self.fail(where, f"holder {person!r} is not in `people`")
        if not isinstance(start, date) or (end is not None and not isinstance(end, date)):
            self.fail(where, f"holder {person!r}: `from` and `until` must be dates (YYYY-MM-DD)")
        if end is not None and end < start:
            self.fail(where, f"holder {person!r}: `until` {end} is before `from` {start}")
        return Tenure(person, start, end)

    # --- values --------------------------------------------------------------------------

    def names(self, value: Any, where: str, both: bool = False) -> dict[str, str]:
        """A name: one string for every language, or {en: ..., es: ...}."""
        if isinstance(value, str) and value.strip():
            return {lang: value.strip() for lang in LANGS}
        if isinstance(value, dict) and value and set(value) <= set(LANGS):
            if all(isinstance(v, str) and v.strip() for v in value.values()):
                if both and set(value) != set(LANGS):
                    self.fail(where, "needs a name in both en and es")
                first = next(iter(value.values()))
                return {lang: str(value.get(lang, first)).strip() for lang in LANGS}
        self.fail(where, f"a name must be a string or {{en: ..., es: ...}}, not {value!r}")

    def texts(self, value: Any, where: str) -> dict[str, tuple[str, ...]]:
        """Forms: a flat list (for every language) or {en: [...], es: [...]}."""
        if isinstance(value, list):
            value = {lang: value for lang in LANGS}
        if not isinstance(value, dict) or set(value) - set(LANGS):
            self.fail(where, f"expected a list or {{en: [...], es: [...]}}, not {value!r}")
        out = {}
        for lang, forms in value.items():
            if not isinstance(forms, list) or not all(
                isinstance(f, str) and f.strip() for f in forms
            ):
                self.fail(where, f"{lang} forms must be a list of strings, not {forms!r}")
            out[lang] = tuple(f.strip() for f in forms)
        return out

    def country_key(self, value: Any, where: str) -> str:
        """A country reference: its ISO code (MEX) or its key (mex)."""
        if isinstance(value, str):
            if value in self.codes:
                return self.codes[value]
            if value in self.codes.values():
                return value
        self.fail(where, f"unknown country {value!r} (use a code from `countries`, like MEX)")

    def check_keys(self, actors: list[Actor]) -> None:
        self.check_unique([a.key for a in actors], "actor")

    def check_unique(self, keys: list[str], what: str) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                self.fail(f"{what} {key!r}", "the key is used twice")
            seen.add(key)

    def check_forms(self, actors: list[Actor]) -> None:
        """A name or alias may stand for one actor only in a given language."""
        owner: dict[tuple[str, str], str] = {}
        for actor in actors:
            for lang in LANGS:
                for form in actor.forms(lang):
                    other = owner.setdefault((lang, fold(form)), actor.key)
                    if other != actor.key:
                        self.fail(
                            f"{actor.type.lower()} {actor.key!r}",
                            f"{lang} form {form!r} already names {other!r}",
                        )
