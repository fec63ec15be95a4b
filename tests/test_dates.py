"""Date expressions: finding them in sentences and resolving them against publication."""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from bilat.loaders.dates import ResolvedDate, find_dates, resolve

DEV = Path(__file__).resolve().parents[1].parent / "shared/corpus/dev"

FRI_16_JAN = date(2026, 1, 16)  # the seed communiqué: a Friday
THU_6_FEB = date(2025, 2, 6)  # en-2025-02-06 readout: a Thursday
FRI_11_JUL = date(2025, 7, 11)
SUN_24_AUG = date(2025, 8, 24)
FRI_19_SEP = date(2025, 9, 19)
FRI_5_DEC = date(2025, 12, 5)
MON_9_MAR = date(2026, 3, 9)

# (lang, published, sentence, the phrase in it, the iso date it names or None)
CASES = [
    # Spanish: days
    (
        "es",
        FRI_16_JAN,
        "Tras la llamada del 12 de enero entre ambos.",
        "del 12 de enero",
        "2026-01-12",
    ),
    ("es", FRI_16_JAN, "Hablaron el 12 de enero por teléfono.", "el 12 de enero", "2026-01-12"),
    (
        "es",
        FRI_16_JAN,
        "Ciudad de México, 12 de enero de 2026.",
        "12 de enero de 2026",
        "2026-01-12",
    ),
    (
        "es",
        FRI_16_JAN,
        "Se reunirán el próximo 23 de enero en Washington.",
        "el próximo 23 de enero",
        "2026-01-23",
    ),
    (
        "es",
        FRI_16_JAN,
        "En el marco de la próxima reunión del 23 de enero.",
        "del 23 de enero",
        "2026-01-23",
    ),
    ("es", FRI_16_JAN, "Se verán el próximo 12 de enero.", "el próximo 12 de enero", "2027-01-12"),
    (
        "es",
        FRI_16_JAN,
        "Lo anunció el pasado 3 de septiembre.",
        "el pasado 3 de septiembre",
        "2025-09-03",
    ),
    (
        "es",
        FRI_16_JAN,
        "La reunión del 3 de septiembre fue larga.",
        "del 3 de septiembre",
        "2025-09-03",
    ),
    (
        "es",
        FRI_16_JAN,
        "Firmado el 3 de septiembre de 2025 en Quito.",
        "3 de septiembre de 2025",
        "2025-09-03",
    ),
    ("es", FRI_16_JAN, "La cumbre del lunes 12 de enero.", "lunes 12 de enero", "2026-01-12"),
    ("es", FRI_16_JAN, "Sesionarán del 12 al 14 de enero.", "del 12 al 14 de enero", "2026-01-12"),
    ("es", FRI_16_JAN, "Entrará en vigor el 1º de febrero.", "el 1º de febrero", "2026-02-01"),
    ("es", FRI_16_JAN, "Se publicó el 12/01/2026.", "12/01/2026", "2026-01-12"),
    (
        "es",
        date(2022, 7, 29),
        "Normalizarán sus relaciones a partir del próximo 7 de agosto.",
        "a partir del próximo 7 de agosto",
        "2022-08-07",
    ),
    (
        "es",
        FRI_5_DEC,
        "La resolución, aprobada el 31 de octubre, toma como base…",
        "el 31 de octubre",
        "2025-10-31",
    ),
    ("es", date(2025, 12, 20), "Se reunirán el 12 de enero.", "el 12 de enero", "2026-01-12"),
    # Spanish: months
    (
        "es",
        FRI_16_JAN,
        "La reunión ministerial de febrero próximo.",
        "de febrero próximo",
        "2026-02",
    ),
    ("es", FRI_16_JAN, "Viajará a Ottawa febrero próximo.", "febrero próximo", "2026-02"),
    ("es", FRI_16_JAN, "Volverán a verse el próximo febrero.", "el próximo febrero", "2026-02"),
    ("es", FRI_16_JAN, "Habrá otra reunión en febrero.", "en febrero", "2026-02"),
    (
        "es",
        FRI_16_JAN,
        "La visita será el próximo mes de enero.",
        "el próximo mes de enero",
        "2027-01",
    ),
    (
        "es",
        MON_9_MAR,
        "Como acordaron el pasado mes de diciembre.",
        "el pasado mes de diciembre",
        "2025-12",
    ),
    (
        "es",
        FRI_5_DEC,
        "La primera desde la que se celebró en Rabat en febrero de 2023.",
        "en febrero de 2023",
        "2023-02",
    ),
    ("es", FRI_16_JAN, "Se reunieron en marzo de 2023.", "en marzo de 2023", "2023-03"),
    ("es", FRI_19_SEP, "Asistió en junio a la Cumbre del G7.", "en junio", "2025-06"),
    ("es", FRI_19_SEP, "La visita que en agosto realizaron.", "en agosto", "2025-08"),
    ("es", FRI_16_JAN, "Se verán el mes que viene.", "el mes que viene", "2026-02"),
    ("es", FRI_16_JAN, "Se verán el próximo mes.", "el próximo mes", "2026-02"),
    ("es", FRI_16_JAN, "Lo acordaron el mes pasado.", "el mes pasado", "2025-12"),
    # Spanish: days relative to publication
    (
        "es",
        FRI_16_JAN,
        "Los cancilleres acordaron ayer iniciar la normalización.",
        "ayer",
        "2026-01-15",
    ),
    ("es", FRI_16_JAN, "Se reunieron anteayer.", "anteayer", "2026-01-14"),
    ("es", FRI_16_JAN, "La presidenta lo recibió hoy en Palacio Nacional.", "hoy", "2026-01-16"),
    ("es", FRI_16_JAN, "Mañana viajará a Ottawa.", "Mañana", "2026-01-17"),
    ("es", FRI_16_JAN, "Lo dijo el día de ayer.", "el día de ayer", "2026-01-15"),
    ("es", FRI_16_JAN, "Lo dijo esta mañana.", "esta mañana", "2026-01-16"),
    ("es", FRI_16_JAN, "Llegarán pasado mañana.", "pasado mañana", "2026-01-18"),
    ("es", FRI_16_JAN, "Se reunieron hace dos semanas.", "hace dos semanas", "2026-01-02"),
    ("es", FRI_16_JAN, "Lo anunció hace tres días.", "hace tres días", "2026-01-13"),
    ("es", FRI_16_JAN, "Se firmó hace tres meses.", "hace tres meses", "2025-10"),
    # Spanish: weekdays (16 January 2026 is a Friday)
    ("es", FRI_16_JAN, "Ambos hablaron este lunes por teléfono.", "este lunes", "2026-01-12"),
    ("es", FRI_16_JAN, "Se reunirán este domingo.", "este domingo", "2026-01-18"),
    ("es", MON_9_MAR, "El presidente declaró este domingo que…", "este domingo", "2026-03-08"),
    ("es", FRI_16_JAN, "Lo anunció el lunes pasado.", "el lunes pasado", "2026-01-12"),
    ("es", FRI_16_JAN, "Lo anunció el pasado domingo.", "el pasado domingo", "2026-01-11"),
    ("es", FRI_16_JAN, "Lo anunció el pasado viernes.", "el pasado viernes", "2026-01-09"),
    ("es", FRI_16_JAN, "Se reunirán el próximo martes.", "el próximo martes", "2026-01-20"),
    ("es", FRI_16_JAN, "Se reunirán el martes próximo.", "el martes próximo", "2026-01-20"),
    ("es", FRI_16_JAN, "El canciller habló el miércoles con Rubio.", "el miércoles", "2026-01-14"),
    # Spanish: years
    ("es", FRI_16_JAN, "Las relaciones están rotas desde 2019.", "desde 2019", "2019"),
    ("es", FRI_16_JAN, "Se reunieron en 2023 por última vez.", "en 2023", "2023"),
    ("es", FRI_16_JAN, "Lo acordaron el año pasado.", "el año pasado", "2025"),
    ("es", date(2025, 10, 30), "Desde enero, los precios subieron.", "Desde enero", "2025-01"),
    (
        "es",
        date(2025, 10, 30),
        "Desde el próximo lunes regirá.",
        "Desde el próximo lunes",
        "2025-11-03",
    ),
    (
        "es",
        date(2025, 10, 30),
        "Se reunirán dentro de dos semanas.",
        "dentro de dos semanas",
        "2025-11-13",
    ),
    (
        "es",
        date(2025, 10, 30),
        "Lo firmaron a principios de noviembre.",
        "a principios de noviembre",
        "2025-11",
    ),
    # Spanish: not dates
    ("es", FRI_16_JAN, "Se verán la próxima semana.", "la próxima semana", None),
    ("es", FRI_16_JAN, "Tendrá lugar en las próximas semanas.", "las próximas semanas", None),
    ("es", FRI_16_JAN, "Se reunieron por la mañana.", "la mañana", None),
    ("es", FRI_16_JAN, "Hoy en día la frontera es segura.", "Hoy en día", None),
    ("es", FRI_16_JAN, "Sesionan todos los lunes.", "lunes", None),
    ("es", FRI_16_JAN, "Viajó a Santo Domingo con Domingo Pérez.", "Domingo", None),
    ("es", FRI_16_JAN, "Marcharon hasta la Plaza de Mayo.", "Mayo", None),
    ("es", FRI_16_JAN, "El Plan de Acción México-Canadá 2025-2028.", "2025-2028", None),
    ("es", FRI_16_JAN, "Asistieron más de 2000 personas.", "2000", None),
    ("es", FRI_16_JAN, "La resolución 2797 del Consejo de Seguridad.", "2797", None),
    ("es", FRI_16_JAN, "Una visita oficial de dos días.", "dos días", None),
    # English
    (
        "en",
        THU_6_FEB,
        "Secretary Rubio spoke today with Foreign Secretary de la Fuente.",
        "today",
        "2025-02-06",
    ),
    ("en", THU_6_FEB, "The two ministers spoke yesterday.", "yesterday", "2025-02-05"),
    ("en", THU_6_FEB, "Today's call follows Monday's phone conversation.", "Monday", "2025-02-03"),
    ("en", THU_6_FEB, "They met on Monday in Mexico City.", "on Monday", "2025-02-03"),
    ("en", THU_6_FEB, "They met last Sunday.", "last Sunday", "2025-02-02"),
    ("en", THU_6_FEB, "They will meet next Friday.", "next Friday", "2025-02-07"),
    ("en", FRI_11_JUL, "They will meet next Friday.", "next Friday", "2025-07-18"),
    (
        "en",
        THU_6_FEB,
        "The Secretary first spoke with de la Fuente on January 21, one day after.",
        "on January 21",
        "2025-01-21",
    ),
    ("en", THU_6_FEB, "The Secretary first spoke with him January 21.", "January 21", "2025-01-21"),
    (
        "en",
        THU_6_FEB,
        "A step reported in the U.S. press earlier in the day.",
        "earlier in the day",
        "2025-02-06",
    ),
    ("en", THU_6_FEB, "The two sides will meet later this month.", "later this month", "2025-02"),
    ("en", THU_6_FEB, "The two sides will meet next month.", "next month", "2025-03"),
    ("en", THU_6_FEB, "They met two weeks ago.", "two weeks ago", "2025-01-23"),
    ("en", THU_6_FEB, "He left this morning.", "this morning", "2025-02-06"),
    (
        "en",
        FRI_11_JUL,
        "NORTHWOOD, England, July 11 - Britain and France will pilot a scheme.",
        "July 11",
        "2025-07-11",
    ),
    (
        "en",
        FRI_11_JUL,
        "Starmer and Macron announced on Thursday the scheme.",
        "on Thursday",
        "2025-07-10",
    ),
    (
        "en",
        FRI_11_JUL,
        "The first summit since the two leaders met in Paris in March 2023.",
        "in March 2023",
        "2023-03",
    ),
    ("en", FRI_11_JUL, "Macron announced it Thursday.", "Thursday", "2025-07-10"),
    (
        "en",
        SUN_24_AUG,
        "TOKYO, Aug. 24 – Japanese Prime Minister Shigeru Ishiba…",
        "Aug. 24",
        "2025-08-24",
    ),
    (
        "en",
        SUN_24_AUG,
        "They agreed on Saturday to develop relations.",
        "on Saturday",
        "2025-08-23",
    ),
    ("en", SUN_24_AUG, "They first met in June on the sidelines.", "in June", "2025-06"),
    ("en", SUN_24_AUG, "Visits to the Yasukuni shrine on August 15.", "on August 15", "2025-08-15"),
    ("en", SUN_24_AUG, "Lee left Tokyo on Sunday for Washington.", "on Sunday", "2025-08-24"),
    (
        "en",
        SUN_24_AUG,
        "Talks were held on Monday, January 12, 2026.",
        "Monday, January 12, 2026",
        "2026-01-12",
    ),
    ("en", SUN_24_AUG, "The declaration of the 21st of January.", "21st of January", "2026-01-21"),
    ("en", SUN_24_AUG, "The talks in mid-July were useful.", "in mid-July", "2025-07"),
    ("en", SUN_24_AUG, "They met in 2023 for the first time.", "in 2023", "2023"),
    ("en", SUN_24_AUG, "They met last year.", "last year", "2024"),
    ("en", date(2025, 10, 30), "Since January, prices rose.", "Since January", "2025-01"),
    ("en", date(2025, 10, 30), "He would visit China in April.", "in April", "2025-04"),
    (
        "en",
        date(2025, 10, 30),
        "On 12-13 November 2025, they met.",
        "On 12-13 November 2025",
        "2025-11-12",
    ),
    ("en", date(2025, 10, 30), "The G20 summit is on Nov. 22-23.", "on Nov. 22-23", "2025-11-22"),
    ("en", date(2025, 10, 30), "Seven months ago they met.", "Seven months ago", "2025-03"),
    # English: not dates
    ("en", THU_6_FEB, "Mexico sent 10,000 National Guard troops to the border.", "10,000", None),
    ("en", THU_6_FEB, "It held off on the 25 percent tariffs.", "25 percent", None),
    ("en", FRI_11_JUL, "The first phase could involve around 50 people a week.", "a week", None),
    ("en", FRI_11_JUL, "The first by a head of state since Brexit.", "since Brexit", None),
    ("en", SUN_24_AUG, "The first joint document in 17 years.", "in 17 years", None),
    ("en", SUN_24_AUG, "It upholds the 1998 joint declaration.", "1998", None),
    ("en", SUN_24_AUG, "The two leaders may meet again.", "may", None),
    ("en", SUN_24_AUG, "Protesters march on the embassy.", "march", None),
    ("en", SUN_24_AUG, "The scheme would begin in the coming weeks.", "the coming weeks", None),
    ("en", SUN_24_AUG, "They will meet next week.", "next week", None),
    ("en", SUN_24_AUG, "They meet every Monday.", "Monday", None),
    ("en", SUN_24_AUG, "They met on Good Friday.", "Good Friday", None),
    ("en", SUN_24_AUG, "It held off for one month.", "one month", None),
]


