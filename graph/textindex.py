"""A full-text index beside the store: Oxigraph has none.

"Which claims' evidence contains the word X" is a scan of every sentence for Oxigraph; a
rare word reads all of them (at 100k communiqués, 750k sentences, over a minute). The
index is SQLite's FTS5 with its trigram tokenizer, which finds the texts that contain a
phrase anywhere (not only whole words), as SPARQL's CONTAINS does. It holds the texts
queries/views/text.rq selects, with each item's IRI and date, newest first, so the first
matches it hands out are the newest: a page binds the items to the question's query,
which still checks and orders them (queries/paging.py).

It is derived data, rebuilt whole with the aggregates graph after every load, in one SQLite
transaction: a reader sees the old index or the new one. The texts are lowercased here, and
the phrase looked up is too, as the queries' `CONTAINS(LCASE(...), LCASE(...))` are.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

FILE_NAME = "bilat-text.sqlite"  # inside the store's folder, beside RocksDB's files
QUERY = (Path(__file__).resolve().parents[1] / "queries" / "views" / "text.rq").read_text(
    encoding="utf-8"
)
SHORTEST = 3  # trigrams: a shorter phrase cannot be looked up
# (IRI, date or "") of the items found, and whether they are every match
Matches = tuple[list[tuple[str, str]], bool]
BATCH = 10_000


class TextIndex:
    """The index file of one store folder."""

    def __init__(self, folder: Path):
        self.path = folder / FILE_NAME

    def rebuild(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Replace the index with `rows` (item IRI, date or "", text; in any order)."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers go on reading the old index
            db.execute("BEGIN")
            try:
                db.execute("CREATE TEMP TABLE staged (iri TEXT, date TEXT, text TEXT)")
                batch: list[tuple[str, str, str]] = []
                for iri, date, text in rows:
                    batch.append((iri, date, text.lower()))
                    if len(batch) == BATCH:
                        db.executemany("INSERT INTO staged VALUES (?, ?, ?)", batch)
                        batch = []
                db.executemany("INSERT INTO staged VALUES (?, ?, ?)", batch)
                # an item's rowid is its place, newest first: the order matches come out in
                db.execute(
                    "CREATE TEMP TABLE places AS SELECT rowid AS staged FROM staged "
                    "ORDER BY date DESC, iri"
                )
                db.execute("DROP TABLE IF EXISTS texts")
                db.execute("DROP TABLE IF EXISTS items")
                db.execute("CREATE TABLE items (rowid INTEGER PRIMARY KEY, iri TEXT, date TEXT)")
                # contentless: the texts themselves are in the store
                db.execute(
                    "CREATE VIRTUAL TABLE texts USING "
                    "fts5(text, content='', tokenize='trigram case_sensitive 1')"
                )
                placed = "FROM places JOIN staged ON staged.rowid = places.staged"
                db.execute(f"INSERT INTO items SELECT places.rowid, iri, date {placed}")
                db.execute(f"INSERT INTO texts (rowid, text) SELECT places.rowid, text {placed}")
                db.execute("DROP TABLE staged")
                db.execute("DROP TABLE places")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def first(
        self, phrase: str, count: int, newest: bool = True, deadline: float | None = None
    ) -> Matches | None:
        """(IRI, date or "") of the first `count` items whose text contains `phrase` (any
        case), in the index's order (`newest` False: reversed), and of every later item of
        the same date as the last of them; and whether these are all the matches. None
        when the index cannot say: no index (or none this process can read), or a phrase
        too short to look up. `deadline` is a time.monotonic() value past which the lookup
        stops with TimeoutError."""
        phrase = phrase.lower()
        if len(phrase) < SHORTEST or not self.path.exists():
            return None
        try:
            with closing(sqlite3.connect(self.path)) as db:
                if deadline is not None:  # a non-zero return interrupts the statement
                    db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
                found = db.execute(
                    "SELECT iri, date FROM texts JOIN items ON items.rowid = texts.rowid "
                    f"WHERE texts MATCH ? ORDER BY texts.rowid {'ASC' if newest else 'DESC'}",
                    ['"' + phrase.replace('"', '""') + '"'],
                )
                return _through_last_date(found, count)
        except sqlite3.DatabaseError as error:
            if "interrupted" in str(error):
                raise TimeoutError("the text index lookup ran out of time") from error
            return None  # no index yet, or one this process cannot read: read without it


def _through_last_date(found: sqlite3.Cursor, count: int) -> Matches:
    """The first `count` (IRI, date) matches and the rest of the last one's date; whether
    that was all."""
    matches: list[tuple[str, str]] = []
    for iri, date in found:
        if len(matches) >= count and date != matches[-1][1]:
            return matches, False
        matches.append((iri, date))
    return matches, True
