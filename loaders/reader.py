"""Reading a communiqué file: encoding, header or front matter, language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
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
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# C0 and C1 control characters (Unicode category Cc) but tab, line feed, form feed, return
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# The largest file bilat reads. A communiqué is a few KB (the longest of the corpus is
# 2.6 KB); extraction takes about 25 s per MB of text on one core (1,000,000 characters of
# Spanish in 25 s, 2026-11-24), so a 20 MB file would hold `bilat load` for over 8 minutes
# for nothing a communiqué needs; 2 MB is still under a minute. (spaCy's nlp.max_length,
# 1,000,000 characters per doc, is no limit here: loaders/reading.py parses in pieces.)
MAX_BYTES = 2 * 1024 * 1024
YEARS = (1800, 2200)  # publication dates bilat accepts


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
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)  # never more: a huge file is refused unread
    except OSError as error:
        raise ReadError(f"cannot read the file: {error.strerror}") from error
    return parse_communique(raw, path.name)


def parse_communique(raw: bytes, name: str) -> Communique:
    """Turn a file's bytes into a Communique, or raise ReadError."""
    if len(raw) > MAX_BYTES:
        raise ReadError(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB, "
            "far longer than a communiqué: split it into its communiqués"
        )
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
    if HTML.match(body):
        raise ReadError("this is an HTML page, not the text of a communiqué")
    language = meta.get("language") or detect_language(body)
    if language not in LANGUAGES:
        raise ReadError(f"language {one_line(repr(language), 40)} is not one bilat reads (es, en)")
    title = scalar(meta, "title") or first_line(body)
    return Communique(
        name=name,
        slug=slugify(Path(name).stem),
        text=body,
        published=published,
        language=language,
        title=title,
        source=scalar(meta, "source"),
    )


def scalar(meta: dict, key: str) -> str | None:
    """A front matter value that must be one piece of text (a title, a URL), or None."""
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list, set, bytes)):
        raise ReadError(f"the front matter's {key!r} is not a single value")
    return " ".join(str(value).split()) or None


def one_line(text: str, limit: int = 300) -> str:
    """Any message as one line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, or Latin-1/Windows-1252 text."""
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
            text = decode_legacy(raw, error)
    if "\x00" in text or len(CONTROL.findall(text)) > len(text) // 100:
        raise ReadError("a binary file, not text (it holds control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_legacy(raw: bytes, error: UnicodeDecodeError) -> str:
    """Bytes that are not UTF-8: broken UTF-8, Windows-1252 (Latin-1) text, or junk.

    Windows-1252 decodes almost any bytes, so it is taken only when the result looks like
    text: no control characters but tab and line breaks, mostly letters, digits, spaces and
    punctuation, and mostly ASCII (accented letters are a few per cent of Spanish text)."""
    if error.end == len(raw) and error.reason == "unexpected end of data":
        raise ReadError(
            "the file ends in the middle of a UTF-8 character: it looks truncated"
        ) from error
    if any(c > "\x7f" and c != "\ufffd" for c in raw.decode("utf-8", "replace")):
        # valid multi-byte UTF-8 elsewhere: a UTF-8 file with a broken byte, not Latin-1
        raise ReadError(
            f"broken UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8"
        ) from error
    refused = ReadError(
        "not text in a known encoding (neither UTF-8, UTF-16 with a BOM nor Latin-1): "
        f"byte 0x{raw[error.start]:02x} at offset {error.start}"
    )
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise refused from error
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise refused from error
    texty = sum(c.isalnum() or c.isspace() or unicodedata.category(c)[0] == "P" for c in text)
    non_ascii = sum(c > "\x7f" for c in text)
    if texty < 0.9 * len(text) or non_ascii > 0.2 * len(text):
        raise refused from error
    return text


def split_header(text: str) -> tuple[dict, str]:
    """The metadata (front matter or `date` line) and the body that follows it."""
    text = text.lstrip("\ufeff")  # a second byte order mark, after the one decoding removed
    front = FRONT_MATTER.match(text)
    if front:
        try:
            meta = yaml.safe_load(front.group(1))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark else ""
            raise ReadError(f"the front matter is not valid YAML{where}") from error
        except ValueError as error:  # YAML's own dates: "date: 2026-02-30"
            raise ReadError(f"the front matter holds an impossible date ({error})") from error
        except RecursionError as error:
            raise ReadError("the front matter is not valid YAML (nested too deep)") from error
        if not isinstance(meta, dict):
            raise ReadError("the front matter is not a block of 'key: value' lines")
        return meta, text[front.end():]
    header = HEADER.match(text)
    if header:
        return {"date": header.group(1)}, text[header.end():]
    return {}, text


def parse_date(value: object) -> date:
    """The publication date, which every relative date in the text resolves against."""
    published = parse_iso_date(value)
    if not YEARS[0] <= published.year <= YEARS[1]:
        # "on Saturday" from 0001-01-01 falls before the first representable date
        raise ReadError(f"the date {published} is not a plausible publication date")
    return published


def parse_iso_date(value: object) -> date:
    if value is None:
        raise ReadError(
            "no publication date: begin the file with a line 'date YYYY-MM-DD' "
            "or a front matter block with 'date:'"
        )
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
        raise ReadError(f"the date {one_line(repr(value), 40)} is not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        shown = one_line(repr(value), 40)
        raise ReadError(f"the date {shown} is not a real YYYY-MM-DD date") from error


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
