"""Date expressions in a communiqué's sentences, resolved against its publication date.

`find_dates(text, published, lang)` finds every date expression in a sentence ("el 12 de
enero", "del 23 de enero", "febrero próximo", "el lunes pasado", "ayer", "hace dos
semanas", "on Thursday", "later this month", "in March 2023"…) and `resolve(expression,
published, lang)` resolves a single one. Both give `ResolvedDate`s with exact character
offsets, a date and its precision (day, month or year).

This module is a thin normaliser around dateparser (../shared/NLP.md, section 3):

1. one regular expression per language, built from dateparser's own month, weekday and
   relative-word lists plus the few words of data/dates.yaml, finds candidate spans
   (cheap: dateparser never sees a sentence without one);
2. the normaliser drops what dateparser cannot read in running text (the article or
   preposition in front, "próximo"/"pasado"/"next"/"last", number words), remembering the
   direction a cue gave;
3. dateparser's DateDataParser (one per language, publication date and direction, cached)
   turns what is left into a date and its period.

The rules dateparser has no setting for are applied last: a day or month given without a
year takes the year that puts it nearest the publication date, unless a cue
(próximo/next: after; pasado/last: before) or the caller's `future` hint says which way to
look ("since"/"desde" point back as weakly as the hint); a bare weekday is the latest
such day on or before the publication date ("announced on Thursday"), unless a cue or
hint says otherwise; "este lunes"/"this Monday" is the Monday of the publication's week
unless that is more than four days away. Weeks ("la próxima semana", "next week") have
no representation in the graph and are not reported; "hace dos semanas" counts as the day
two weeks back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import yaml
from dateparser.date import DateData, DateDataParser
from dateparser.languages.loader import default_loader

DATA_FILE = Path(__file__).parent / "data" / "dates.yaml"

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
YEAR = r"(?:1[89]|20)\d\d"
# dateparser relative-type keys worth finding in news: days, weeks, months and years
RELATIVE_KEY = re.compile(r"(?:in )?\d+ (?:day|week|month|year)(?: ago)?")
MIN_ABBREVIATION = 3  # "Aug." is a month next to a day number; "Mo", "Do" never are
MIN_FULL_NAME = 5  # names this long are full names, never abbreviations ("sept" is not)
THIS_WEEKDAY_REACH = 4  # "este lunes": this week's Monday, unless further than this

Direction = Literal["next", "last", "this"]
Prefer = Literal["current_period", "future", "past"]
PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class ResolvedDate:
    """A date expression found in a text, and the date it names."""

    start: int  # character offsets of the expression within the text it was found in
    end: int
    text: str
    value: dt.date  # the day; the first of the month or of the year for coarser precisions
    precision: str  # "day", "month" or "year"

    def iso(self) -> str:
        """ "2026-01-12" for a day, "2026-02" for a month, "2026" for a year."""
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def find_dates(
    text: str, published: dt.date, lang: str, future: bool | None = None
) -> list[ResolvedDate]:
    """The date expressions in `text`, resolved against `published`, in text order.

    They never overlap and `text[d.start:d.end] == d.text`. `future` is a hint from the
    caller about the tense of the text (True: it speaks of what will happen, so a bare
    "Thursday" is the next one; False: of what happened); None leaves it to the cue words
    inside each expression. An explicit cue ("el próximo", "last") always wins.
    A language data/dates.yaml has no words for yields no dates.
    """
    if lang not in _languages():
        return []
    grammar = _grammar(lang)
    found = []
    for match in grammar.pattern.finditer(text):
        resolved = _resolve_match(match, grammar, published, future)
        if resolved is not None:
            found.append(resolved)
    return found


def resolve(
    expression: str, published: dt.date, lang: str, future: bool | None = None
) -> ResolvedDate | None:
    """The date `expression` names, read against `published`; None if it names none.

    The expression should be a date expression on its own ("el próximo 23 de enero",
    "last Sunday"); its offsets are then those of the part recognised within it.
    """
    found = find_dates(expression, published, lang, future)
    return max(found, key=lambda d: d.end - d.start, default=None)


# --- the word lists and the pattern ------------------------------------------------------


@dataclass(frozen=True)
class Grammar:
    """One language's pattern and the word tables its matches are read with."""

    lang: str
    pattern: re.Pattern[str]
    words: dict  # this language's part of data/dates.yaml
    cues_before: dict[str, Direction]
    cues_after: dict[str, Direction]
    relative: dict[str, str]  # dateparser key ("in 1 month") -> its phrase in this language
    lead_directions: dict[str, Direction]


