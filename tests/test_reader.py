"""The reader: headers, front matter, encodings and the one-line reasons it refuses files."""

from datetime import date

import pytest

from bilat.loaders.reader import MAX_BYTES, ReadError, parse_communique

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


def test_latin1_text_is_decoded_as_windows_1252():
    text = "Los gobiernos de México y Perú firmaron ayer un acuerdo “histórico” de cooperación."
    doc = parse_communique(f"date 2026-01-16\r\n{text}\r\n".encode("cp1252"), "latin1.txt")
    assert doc.text == text
    assert doc.language == "es"


def test_utf8_with_bom_and_front_matter_datetime():
    raw = f"\ufeff---\ndate: 2026-01-16 10:30:00\n---\n{SPANISH}".encode()
    assert parse_communique(raw, "b.txt").published == date(2026, 1, 16)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(0x80, 0xA0)) * 4 + b"\xfe\xff\x81\x8d", "not text in a known encoding"),
        ("date 2026-01-16\nMéxico y Perú".encode()[:-1], "truncated"),
        ("date 2026-01-16\nMéxico y Perú acordaron.".encode() + b"\xe9 y m\xe1s\n", "broken UTF-8"),
        (b"date 2026-01-16\n" + bytes(range(0xC0, 0x100)) * 8, "not text in a known encoding"),
        (b"date 2026-01-16\nLos gobiernos\x00 acordaron.", "NUL"),
        (b"date 2026-01-16\n" + b"x" * (MAX_BYTES + 1), "larger than 2 MB"),
        (f"---\ndate: 2026-02-30\n---\n{SPANISH}".encode(), "impossible date"),
        (f"---\ndate: 2026\n---\n{SPANISH}".encode(), "not a YYYY-MM-DD date"),
        (f"---\ndate: 2026-01-16\ntitle: [a, b]\n---\n{SPANISH}".encode(), "not a single value"),
        (b"date 2026-01-16\n<html><body>x</body></html>", "HTML"),
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
