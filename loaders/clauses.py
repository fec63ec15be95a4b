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


def complement(verb: Token) -> Token | None:
    """What the verb says or commits to: its clausal complement, else its object."""
    for dep in COMPLEMENTS:
        for child in verb.children:
            if child.dep_ == dep and child.lower_ not in PRONOUN_OBJECTS and child.i > verb.i:
                return child
    return None


def clause_extent(verb: Token, first: Token) -> tuple[int, int]:
    """Token range [first, end) of the verb's clause from `first` on, before its next clause."""
    end = verb.right_edge.i + 1
    for child in verb.children:
        if child.i > first.i and child.dep_ in OTHER_CLAUSES and child.pos_ in ("VERB", "AUX"):
            end = min(end, child.left_edge.i)
        if child.i > first.i and child.dep_ == "cc" and any(
            c.dep_ == "conj" and c.pos_ == "VERB" and c.i > child.i for c in verb.children
        ):
            end = min(end, child.i)
    return first.left_edge.i if first.left_edge.i > verb.i else first.i, end


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
    inside = quoted_chars(sentence.doc.text)
    chars = range(span.start_char, span.end_char)
    letters = [i for i in chars if not sentence.doc.text[i].isspace()]
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