@cache
def _languages() -> dict[str, dict]:
    """data/dates.yaml: language code -> its word lists."""
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def _words(lang: str) -> dict:
    """The word lists of data/dates.yaml for one language."""
    return _languages()[lang]


@cache
def _grammar(lang: str) -> Grammar:
    """The pattern for `lang`, built once from dateparser's locale and data/dates.yaml."""
    words = _words(lang)
    info = default_loader.get_locale(lang).info
    relative = {
        key: phrases[0]
        for key, phrases in info["relative-type"].items()
        if RELATIVE_KEY.fullmatch(key)
    }
    before = {_fold(k): v for k, v in words["cues_before"].items()}
    after = {_fold(k): v for k, v in (words["cues_after"] or {}).items()}
    leads = {_fold(k): v for k, v in (words.get("lead_directions") or {}).items()}
    return Grammar(lang, _pattern(words, info), words, before, after, relative, leads)


def _alternation(phrases: Iterable[str], *, ignore_case: bool = True) -> str:
    """A regex alternation of `phrases`, longest first, spaces matching any white space."""
    unique = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    if not unique:
        return "(?!)"  # matches nothing
    body = "|".join(r"\s+".join(re.escape(part) for part in p.split()) for p in unique)
    return f"(?i:{body})" if ignore_case else f"(?:{body})"


