"""Actors: who a communiqué names, and who its subjects, titles and plurals stand for."""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Span, Token

from bilat.loaders.gazetteer import Actor, load_gazetteer
from bilat.loaders.reader import slugify
from bilat.loaders.reading import Reading

PERSON_LABELS = {"PER", "PERSON"}
ORG_LABELS = {"ORG", "MISC"}
GAZETTEER_LABELS = {"Person", "Country", "Government", "Organization"}


class Actors:
    """The actors of one communiqué, found in a first pass over its sentences."""

    def __init__(self, reading: Reading):
        self.reading = reading
        self.gazetteer = load_gazetteer()
        self.words = reading.words
        self.found: dict[str, Actor] = {}  # key -> actor, in order of first mention
        self.by_surname: dict[str, str] = {}
        self.country_counts: Counter[str] = Counter()
        # the persons who took part in the event the communiqué reports, once known:
        # "los secretarios", "the two officials" most often stand for them
        self.main_people: list[str] = []
        self.asked_for_main_people = False  # did a plural or "they" need them?
        # per sentence, the persons named up to its end, the most recent last
        self.people_until: list[list[str]] = []
        self.sentences_of: dict[int, list] = {}  # a paragraph's doc -> its sentences
        people: list[str] = []
        for sentence in reading.sentences:
            for ent in sentence.span.ents:
                key = self.key_of(ent)
                if key:
                    self.note(key)
                    if self.actor(key).type == "Person":
                        people = [p for p in people if p != key] + [key]
            self.people_until.append(people)
            self.sentences_of.setdefault(id(sentence.span.doc), []).append(sentence)

    # --- building the index --------------------------------------------------------

    def key_of(self, ent: Span) -> str | None:
        """The actor key an entity stands for, registering actors the NER finds."""
        if ent.label_ in GAZETTEER_LABELS and ent.ent_id_:
            return ent.ent_id_
        text = ent.text.strip(" ,.;:“”\"'«»")
        if text.lower() in self.words["not_names"] or not text[:1].isupper():
            return None
        if ent.label_ in PERSON_LABELS:
            return self.person_key(text)
        words = [t for t in ent if t.pos_ not in ("DET", "PUNCT")]
        heads = self.words["organization_heads"]
        if ent.label_ in ORG_LABELS and len(words) > 1 and words[0].lemma_.lower() in heads:
            return self.register(Actor.unknown(slugify(text), "Organization", text))
        return None

    def person_key(self, name: str) -> str | None:
        known = self.gazetteer.find(name)
        if known is not None and known.type == "Person":
            return known.key
        if name.lower() in self.by_surname:
            return self.by_surname[name.lower()]
        if not self.looks_like_a_name(name):
            return None

        return self.register(Actor.unknown(slugify(name), "Person", name))

    def looks_like_a_name(self, name: str) -> bool:
        """Two or more capitalised words, none of them a common word of the lexicon."""
        words = name.split()
        particles = {"de", "del", "la", "las", "los", "y", "e", "van", "von", "da", "di", "bin"}
        common = set(self.words["not_name_words"])
        return (
            len(words) >= 2
            and words[-1][:1].isupper()
            and all(w[:1].isupper() or w in particles for w in words)
            and not any(w.lower() in common for w in words)
        )

    def register(self, actor: Actor) -> str:
        self.found.setdefault(actor.key, actor)
        return actor.key

    def note(self, key: str) -> None:
        actor = self.actor(key)
        self.found.setdefault(key, actor)
        if actor.type == "Person":
            self.by_surname.setdefault(actor.label().split()[-1].lower(), key)
        country = actor.key if actor.type == "Country" else actor.country
        if country:
            self.country_counts[country] += 1

    def actor(self, key: str) -> Actor:
        return self.found.get(key) or self.gazetteer.actor(key)

    # --- what the communiqué is about -----------------------------------------------

    def countries(self) -> list[str]:
        """The communiqué's two main countries, most mentioned first."""
        return [key for key, _ in self.country_counts.most_common(2)]

    def governments(self) -> list[str]:
        return [self.government_of(c) for c in self.countries() if self.government_of(c)]

    def government_of(self, country: str) -> str | None:
        key = f"gov-{country}"
        return key if self.gazetteer.has(key) else None

    # --- reading subjects ------------------------------------------------------------

    def in_span(self, span: Span) -> list[str]:
        """Actor keys named inside a span, in text order."""
        keys = []
        for ent in span.ents:
            key = self.key_of(ent)
            if key and key not in keys:
                keys.append(key)
        return keys

    def recent_people(self, head: Token) -> list[str]:
        """The persons named before `head`'s sentence ends, the most recent last."""
        for sentence in self.sentences_of.get(id(head.doc), []):
            if sentence.span.start <= head.i < sentence.span.end:
                return self.people_until[sentence.index]
        return []

    def referents(self, head: Token, when_people: list[str]) -> list[str]:
        """Who a noun phrase headed by `head` stands for: named actors, plurals or titles."""
        span = head.doc[head.left_edge.i : head.right_edge.i + 1]
        named = self.in_span(span)
        groups, titles = self.words["group_nouns"], self.words["person_titles"]
        # the model leaves capitalised nouns unlemmatised ("Gobiernos"); simplemma does not
        lemma = head.lemma_.lower() if head.lemma_.lower() in groups else head.norm_
        group = groups.get(lemma) if is_plural(head) else None
        is_title = not is_plural(head) and (lemma in titles or head.lower_ in titles)
        named_person = any(self.actor(k).type == "Person" for k in named)
        if is_title and not named_person and (holder := self.title_holder(span.text)):
            return [holder]  # "el jefe del Ejecutivo español", not the Ejecutivo it names
        countries = [k for k in named if self.actor(k).type == "Country"]
        if group == "governments" or (group == "people" and named and countries == named):
            # "los gobiernos de México y EE.UU.", "los representantes de ambos países"
            return [g for g in map(self.government_of, countries or self.countries()) if g]
        if named:
            return named
        if group == "countries":
            return self.countries()
        if group == "people":
            self.asked_for_main_people = True
            return when_people or self.main_people or self.recent_people(head)[-2:]
        if is_title:
            return self.recent_people(head)[-1:]
        if head.pos_ == "PRON":  # "he", "she"; "they", "ellos": the people of the main event
            if not is_plural(head):
                return self.recent_people(head)[-1:]
            self.asked_for_main_people = True
            return self.main_people
        return []

    def title_holder(self, title: str) -> str | None:
        """The person who held a title ("la presidenta", "the Secretary") on the day."""
        reading = self.reading
        for office in self.gazetteer.offices_titled(title, reading.communique.language):
            if office.country in self.countries():
                holder = office.holder_on(reading.communique.published)
                if holder:
                    self.note(holder)
                    return holder
        return None


def is_plural(token: Token) -> bool:
    if "Plur" in token.morph.get("Number") or token.tag_ in ("NNS", "NNPS"):
        return True
    # a capitalised plural ("los Gobiernos") comes without morphology from the model
    return token.lower_.endswith("s") and token.norm_ != token.lower_