def at(found: list[ResolvedDate], sentence: str, phrase: str) -> list[ResolvedDate]:
    """The found dates that overlap the phrase's place in the sentence."""
    start = sentence.index(phrase)
    end = start + len(phrase)
    return [d for d in found if d.start < end and start < d.end]


@pytest.mark.parametrize(
    "lang, published, sentence, phrase, expected",
    CASES,
    ids=[f"{c[0]}-{c[3]}" for c in CASES],
)
def test_find_dates(lang, published, sentence, phrase, expected):
    found = find_dates(sentence, published, lang)
    for d in found:
        assert sentence[d.start : d.end] == d.text
    here = at(found, sentence, phrase)
    if expected is None:
        assert here == []
    else:
        assert [d.iso() for d in here] == [expected]
        assert phrase in here[0].text or here[0].text in phrase


@pytest.mark.parametrize(
    "lang, published, expression, expected",
    [
        ("es", FRI_16_JAN, "el próximo 23 de enero", ("2026-01-23", "day")),
        ("es", FRI_16_JAN, "febrero próximo", ("2026-02", "month")),
        ("es", FRI_16_JAN, "en 2023", ("2023", "year")),
        ("es", FRI_16_JAN, "hace dos semanas", ("2026-01-02", "day")),
        ("en", FRI_11_JUL, "later this month", ("2025-07", "month")),
        ("en", FRI_11_JUL, "last Sunday", ("2025-07-06", "day")),
        ("es", FRI_16_JAN, "la próxima semana", None),
        ("en", FRI_11_JUL, "since Brexit", None),
        ("en", FRI_11_JUL, "", None),
    ],
)
def test_resolve(lang, published, expression, expected):
    got = resolve(expression, published, lang)
    if expected is None:
        assert got is None
    else:
        assert (got.iso(), got.precision) == expected
        assert got.text == expression