def _names(info: dict, keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Full names and abbreviations of months or weekdays from dateparser's locale."""
    full: list[str] = []
    short: list[str] = []
    for key in keys:
        names = [n.lower() for n in info[key]]
        longest = max(names, key=len)
        for name in names:
            if name == longest or len(name) >= MIN_FULL_NAME:
                full.append(name)
            elif len(name) >= MIN_ABBREVIATION:
                short.append(name)
    return full, short


def _cased(names: list[str], case: str, *, alone: bool) -> str:
    """Names written as the language writes them ("febrero", "February").

    English names are always capitalized ("may", "march" are verbs). Spanish ones are
    lower case when they stand alone ("Mayo", "Domingo" are names) and any case next to a
    day number ("3 de Septiembre de 2025").
    """
    if case == "capitalized":
        return _alternation(
            [f for n in names for f in (n.capitalize(), n.upper())], ignore_case=False
        )
    return _alternation(names, ignore_case=not alone)


def _pattern(words: dict, info: dict) -> re.Pattern[str]:
    """The regular expression that finds candidate date expressions in one language."""
    months, month_abbreviations = _names(info, MONTHS)
    weekdays, _ = _names(info, WEEKDAYS)
    case = words["name_case"]
    any_month = (
        f"(?:{_cased(months, case, alone=False)}"
        f"|{_cased(month_abbreviations, case, alone=False)}\\.?)"
    )
    full_month = _cased(months, case, alone=True)
    any_weekday = _cased(weekdays, case, alone=False)
    weekday = _cased(weekdays, case, alone=True)
    suffix = f"(?:{_alternation(words['day_suffixes'])})?"
    day = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)" + suffix
    days = rf"{day}(?:\s*(?:{_alternation(words['ranges'])})\s*{day})?"
    day_month = rf"(?:\s*(?:{_alternation(words['day_month'])}))?\s+"
    joiner = _alternation(words["month_year"])

    def month_year(group: str) -> str:
        return rf"(?:\s*(?:{joiner}))?\s*(?P<{group}>{YEAR})(?!\d)"

    number = rf"(?:\d{{1,3}}|{_alternation(words['numbers'])})"
    units = _alternation(words["units_plural"])
    ago = (
        [rf"{_alternation(words['ago_before'])}\s+{number}\s+{units}"]
        if words["ago_before"]
        else []
    )
    ago += (
        [rf"{number}\s+{units}\s+{_alternation(words['ago_after'])}"] if words["ago_after"] else []
    )
    ago += (
        [rf"{_alternation(words['in_before'])}\s+{number}\s+{units}"] if words["in_before"] else []
    )
    relatives = [
        p for key, ps in info["relative-type"].items() if RELATIVE_KEY.fullmatch(key) for p in ps
    ]
    leads = _alternation(
        words["leads"] + words["year_leads"] + list(words.get("lead_directions") or {})
    )
    lead_gap = r"(?:(?<=-)|\s+)"  # "mid-March" has no space after its lead
    lead = rf"(?:(?:{leads}){lead_gap})?"
    cores = [
        # Monday, January 12, 2026 / el lunes 12 de enero de 2026 / 12-14 de enero
        rf"(?:{any_weekday},?\s+)?(?P<dm_day>{days}){day_month}(?P<dm_month>{any_month})"
        rf"(?:{month_year('dm_year')})?",
        # January 21 / Aug. 24 / July 10-11, 2025
        rf"(?:{any_weekday},?\s+)?(?P<md_month>{any_month})\s*(?P<md_day>{days})"
        rf"(?:{month_year('md_year')})?",
        r"(?P<numeric>\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})(?![\d/-])",
        rf"(?:{_alternation(words['month_prefix'])}\s+)?(?P<month>{full_month})"
        rf"(?:{month_year('month_year')})?(?![-–]\d)",
        rf"(?P<weekday>{weekday})",
        rf"(?P<ago>{'|'.join(ago)})" if ago else None,
        rf"(?P<relative>{_alternation(relatives)})",
        rf"(?P<unit>{_alternation(words['units'])})",
        rf"(?P<year>{YEAR})(?![-–/]?\d)",
    ]
    habitual = rf"(?:{_alternation(words['habitual'])})\s+{any_weekday}"
    full = (
        r"(?<![\w-])(?:"
        rf"{lead}(?P<phrase>{_alternation(words['phrases'])})"  # "desde esta mañana"
        rf"|{lead}(?P<blocked>{_alternation(words['not_dates'])}|{habitual})"  # "de hoy en día"
        rf"|(?:(?P<lead>{leads}){lead_gap})?"
        rf"(?:(?P<before>{_alternation(words['cues_before'])})\s+)?"
        rf"(?:{'|'.join(c for c in cores if c)})"
        rf"(?:\s+(?P<after>{_alternation(words['cues_after'] or {})}))?"
        r")(?!\w)"
    )
    return re.compile(full)


# --- reading one match -------------------------------------------------------------------


def _resolve_match(
    m: re.Match[str], g: Grammar, published: dt.date, future: bool | None
) -> ResolvedDate | None:
    """The ResolvedDate for one candidate match, or None when it names no usable date."""
    try:
        found = _read(m, g, published, future)
    except OverflowError:  # a weekday or offset before year 1 or after 9999
        return None
    if found is None:
        return None
    value, precision = found
    if precision not in PRECISIONS:
        return None
    return ResolvedDate(m.start(), m.end(), m.group(), value, precision)


