"""Reading a communiqué file: encoding, header or front matter, language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.es.stop_words import STOP_WORDS as ES_STOP_WORDS

LANGUAGES = ("es", "en")
STOP_WORDS = {"es": ES_STOP_WORDS, "en": EN_STOP_WORDS}

HEADER = re.compile(r"\A\s*date[ \t]+(\S+)[ \t]*\n?")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
HTML = re.compile(r"\A\s*(<!doctype html|<html|<head|<body)", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+")


class ReadError(ValueError):
    """A file that is not a communiqué bilat can read; the message is one line."""


@dataclass(frozen=True)
class Communique:
    """A communiqué as read from its file, before any language processing."""

    name: str  # the file name, recorded as dcterms:source
    slug: str  # the stable part of its IRIs
    text: str  # the body: character offsets of evidence refer to this string
    published: date
    language: str
    title: str
    source: str | None = None  # a URL given in the front matter


def read_communique(path: Path) -> Communique:
    """Read and check a communiqué file; raise ReadError with a one-line reason."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ReadError(f"cannot read the file: {error.strerror}") from error
    return parse_communique(raw, path.name)


def parse_communique(raw: bytes, name: str) -> Communique:
    """Turn a file's bytes into a Communique, or raise ReadError."""
    text = decode(raw)
    if not text.strip():
        raise ReadError("the file is empty")
    if HTML.match(text):
        raise ReadError("this is an HTML page, not the text of a communiqué")
    meta, body = split_header(text)
    published = parse_date(meta.get("date"))
    body = body.strip()
    if not body:
        raise ReadError("the file has a date but no text")
    language = meta.get("language") or detect_language(body)
    if language not in LANGUAGES:
        raise ReadError(f"language {language!r} is not one bilat reads (es, en)")
    title = str(meta.get("title") or first_line(body))
    return Communique(
        name=name,
        slug=slugify(Path(name).stem),
        text=body,
        published=published,
        language=language,
        title=title,
        source=meta.get("source"),
    )


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ReadError(f"broken UTF-16 text: {error.reason}") from error
    else:
        if b"\x00" in raw:
            raise ReadError("a binary file, not text (it holds NUL bytes)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ReadError(
                f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
                "save it as UTF-8"
            ) from error
    if "\x00" in text or sum(is_control(c) for c in text) > len(text) // 100:
        raise ReadError("a binary file, not text (it holds control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in "\n\t\r\f"


def split_header(text: str) -> tuple[dict, str]:
    """The metadata (front matter or `date` line) and the body that follows it."""
    front = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if front:
        try:
            meta = yaml.safe_load(front.group(1))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark else ""
            raise ReadError(f"the front matter is not valid YAML{where}") from error
        if not isinstance(meta, dict):
            raise ReadError("the front matter is not a block of 'key: value' lines")
        return meta, text[front.end():]
    header = HEADER.match(text)
    if header:
        return {"date": header.group(1)}, text[header.end():]
    return {}, text


def parse_date(value: object) -> date:
    """The publication date, which every relative date in the text resolves against."""
    if value is None:
        raise ReadError(
            "no publication date: begin the file with a line 'date YYYY-MM-DD' "
            "or a front matter block with 'date:'"
        )
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise ReadError(f"the date {value!s:.40} is not a real YYYY-MM-DD date") from error


def detect_language(text: str) -> str:
    """Spanish or English by stop-word share; 'unknown' when neither fits."""
    words = [w.lower() for w in WORD.findall(text[:5000])]
    if not words:
        return "unknown"
    share = {lang: sum(w in STOP_WORDS[lang] for w in words) / len(words) for lang in LANGUAGES}
    best = max(share, key=share.get)
    return best if share[best] >= 0.15 else "unknown"


def first_line(body: str, limit: int = 160) -> str:
    line = body.split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "communique"