def test_future_hint_only_moves_expressions_without_a_cue():
    # "will meet on Thursday" in a Friday paper: next week's Thursday
    assert resolve("Thursday", FRI_16_JAN, "en").iso() == "2026-01-15"
    assert resolve("Thursday", FRI_16_JAN, "en", future=True).iso() == "2026-01-22"
    assert resolve("on Friday", FRI_16_JAN, "en", future=False).iso() == "2026-01-16"
    assert resolve("el martes", FRI_16_JAN, "es", future=True).iso() == "2026-01-20"
    # an explicit cue wins over the hint
    assert resolve("el lunes pasado", FRI_16_JAN, "es", future=True).iso() == "2026-01-12"
    assert resolve("next Friday", FRI_16_JAN, "en", future=False).iso() == "2026-01-23"
    # a date without its year: the hint picks the side, counting the publication day itself
    published = date(2025, 12, 20)
    assert resolve("el 1 de julio", published, "es").iso() == "2025-07-01"
    assert resolve("el 1 de julio", published, "es", future=True).iso() == "2026-07-01"
    assert resolve("el 20 de diciembre", published, "es", future=True).iso() == "2025-12-20"
    assert resolve("en julio", published, "es", future=True).iso() == "2026-07"
    assert resolve("in February", published, "en", future=False).iso() == "2025-02"