def _read(
    m: re.Match[str], g: Grammar, published: dt.date, future: bool | None
) -> tuple[dt.date, str] | None:
    """(date, precision) for the match, dispatching on which alternative matched."""
    if m.group("blocked"):
        return None
    if m.group("phrase"):
        canonical = _lookup(g.words["phrases"], m.group("phrase"))
        return _parsed(g.lang, canonical, published, "current_period")
    cue = _cue(m, g)
    direction: Direction | None = cue or _lead_direction(m, g) or _hinted(future)
    strict = cue is not None
    if m.group("dm_day") or m.group("md_day"):
        day = m.group("dm_day") or m.group("md_day")
        month = m.group("dm_month") or m.group("md_month")
        year = m.group("dm_year") or m.group("md_year")
        text = f"{_first_day(day)} {month} {year or ''}"
        return _calendar(g, text, published, direction, strict)
    if m.group("numeric"):
        return _parsed(g.lang, m.group("numeric"), published, "current_period")
    if m.group("month"):
        if not (m.group("lead") or cue or m.group("month_year")):
            return None  # "mayo", "March" alone: too often a name or a verb
        text = f"{m.group('month')} {m.group('month_year') or ''}"
        return _calendar(g, text, published, direction, strict)
    if m.group("weekday"):
        return _weekday(g, m.group("weekday"), published, direction, strict)
    if m.group("ago"):
        return _distance(g, m.group("ago"), published)
    if m.group("relative"):
        return _parsed(g.lang, m.group("relative"), published, "current_period")
    if m.group("unit"):
        return _period(g, m.group("unit"), published, cue)
    if m.group("year"):
        lead = m.group("lead")
        if cue or not lead or _fold(lead) not in {_fold(w) for w in g.words["year_leads"]}:
            return None  # "the 1998 declaration", "2025-2028", "de 2000 personas"
        return _parsed(g.lang, m.group("year"), published, "current_period")
    return None


def _cue(m: re.Match[str], g: Grammar) -> Direction | None:
    """The direction a cue word before or after the expression gives, if any."""
    if m.group("before"):
        return g.cues_before[_fold(m.group("before"))]
    if m.group("after"):
        return g.cues_after[_fold(m.group("after"))]
    return None


def _lead_direction(m: re.Match[str], g: Grammar) -> Direction | None:
    """The way a lead such as "since" or "desde" points, if it points one way."""
    lead = m.group("lead")
    return g.lead_directions.get(_fold(lead)) if lead else None


def _hinted(future: bool | None) -> Direction | None:
    if future is None:
        return None
    return "next" if future else "last"


def _fold(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def _lookup(table: dict[str, str], phrase: str) -> str:
    folded = _fold(phrase)
    return next(v for k, v in table.items() if _fold(k) == folded)


def _first_day(days: str) -> str:
    """The first day of "12 al 14", "10-11", "1º": its digits."""
    return re.match(r"\d+", days).group()


def _number_words(text: str, g: Grammar) -> str:
    """Number words as digits: "hace dos semanas" -> "hace 2 semanas"."""
    numbers = {_fold(k): v for k, v in g.words["numbers"].items()}
    return " ".join(str(numbers.get(w.lower(), w)) for w in text.split())


# --- asking dateparser -------------------------------------------------------------------


@lru_cache(maxsize=64)
def _parser(lang: str, published: dt.date, prefer: Prefer) -> DateDataParser:
    """dateparser for one language, publication date and preferred direction, made once."""
    return DateDataParser(
        languages=[lang],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "PREFER_DATES_FROM": prefer,
            "RELATIVE_BASE": dt.datetime.combine(published, dt.time()),
            "RETURN_TIME_AS_PERIOD": False,
        },
    )


@lru_cache(maxsize=4096)
def _data(lang: str, text: str, published: dt.date, prefer: Prefer) -> DateData | None:
    """dateparser's reading of an already normalised expression, or None."""
    data = _parser(lang, published, prefer).get_date_data(" ".join(text.split()))
    return data if data.date_obj is not None else None


def _parsed(lang: str, text: str, published: dt.date, prefer: Prefer) -> tuple[dt.date, str] | None:
    data = _data(lang, text, published, prefer)
    if data is None:
        return None
    return _floor(data.date_obj.date(), data.period), data.period


