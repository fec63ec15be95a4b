"""Robustness: `bilat load` never crashes on a file and never half-writes one.

Every kind of bad input goes through the real command into a real on-disk store; a property
test then throws arbitrary bytes and text at the reader and the extraction behind it."""

import os
import random
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from bilat.cli import main
from bilat.graph import Store
from bilat.graph.aggregates import AGGREGATES_GRAPH
from bilat.loaders import batch, extract
from bilat.loaders.reader import MAX_BYTES, ReadError, parse_communique
from bilat.loaders.reading import MAX_CHUNK, chunks, read

from conftest import REPO

EXAMPLES = REPO / "examples"
GOOD = EXAMPLES / "seed-2026-01-16-us-mx-soberania.txt"
SECOND = EXAMPLES / "es-2025-02-03-mx-us-llamada-aranceles.txt"
SPANISH = (
    "Los gobiernos de México y Colombia acordaron ayer reforzar la cooperación en seguridad. "
    "La presidenta Claudia Sheinbaum dijo que la reunión fue productiva."
)
GERMAN = (
    "Die Regierungen haben sich auf eine Zusammenarbeit geeinigt und wollen die Gespräche "
    "im nächsten Monat fortsetzen."
)


def long_line(size: int) -> str:
    """One line of `size` characters of real Spanish sentences, without a line break."""
    sentence = SPANISH + " "
    return (sentence * (size // len(sentence) + 1))[:size]


# name -> (bytes, what the error line must say, or None when the file must load)
INPUTS = {
    "random.txt": (random.Random(7).randbytes(4096), "binary"),
    "truncated.txt": (f"date 2026-01-16\n{SPANISH} Perú".encode()[:-1], "truncated"),
    "utf16.txt": (f"date 2026-01-16\n{SPANISH}\n".encode("utf-16"), None),
    "utf16be.txt": (f"\ufeffdate 2026-01-16\n{SPANISH}\n".encode("utf-16-be"), None),
    "utf8bom.txt": (f"date 2026-01-16\n{SPANISH}\n".encode("utf-8-sig"), None),
    "latin1.txt": (f"date 2026-01-16\n{SPANISH}\n".encode("latin-1"), None),
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\t\r\n   \n", "empty"),
    "huge.txt": (b"date 2026-01-16\n" + long_line(20 * 1024 * 1024).encode(), "larger than"),
    "longline.txt": (f"date 2026-01-16\n{long_line(100_000)}\n".encode(), None),
    "nul.txt": (f"date 2026-01-16\n{SPANISH}".encode().replace(b" ", b"\x00", 3), "NUL"),
    "baddate.txt": (f"date 2026-02-30\n{SPANISH}".encode(), "not a real YYYY-MM-DD date"),
    "badyaml.txt": (f"---\ndate: 2026-01-16\ntitle: [a, b\n---\n{SPANISH}".encode(), "YAML"),
    "yamldate.txt": (f"---\ndate: 2026-02-30\n---\n{SPANISH}".encode(), "impossible date"),
    "page.txt": (b"<!DOCTYPE html>\n<html><head><title>x</title></head><body>"
                 + SPANISH.encode() + b"</body></html>", "HTML"),
    "german.txt": (f"date 2026-01-16\n{GERMAN}".encode(), "not one bilat reads"),
    # a file already in the store, overwritten by junk: the stored graph must stay as it was
    GOOD.name: (bytes(range(0x80, 0xA0)) * 8, "not text in a known encoding"),
}


def run(store, *args):
    return CliRunner().invoke(main, ["--store", str(store), *args])


def communique_quads(store: Store) -> set:
    """All quads but the aggregates graph's, which every load recomputes from the rest."""
    return {q for q in store.quads() if q.graph_name != AGGREGATES_GRAPH}


def graph_names(store):
    with Store(store, read_only=True) as s:
        return {g.value.rsplit("/", 1)[-1] for g in s.named_graphs()}


def test_every_bad_input_is_named_and_leaves_the_store_as_it_was(tmp_path):
    store = tmp_path / "store"
    assert run(store, "load", str(GOOD)).exit_code == 0
    with Store(store, read_only=True) as s:
        before = communique_quads(s)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SECOND, folder / SECOND.name)
    for name, (raw, _) in INPUTS.items():
        (folder / name).write_bytes(raw)

    result = run(store, "load", str(folder))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    expected = {name: reason for name, (_, reason) in INPUTS.items() if reason}
    assert len(errors) == len(expected), result.output
    for name, reason in expected.items():
        [line] = [e for e in errors if f"/{name}: " in e]
        assert reason in line, line
    usable = {name.removesuffix(".txt") for name, (_, reason) in INPUTS.items() if not reason}
    stem = SECOND.stem.lower()
    assert graph_names(store) == {"ontology", GOOD.stem, stem, *usable}
    with Store(store, read_only=True) as s:
        after = communique_quads(s)
        new = {q for q in after if q.graph_name.value.rsplit("/", 1)[-1] in {stem, *usable}}
        # nothing of a refused file, and the graph the junk file would have replaced unchanged
        assert after - new == before
        texts = s.query(
            "SELECT ?g ?t WHERE { GRAPH ?g { ?c <https://w3id.org/bilat/ontology#fullText> ?t } }"
        )
        text = {row["g"].value.rsplit("/", 1)[-1]: row["t"].value for row in texts}
    # the usable files decoded right, to the character
    for name in usable - {"longline"}:
        assert text[name] == SPANISH, name
    assert text["longline"] == long_line(100_000).strip()  # the body is stripped


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.write(b"date 2026-01-16\n")
        file.seek(20 * 1024 * 1024)
        file.write(b"x")
    result = run(tmp_path / "store", "load", str(huge))
    assert result.exit_code == 1
    assert f"{huge}: the file is larger than {MAX_BYTES // 2**20} MB" in result.output


def die_on_poison(path):
    if path.name == "poison.txt":
        os._exit(1)  # a worker killed mid-file, as by the out-of-memory killer
    return batch.load_file(path)


def test_a_worker_that_dies_is_reported_not_a_crash(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / GOOD.name)
    (folder / "poison.txt").write_text(f"date 2026-01-16\n{SPANISH}")
    monkeypatch.setattr(batch, "try_load", die_on_poison)
    store = tmp_path / "store"
    result = run(store, "load", "--workers", "2", str(folder))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "poison.txt: a worker process died" in result.output
    assert "poison" not in graph_names(store)


def test_long_paragraphs_are_cut_where_sentences_end():
    text = long_line(100_000)
    pieces = chunks(10, text)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= MAX_CHUNK for _, p in pieces)
    assert [start for start, _ in pieces] == [10 + text.index(p) for _, p in pieces[:1]] + [
        10 + sum(len(p) for _, p in pieces[:i]) for i in range(1, len(pieces))]
    assert all(p.endswith(". ") for _, p in pieces[:-1])
    word = "x" * (3 * MAX_CHUNK)  # no sentence end, no space: cut at the limit
    assert [len(p) for _, p in chunks(0, word)] == [MAX_CHUNK] * 3


