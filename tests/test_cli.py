"""The `bilat` command end to end on a real on-disk store in a temporary folder."""

import json
import re
import shutil

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from bilat.cli import main
from bilat.graph import Store

from conftest import REPO

EXAMPLES = REPO / "examples"
GOOD = sorted(EXAMPLES.glob("*.txt"))[:2]


def run(store, *args):
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    return result


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A store holding every bundled example."""
    store = tmp_path_factory.mktemp("store") / "s"
    result = run(store, "load", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    return store


def test_bad_files_are_named_and_the_good_ones_load(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for good in GOOD:
        shutil.copy(good, folder / good.name)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    # neither UTF-8 nor plausible Latin-1 text: high bytes with C1 control codes
    junk = b"date 2026-01-16\n" + bytes(range(0x80, 0xA0)) * 4 + b"\xfe\xff\x81\x8d"
    (folder / "latin1.txt").write_bytes(junk)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "nodate.txt").write_text("Los gobiernos de México y Chile acordaron cooperar.")
    store = tmp_path / "store"
    result = run(store, "load", str(folder))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert sorted(line.split(":")[1].strip().rsplit("/", 1)[-1] for line in errors) == [
        "binary.txt", "empty.txt", "latin1.txt", "nodate.txt"]
    assert "Traceback" not in result.output
    assert "Summarizing" in result.output  # the aggregates refresh shows its progress
    with Store(store, read_only=True) as s:
        graphs = {g.value.rsplit("/", 1)[-1] for g in s.named_graphs()}
    assert graphs == {"ontology", *(g.stem.lower() for g in GOOD)}


def test_export_turtle_and_trig_parse_back_isomorphic(loaded, tmp_path):
    trig, ttl, nq = tmp_path / "a.trig", tmp_path / "a.ttl", tmp_path / "a.nq"
    assert run(loaded, "export", "--format", "trig", "-o", str(trig)).exit_code == 0
    assert run(loaded, "export", "--format", "turtle", "-o", str(ttl)).exit_code == 0
    assert run(loaded, "export", "--format", "nq", "-o", str(nq)).exit_code == 0
    from_trig, from_nq = Dataset(), Dataset()
    from_trig.parse(trig, format="trig")
    from_nq.parse(nq, format="nquads")
    assert len(from_nq) > 0
    for graph in from_nq.graphs():
        assert isomorphic(graph, from_trig.graph(graph.identifier))
    union = Graph()
    for graph in from_nq.graphs():
        union += graph
    assert isomorphic(Graph().parse(ttl, format="turtle"), union)


def test_export_one_graph_and_jsonld(loaded):
    iri = "https://w3id.org/bilat/id/communique/seed-2026-01-16-us-mx-soberania"
    result = run(loaded, "export", "--format", "jsonld", "--graph", iri)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)
    missing = run(loaded, "export", "--graph", "https://example.org/none")
    assert missing.exit_code == 1 and "no named graph" in missing.output


def test_validate_reports_no_violation_on_the_examples(loaded):
    result = run(loaded, "validate")
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_query_by_name_with_parameters(loaded):
    result = run(loaded, "query", "commitments-on-topic", "--param", "topic=security",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"]
    bad = run(loaded, "query", "commitments-on-topic", "--param", "nope=1")
    assert bad.exit_code == 1 and "nope" in bad.output


def test_stats_counts_classes(loaded):
    result = run(loaded, "stats")
    assert result.exit_code == 0, result.output
    assert "ontology#Claim" in result.output and "seed-2026-01-16" in result.output


GOOD_LINES = 1000
BROKEN = {  # a format, a good line of it and a line its parser refuses
    "ttl": ("<http://e/s{i}> <http://e/p> <http://e/o> .", "<http://e/c> <http://e/p> ."),
    "nq": ("<http://e/s{i}> <http://e/p> <http://e/o> <http://e/g> .",
           '<http://e/c> <http://e/p> "x" <http://e/g> <http://e/h> .'),
}


@pytest.mark.parametrize("ext", BROKEN)
@pytest.mark.parametrize("into", ["an empty store", "a store with data"])
def test_import_refuses_a_broken_file_whole_with_line_and_column(tmp_path, ext, into):
    store = tmp_path / "store"
    if into == "a store with data":
        kept = tmp_path / "kept.nq"
        kept.write_text("<http://e/k> <http://e/p> <http://e/o> <http://e/kept> .\n")
        assert run(store, "import", str(kept)).exit_code == 0
    with Store(store) as s:
        before = set(s.quads())
    good, bad_line = BROKEN[ext]
    bad = tmp_path / f"bad.{ext}"
    lines = [good.format(i=i) for i in range(GOOD_LINES)]
    bad.write_text("\n".join([*lines, bad_line, *lines]) + "\n")

    result = run(store, "import", str(bad))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    [error] = result.output.splitlines()
    assert error.startswith(f"Error: bad.{ext}: ")
    assert re.search(rf"\bline {GOOD_LINES + 1}\b.*\bcolumns? [0-9]+", error), error
    with Store(store) as s:
        assert set(s.quads()) == before  # not the 1,000 good lines before the broken one


def test_import_of_a_folder_is_one_line(tmp_path):
    folder = tmp_path / "data.ttl"
    folder.mkdir()
    result = run(tmp_path / "store", "import", str(folder))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {folder}: Is a directory")
    assert len(result.output.splitlines()) == 1


def test_reloading_leaves_the_same_quads(tmp_path):
    store = tmp_path / "store"
    assert run(store, "load", str(GOOD[0])).exit_code == 0
    with Store(store) as s:
        before = set(s.quads())
    assert run(store, "load", str(GOOD[0])).exit_code == 0
    with Store(store) as s:
        assert set(s.quads()) == before


def test_serving_beyond_loopback_needs_an_explicit_flag(tmp_path):
    result = run(tmp_path / "store", "serve", "--host", "0.0.0.0")
    assert result.exit_code == 1 and "--public" in result.output


def test_backup_and_restore_through_nquads(loaded, tmp_path):
    backup, again = tmp_path / "backup.nq", tmp_path / "again.nq"
    assert run(loaded, "export", "--format", "nq", "-o", str(backup)).exit_code == 0
    restored = tmp_path / "restored"
    result = run(restored, "import", str(backup))
    assert result.exit_code == 0, result.output
    assert run(restored, "export", "--format", "nq", "-o", str(again)).exit_code == 0
    original, copy = Dataset(), Dataset()
    original.parse(backup, format="nquads")
    copy.parse(again, format="nquads")
    assert len(list(original.graphs())) == len(list(copy.graphs())) > 1
    for graph in original.graphs():
        assert isomorphic(graph, copy.graph(graph.identifier))
