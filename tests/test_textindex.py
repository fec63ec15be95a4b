"""The full-text index beside the store (graph/textindex.py): what it finds, in which order,
and that a rebuild replaces it whole or not at all."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from bilat.cli import main
from bilat.graph import Store
from bilat.graph.textindex import TextIndex

from conftest import REPO

ROWS = [  # the index orders them: newest first, then by IRI
    ("http://example.org/c5", "2024-03-02", "Talks on Energy security"),
    ("http://example.org/c4", "2024-03-01", "A note on trade"),
    ("http://example.org/c3", "2024-03-01", "Energy SECURITY again"),
    ("http://example.org/c2", "2024-03-01", "security of supply"),
    ("http://example.org/c1", "2024-02-10", "Cooperación en seguridad"),
    ("http://example.org/c0", "", "An undated note on security"),
]


@pytest.fixture
def index(tmp_path) -> TextIndex:
    built = TextIndex(tmp_path)
    built.rebuild(ROWS)
    return built


def iris(*numbers: int) -> list[tuple[str, str]]:
    """The matches (IRI, date) of these rows."""
    return [(f"http://example.org/c{n}", next(r[1] for r in ROWS if r[0].endswith(f"c{n}")))
            for n in numbers]


def test_matches_come_newest_first_through_the_last_ones_date(index):
    # the second match is of 2024-03-01: the rest of that date comes with it, by IRI
    assert index.first("security", 2) == (iris(5, 2, 3), False)
    assert index.first("security", 4) == (iris(5, 2, 3, 0), True)
    assert index.first("security", 1, newest=False) == (iris(0), False)


def test_any_case_any_part_of_a_word_and_accents(index):
    assert index.first("ENERGY Sec", 9) == (iris(5, 3), True)
    assert index.first("curi", 9)[0] == iris(5, 2, 3, 0)
    assert index.first("cooperación", 9) == (iris(1), True)
    assert index.first("nowhere", 9) == ([], True)


def test_quotes_and_operators_are_text(index):
    assert index.first('note" OR "trade', 9) == ([], True)
    assert index.first("note AND", 9) == ([], True)


def test_it_cannot_say_for_short_phrases_or_without_an_index(index, tmp_path):
    assert index.first("on", 9) is None
    assert TextIndex(tmp_path / "elsewhere").first("security", 9) is None


def test_a_lookup_past_its_deadline_stops(tmp_path):
    many = TextIndex(tmp_path)
    many.rebuild((f"http://example.org/{n}", "2024-01-01", "the same words") for n in range(5000))
    with pytest.raises(TimeoutError):
        many.first("words", 5000, deadline=time.monotonic() - 1)


def test_a_failed_rebuild_leaves_the_old_index(index):
    def broken():
        yield ("http://example.org/new", "2025-01-01", "new security text")
        raise OSError("the reader broke")

    with pytest.raises(OSError):
        index.rebuild(broken())
    assert index.first("security", 9) == (iris(5, 2, 3, 0), True)


def test_loading_a_communique_indexes_its_evidence(tmp_path):
    folder = tmp_path / "store"
    example = REPO / "examples" / "en-2025-10-30-us-cn-busan-meeting.txt"
    result = CliRunner().invoke(main, ["--store", str(folder), "load", str(example)])
    assert result.exit_code == 0, result.output
    with Store(folder, read_only=True) as store:
        sentences = {
            row["claim"].value: row["text"].value
            for row in store.query(
                "SELECT ?claim ?text "
                "WHERE { ?claim a bilat:Claim ; bilat:evidence/nif:anchorOf ?text }"
            )
        }
        index = store.text_index()
    assert sentences
    for claim, text in sentences.items():
        word = max(text.split(), key=len)
        matches = dict(index.first(word, 100)[0])
        assert matches[claim] == "2025-10-30", word  # the communiqué's date


def test_an_unreadable_index_cannot_say(tmp_path):
    broken = TextIndex(tmp_path)
    broken.path.write_bytes(b"not a database at all" * 100)
    assert broken.first("security", 9) is None
