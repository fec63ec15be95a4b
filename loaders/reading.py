"""A communiqué run through its language's pipeline: paragraphs, sentences, lexicon."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from spacy.tokens import Span

from bilat.loaders.nlp import Pipeline, pipeline
from bilat.loaders.reader import Communique

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.yaml"
PARAGRAPH = re.compile(r"[^\n]+")
# A paragraph longer than this is parsed in pieces cut where a sentence seems to end. Real
# paragraphs are well under 2,000 characters; the cap keeps every doc far below spaCy's
# nlp.max_length (1,000,000) and the parser's memory flat on a file that is one long line.
MAX_CHUNK = 5_000
SENTENCE_END = re.compile(r"[.!?;:…»\")]\s+")
# a news dateline: "MADRID.— ", "SAN CRISTÓBAL (Venezuela).— ", "NORTHWOOD, England, July 11 - "
DATELINE = re.compile(
    r"^[A-ZÁÉÍÓÚÑÜ][A-ZÁÉÍÓÚÑÜ .'-]{2,}(?:\([^)]{1,40}\))?(?:,[^,.\n]{1,30}){0,2}\.?\s*[-—–]+\s*"
)


@cache
def lexicon(lang: str) -> dict:
    """The word lists of loaders/data/lexicon.yaml for one language."""
    return yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))[lang]


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it sits in the communiqué's text."""

    span: Span
    offset: int  # where its paragraph starts in the communiqué's text
    index: int  # its position among the communiqué's sentences

    @property
    def start(self) -> int:
        return self.offset + self.span.start_char

    @property
    def end(self) -> int:
        return self.offset + self.span.end_char

    @property
    def text(self) -> str:
        return self.span.text


@dataclass(frozen=True)
class Reading:
    communique: Communique
    pipeline: Pipeline
    sentences: list[Sentence]

    @property
    def words(self) -> dict:
        return lexicon(self.communique.language)


def read(communique: Communique) -> Reading:
    """Parse a communiqué paragraph by paragraph (line breaks always end a sentence)."""
    pipe = pipeline(communique.language)
    lines = PARAGRAPH.finditer(communique.text)
    paragraphs = [without_dateline(m.start(), m.group()) for m in lines]
    paragraphs = [piece for start, text in paragraphs for piece in chunks(start, text)]
    paragraphs = [(start, text) for start, text in paragraphs if text.strip()]
    sentences: list[Sentence] = []
    docs = pipe.nlp.pipe(text for _, text in paragraphs)
    for (start, _), doc in zip(paragraphs, docs, strict=True):
        for span in doc.sents:
            if span.text.strip():
                sentences.append(Sentence(span, start, len(sentences)))
    return Reading(communique, pipe, sentences)


def without_dateline(start: int, paragraph: str) -> tuple[int, str]:
    """A dateline is no part of the first sentence's grammar: parse what follows it."""
    dateline = DATELINE.match(paragraph)
    if dateline is None:
        return start, paragraph
    return start + dateline.end(), paragraph[dateline.end() :]


def chunks(start: int, paragraph: str, limit: int = MAX_CHUNK) -> list[tuple[int, str]]:
    """A paragraph in pieces of at most `limit` characters, each with its offset.

    A piece ends after the last sentence end (". ", "? ", "; "…) that fits, else at the last
    space, else at `limit` itself (a "word" thousands of characters long)."""
    pieces = []
    while len(paragraph) > limit:
        window = paragraph[: limit + 1]
        ends = [m.end() for m in SENTENCE_END.finditer(window) if m.end() <= limit]
        cut = ends[-1] if ends and ends[-1] > limit // 4 else window.rfind(" ", 0, limit) + 1
        if cut <= 0:
            cut = limit
        pieces.append((start, paragraph[:cut]))
        start, paragraph = start + cut, paragraph[cut:]
    pieces.append((start, paragraph))
    return pieces
