"""The reader: headers, front matter, encodings and the one-line reasons it refuses files."""

from datetime import date

import pytest

from bilat.loaders.reader import ReadError, parse_communique

SPANISH = "Los gobiernos de México y Colombia acordaron ayer reforzar la cooperación."
ENGLISH = "The two governments agreed yesterday to strengthen their cooperation on trade."


def test_date_line_with_text_on_the_same_line():
    doc = parse_communique(f" date 2026-01-16 {SPANISH}\n\nMás texto.".encode(), "a.txt")
    assert doc.published == date(2026, 1, 16)
    assert doc.text.startswith("Los gobiernos")
    assert doc.language == "es"
    assert doc.slug == "a"


def test_front_matter():
    raw = f"---\ndate: 2025-02-06\nlanguage: en\ntitle: A call\nsource: https://example.org/x\n---\n{ENGLISH}\n"
    doc = parse_communique(raw.encode(), "Readout One.txt")
    assert (doc.published, doc.language, doc.title) == (date(2025, 2, 6), "en", "A call")
    assert doc.source == "https://example.org/x"
    assert doc.text == ENGLISH
    assert doc.slug == "readout-one"


def test_utf16_with_bom_is_decoded():
    doc = parse_communique(f"date 2026-01-16\n{SPANISH}".encode("utf-16"), "u16.txt")
    assert doc.text == SPANISH


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("date 2026-01-16\nMéxico".encode("latin-1"), "not UTF-8"),
        (SPANISH.encode(), "no publication date"),
        (f"date 2026-02-30\n{SPANISH}".encode(), "not a real YYYY-MM-DD date"),
        (f"---\ndate: [2026\n---\n{SPANISH}".encode(), "not valid YAML"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "HTML"),
        ("date 2026-01-16\nDie Regierungen haben sich auf eine Zusammenarbeit geeinigt "
         "und wollen die Gespräche fortsetzen.".encode(), "not one bilat reads"),
        (b"date 2026-01-16\n", "no text"),
    ],
)
def test_bad_files_get_a_one_line_reason(raw, reason):
    with pytest.raises(ReadError) as error:
        parse_communique(raw, "bad.txt")
    assert reason in str(error.value)
    assert "\n" not in str(error.value)