def test_sentence_offsets_of_a_long_line_point_into_the_text():
    doc = parse_communique(f"date 2026-01-16\n{long_line(30_000)}".encode(), "long.txt")
    reading = read(doc)
    assert len(reading.sentences) > 100
    for sentence in reading.sentences:
        assert doc.text[sentence.start : sentence.end] == sentence.text


# ---- property-based: nothing but ReadError out of the reader, nothing at all out of extract

WORDS = SPANISH.split() + "the of and to the two governments agreed said meeting".split()
WEIRD = st.characters(
    codec="utf-8",
    categories=["Mn", "Me", "Cc", "Cf", "So", "Zs", "Lo", "Nd", "Po", "Cs", "Co"],
) | st.sampled_from("\u0301\u200f\u202e\u05d0\u0627\U0001f600\U0001f1f2\U0001f1fd\ufeff\x85\u2028")
# hypothesis keeps caches in ./.hypothesis/ by default: keep them out of the repository
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "bilat-hypothesis")
# deadline=None: the first example loads spaCy; database=None: failures are not replayed
FUZZ = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def only_read_errors(raw: bytes):
    """The communiqué when the reader accepts the bytes; None when it refuses them right."""
    try:
        return parse_communique(raw, "fuzz.txt")
    except ReadError as error:
        assert "\n" not in str(error)
        return None


@settings(FUZZ, max_examples=100)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_nothing_but_read_error(raw):
    only_read_errors(raw)


