"""Reading a clause off the dependency parse: a verb's subject, complement and extent."""

from __future__ import annotations

from spacy.tokens import Span, Token

SUBJECTS = ("nsubj", "nsubj:pass", "nsubjpass", "csubj")
OTHER_CLAUSES = ("conj", "advcl", "parataxis", "dep")
COMPLEMENTS = ("ccomp", "xcomp", "obj", "dobj", "attr", "oprd")
PRONOUN_OBJECTS = {"se", "lo", "la", "le", "les", "los", "las", "it", "this", "that", "what"}
QUOTES = "“”«»\"'‘’"
OPENING = {"“": "”", "«": "»", '"': '"', "‘": "’"}
TRIM = " \t\n,;:.–—-" + QUOTES


def subject(verb: Token) -> Token | None:
    """The verb's own subject, else one it shares with the verb it is coordinated to."""
    for child in verb.children:
        if child.dep_ in SUBJECTS and child.lower_ not in ("que", "which", "who"):
            return child
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.i != verb.i:
        if verb.dep_ != "advcl" or verb.tag_ == "VBG" or "Ger" in verb.morph.get("VerbForm"):
            return subject(verb.head)
    for child in verb.children:  # "A pesar de que EE.UU. reiteró …, expresó …"
        if child.dep_ in ("advcl", "acl") and child.i < verb.i:
            inner = next((c for c in child.children if c.dep_ in SUBJECTS), None)
            if inner is not None:
                return inner
    return None


def is_impersonal(verb: Token) -> bool:
    """ "se reafirmó", "se reconoció": said by nobody named, so by the authors."""
    return any(
        c.lower_ == "se" and c.dep_ in ("obj", "iobj", "expl:pass", "expl:impers", "expl")
        for c in verb.children
    )


def is_negated(verb: Token, negations: list[str]) -> bool:
    """ "no señalaron", "did not say", "Neither leader said"."""
    subj = subject(verb)
    words = [c for c in verb.children if c.dep_ in ("advmod", "neg")]
    if subj is not None:
        words += [c for c in subj.children if c.dep_ in ("det", "advmod", "cc:preconj", "preconj")]
        words.append(subj)
    return any(w.lower_ in negations for w in words)


def is_passive(verb: Token) -> bool:
    """ "was stressed", "fue subrayada"."""
    return any(
        c.dep_ in ("auxpass", "aux:pass", "nsubjpass", "nsubj:pass")
        or (c.dep_ == "aux" and c.lemma_.lower() == "ser")
        for c in verb.children
    )


def agent(verb: Token) -> Token | None:
    """Who did a passive verb: "by both governments", "por ambos gobiernos"."""
    if not is_passive(verb):
        return None
    for child in verb.children:
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
        if any(g.dep_ == "case" and g.lower_ == "por" for g in child.children):
            return child
    return None


def complement(verb: Token) -> Token | None:
    """What the verb says or commits to: its clausal complement, else its object."""
    doer = agent(verb)
    for dep in COMPLEMENTS:
        for child in verb.children:
            if doer is not None and child.i == doer.i:
                continue
            # a clause may come first ("X will do Y, the leaders announced"); an object not
            if child.dep_ == dep and child.lower_ not in PRONOUN_OBJECTS:
                if child.i > verb.i or dep == "ccomp":
                    return child
    return None


def clause_extent(verb: Token, first: Token) -> tuple[int, int]:
    """Token range [start, end) of the verb's clause from `first` on, before its next clause."""
    start = first.left_edge.i if first.left_edge.i > verb.i or first.i < verb.i else first.i
    end = (first.right_edge.i if first.i < verb.i else verb.right_edge.i) + 1
    for head in (verb, first):
        for child in head.children:
            if child.i > first.i and starts_clause(child, inner=head.i == first.i):
                end = min(end, child.left_edge.i)
    while end > start and verb.doc[end - 1].dep_ in ("cc", "punct"):
        end -= 1
    return start, end


def starts_clause(token: Token, inner: bool = False) -> bool:
    """Another clause begins here: a coordinated or adverbial verb (only a coordinated one
    inside the complement), or one after a comma with a subject of its own ("…, the two
    leaders announced")."""
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if token.dep_ in (("conj",) if inner else OTHER_CLAUSES):
        return True
    after_comma = token.left_edge.i > 0 and token.doc[token.left_edge.i - 1].text == ","
    return after_comma and any(c.dep_ in SUBJECTS for c in token.children)


def span_text(doc_span: Span) -> str:
    """The span's text without surrounding punctuation, closing a quotation it opened."""
    text = doc_span.text.strip(TRIM)
    for opener, closer in (("“", "”"), ("«", "»")):
        if text.count(opener) > text.count(closer):
            text += closer
    if text.count('"') % 2:
        text += '"'
    return text


def quoted_share(span: Span, sentence: Span) -> float:
    """How much of `span` lies inside quotation marks in its paragraph."""
    doc = sentence.doc
    if "quoted" not in doc.user_data:  # once per paragraph, not once per claim
        doc.user_data["quoted"] = quoted_chars(doc.text)
    inside = doc.user_data["quoted"]
    text = span.text
    letters = [span.start_char + i for i, c in enumerate(text) if not c.isspace()]
    if not letters:
        return 0.0
    return sum(i in inside for i in letters) / len(letters)


def quoted_chars(text: str) -> set[int]:
    """Offsets inside quotation marks; an opening mark never closed runs to the end."""
    inside: set[int] = set()
    open_at, closer = None, ""
    for i, char in enumerate(text):
        if open_at is None and char in OPENING:
            if char in ("'", "‘") and i > 0 and text[i - 1].isalpha():
                continue  # an apostrophe
            open_at, closer = i, OPENING[char]
        elif open_at is not None and char == closer:
            inside.update(range(open_at + 1, i))
            open_at = None
    if open_at is not None:
        inside.update(range(open_at + 1, len(text)))
    return inside