def test_iso_by_precision():
    value = date(2026, 2, 1)
    assert ResolvedDate(0, 1, "x", value, "day").iso() == "2026-02-01"
    assert ResolvedDate(0, 1, "x", value, "month").iso() == "2026-02"
    assert ResolvedDate(0, 1, "x", value, "year").iso() == "2026"


def test_several_dates_in_text_order_without_overlap():
    text = (
        "Tras la llamada del 12 de enero, acordaron ayer reunirse el próximo 23 de enero "
        "y de nuevo en febrero, como en marzo de 2023."
    )
    found = find_dates(text, FRI_16_JAN, "es")
    assert [d.iso() for d in found] == [
        "2026-01-12",
        "2026-01-15",
        "2026-01-23",
        "2026-02",
        "2023-03",
    ]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert [text[d.start : d.end] for d in found] == [d.text for d in found]


def test_no_dates_in_a_sentence_without_any():
    assert find_dates("Ambos gobiernos reafirmaron la soberanía.", FRI_16_JAN, "es") == []
    assert find_dates("", FRI_16_JAN, "en") == []


def test_a_language_without_word_lists_yields_nothing():
    assert find_dates("le 12 janvier", FRI_16_JAN, "fr") == []
    assert resolve("le 12 janvier", FRI_16_JAN, "fr") is None