@settings(FUZZ, max_examples=100)
@given(
    st.text(WEIRD, max_size=300),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "truncated"]),
)
def test_arbitrary_text_in_any_encoding_raises_nothing_but_read_error(text, encoding):
    body = f"date 2026-01-16\n{text}"
    if encoding == "truncated":
        raw = body.encode()[:-1]
    else:
        raw = body.encode(encoding, errors="ignore")
    only_read_errors(raw)


SCALAR = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(), st.dates(),
                   st.datetimes(), st.booleans())


@settings(FUZZ, max_examples=100)
@given(
    st.dictionaries(
        st.sampled_from(["date", "language", "title", "source", "other"]),
        SCALAR | st.lists(SCALAR, max_size=3) | st.dictionaries(st.text(max_size=3), SCALAR),
    ),
    st.text(max_size=50),
)
def test_any_front_matter_raises_nothing_but_read_error(meta, junk):
    front = yaml.safe_dump(meta, allow_unicode=True) + junk
    communique = only_read_errors(f"---\n{front}\n---\n{SPANISH}".encode())
    if communique is not None:
        extract(communique)  # any title, source and date the reader lets through


@pytest.fixture(scope="module")
def models():
    from bilat.loaders.nlp import pipeline

    pipeline("es")
    pipeline("en")


TEXT = st.lists(st.sampled_from(WORDS) | st.text(WEIRD, max_size=4)
                | st.sampled_from([".", ",", "\n", "\n\n", "«", "»", '"', " 3 de marzo", " ayer"]),
                max_size=80).map(" ".join)


@settings(FUZZ, max_examples=40,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["", "language: es\n", "language: en\n"]))
def test_extraction_of_any_readable_text_does_not_raise(models, text, language):
    communique = only_read_errors(f"---\ndate: 2026-01-16\n{language}---\n{text}".encode())
    if communique is not None:
        extract(communique)


def test_weekday_near_the_first_representable_date(models):
    # found by hypothesis: dateparser raised OverflowError for a weekday before year 1
    text = "The leaders agreed on Saturday to develop relations."
    communique = parse_communique(f"date 2026-01-16\n{text}".encode(), "x.txt")
    extract(replace(communique, published=date(1, 1, 1)))


def test_implausible_publication_years_are_refused():
    with pytest.raises(ReadError, match="not a plausible publication date"):
        parse_communique(f"date 0001-01-01\n{SPANISH}".encode(), "x.txt")


# ---- property-based, through the loader's entry point: a file's bytes in, a graph out

HEADERS = st.sampled_from(["", "date 2026-01-16\n", " date 2026-01-16 ",
                           "---\ndate: 2026-01-16\n---\n",
                           "---\ndate: 2026-01-16\nlanguage: en\ntitle: «x»\n---\n"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
WORDY = st.lists(st.sampled_from(WORDS) | st.sampled_from([".", ",", "\n", "«", "»", "3 de marzo"]),
                 min_size=3, max_size=80).map(" ".join)
TEXT_FILE = st.builds(
    lambda header, text, encoding: (header + text).encode(encoding, errors="ignore"),
    HEADERS, st.one_of(WORDY, WORDY, TEXT, st.text(WEIRD, max_size=200)), ENCODINGS,
)
# mostly text, so that many files load and their graphs go into a store
FILE_BYTES = st.one_of(st.binary(max_size=1000), TEXT_FILE, TEXT_FILE, TEXT_FILE)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "fuzz.txt"


@settings(FUZZ, max_examples=60,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(FILE_BYTES)
def test_any_file_gives_a_storable_graph_or_one_line(models, fuzz_file, raw):
    """What `bilat load` does per file: batch.try_load, then one replace_graph."""
    fuzz_file.write_bytes(raw)
    loaded = batch.try_load(fuzz_file)
    event("refused" if isinstance(loaded, str) else "loaded")  # --hypothesis-show-statistics
    if isinstance(loaded, str):
        assert "\n" not in loaded
        assert not loaded.startswith("internal error"), loaded
        return
    store = Store()
    store.replace_graph(loaded.graph, loaded.quads)
    stored = {(q.subject, q.predicate, q.object) for q in store.quads(loaded.graph)}
    assert stored == {(q.subject, q.predicate, q.object) for q in loaded.quads}