def _floor(value: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return value.replace(month=1, day=1)
    if precision == "month":
        return value.replace(day=1)
    return value


PREFER: dict[Direction | None, Prefer] = {
    "next": "future",
    "last": "past",
    "this": "current_period",
    None: "current_period",
}


def _calendar(
    g: Grammar, text: str, published: dt.date, direction: Direction | None, strict: bool
) -> tuple[dt.date, str] | None:
    """A day or a month, with or without its year ("12 enero", "febrero 2023")."""
    data = _data(g.lang, text, published, "current_period")
    if data is None:
        return None
    value = _floor(data.date_obj.date(), data.period)
    if "year" not in (data.parts or ()):
        value = _year_for(value, published, data.period, direction, strict)
    return value, data.period


def _year_for(
    value: dt.date,
    published: dt.date,
    precision: str,
    direction: Direction | None,
    strict: bool,
) -> dt.date:
    """`value` moved to the year (last, this or next) its direction asks for.

    With no direction, the year that puts it nearest `published` ("del 23 de enero" in a
    text of 16 January 2026 is 2026-01-23, "en julio" in one of September 2025 is
    2025-07). "next" keeps only dates after publication and "last" only dates before it,
    strictly for a cue ("el próximo 12 de enero", "enero pasado": never the publication
    day or month itself), or counting it for the caller's hint ("will meet on 16 January").
    """
    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(value.replace(year=year))
        except ValueError:  # 29 February
            continue

    def offset(candidate: dt.date) -> int:
        if precision == "month":
            return (candidate.year - published.year) * 12 + candidate.month - published.month
        return (candidate - published).days

    wanted = {
        "next": (lambda o: o > 0) if strict else (lambda o: o >= 0),
        "last": (lambda o: o < 0) if strict else (lambda o: o <= 0),
    }.get(direction or "this", lambda o: True)
    kept = [c for c in candidates if wanted(offset(c))] or candidates
    # a tie (six months either way) goes to the publication's own year, as in dateparser
    return min(kept, key=lambda c: (abs(offset(c)), c.year != published.year))


def _weekday(
    g: Grammar, name: str, published: dt.date, direction: Direction | None, strict: bool
) -> tuple[dt.date, str] | None:
    """A weekday: the latest on or before publication, unless a direction says otherwise.

    dateparser's `future` gives the next one after the publication day ("el próximo
    martes", or "Thursday" with the future hint) and `past` the one before it ("el lunes
    pasado"); `current_period` the latest on or before it (no cue, or the past hint).
    "this" (este lunes, this Monday) is the one in the publication's week (Monday to Sunday), or the
    nearest one when that is more than a few days away ("este domingo" in a Monday paper
    is yesterday).
    """
    prefer = "current_period" if direction == "last" and not strict else PREFER[direction]
    found = _parsed(g.lang, name, published, prefer)
    if found is None:
        return None
    value, precision = found
    if direction == "this":
        value = published + dt.timedelta(days=value.weekday() - published.weekday())
        offset = (value - published).days
        if abs(offset) > THIS_WEEKDAY_REACH:
            value -= dt.timedelta(days=7 if offset > 0 else -7)
    return value, precision


def _distance(g: Grammar, text: str, published: dt.date) -> tuple[dt.date, str] | None:
    """ "hace dos semanas", "three days ago": a day (a week back is a day), month or year."""
    found = _parsed(g.lang, _number_words(text, g), published, "current_period")
    if found is None:
        return None
    value, precision = found
    return value, "day" if precision == "week" else precision


def _period(
    g: Grammar, unit: str, published: dt.date, cue: Direction | None
) -> tuple[dt.date, str] | None:
    """ "el mes que viene", "el próximo año", "last month": dateparser's own phrase for it."""
    if cue is None:
        return None  # "the month", "el año": no date without a cue
    name = _lookup(g.words["units"], unit)
    key = {"next": f"in 1 {name}", "last": f"1 {name} ago", "this": f"0 {name} ago"}[cue]
    phrase = g.relative.get(key)
    if phrase is None:
        return None
    return _parsed(g.lang, phrase, published, "current_period")