# --- the dev corpus's own event dates ----------------------------------------------------


def gold_events() -> list[tuple[str, str, date, str, dict]]:
    """(file, language, published, sentence, event) for every dated gold event."""
    events = []
    for path in sorted(DEV.glob("*.gold.json")) if DEV.is_dir() else []:
        gold = json.loads(path.read_text(encoding="utf-8"))
        published = date.fromisoformat(gold["published"])
        for event in gold["events"]:
            if event.get("date"):
                events.append((path.name, gold["language"], published, event["sentence"], event))
    return events


GOLD = gold_events()


def hint(event: dict) -> bool | None:
    """What a caller that knows the tense passes: planned events speak of the future."""
    return True if event["status"] == "planned" else None


@pytest.mark.skipif(not GOLD, reason=f"no dev corpus at {DEV}")
@pytest.mark.parametrize(
    "name, lang, published, sentence, event",
    GOLD,
    ids=[f"{g[0].split('.')[0]}-{g[4]['key']}" for g in GOLD] or None,
)
def test_gold_event_dates(name, lang, published, sentence, event):
    found = find_dates(sentence, published, lang, future=hint(event))
    if not found:
        pytest.skip("the sentence gives no date expression: the date comes from context")
    assert event["date"] in [d.iso() for d in found]


@pytest.mark.skipif(not GOLD, reason=f"no dev corpus at {DEV}")
def test_gold_recovery_count(capsys):
    recovered = {None: 0, "hint": 0}
    expressed = 0
    for _name, lang, published, sentence, event in GOLD:
        plain = [d.iso() for d in find_dates(sentence, published, lang)]
        hinted = [d.iso() for d in find_dates(sentence, published, lang, future=hint(event))]
        expressed += bool(hinted)
        recovered[None] += event["date"] in plain
        recovered["hint"] += event["date"] in hinted
    with capsys.disabled():
        print(
            f"\n[dates] gold event dates recovered: {recovered['hint']}/{len(GOLD)} "
            f"with the tense hint, {recovered[None]}/{len(GOLD)} without; "
            f"{expressed} sentences carry a date expression"
        )
    assert recovered["hint"] == expressed


# --- speed -------------------------------------------------------------------------------


def corpus_sentences() -> list[tuple[str, str]]:
    """(lang, sentence) from the dev texts, or made-up ones when they are absent."""
    sentences = []
    for path in sorted(DEV.glob("*.txt")) if DEV.is_dir() else []:
        lang = "en" if path.name.startswith("en-") else "es"
        text = path.read_text(encoding="utf-8")
        sentences += [(lang, s) for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s) > 20]
    return sentences or [(lang, sentence) for lang, _, sentence, _, _ in CASES]


def test_speed_per_thousand_sentences(capsys):
    pool = corpus_sentences()
    batch = [pool[i % len(pool)] for i in range(1000)]
    find_dates("calentar: el 12 de enero", FRI_16_JAN, "es")  # build both patterns first
    find_dates("warm up: on January 12", FRI_16_JAN, "en")
    start = time.perf_counter()
    count = 0
    for i, (lang, sentence) in enumerate(batch):
        # a different publication day each time, so dateparser's results are never reused
        count += len(find_dates(sentence, date(2025, 1, 1) + timedelta(days=i), lang))
    seconds = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n[dates] find_dates on 1,000 sentences: {seconds:.3f} s ({count} dates)")
