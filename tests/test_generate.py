"""bench/generate.py: synthetic communiqués shaped like the loaders' output.

And Store.import_file's loading strategy, on its files: bulk load into an empty store, a
parse pass first into a store that has data; a malformed file adds nothing either way.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, parse

from bilat.cli import main
from bilat.graph import Store, StoreError

from conftest import REPO

spec = importlib.util.spec_from_file_location("generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(spec)
sys.modules["generate"] = generate  # its dataclasses look their module up
spec.loader.exec_module(generate)

BILAT = "https://w3id.org/bilat/ontology#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "g.nq"
    return out, generate.generate(12, out, seed=5, pool=300)


def test_the_file_parses_and_holds_what_the_summary_says(generated):
    path, summary = generated
    quads = list(parse(path=path, format=RdfFormat.N_QUADS))
    assert len(quads) == summary["quads"]
    assert json.loads(path.with_suffix(".json").read_text())["quads"] == summary["quads"]
    graphs = {q.graph_name.value for q in quads}
    communiques = {g for g in graphs if "/communique/" in g}
    assert len(communiques) == 12 and "https://w3id.org/bilat/ontology" in graphs
    types = Counter(q.object.value.removeprefix(BILAT) for q in quads if q.predicate.value == TYPE)
    assert types["Communique"] == 12
    assert 12 * 5 <= types["Claim"] <= 12 * 10 == 120
    assert 12 <= types["Commitment"] <= 36 and types["Event"] >= 12


def test_every_quad_of_a_communique_sits_in_its_own_graph(generated):
    path, _ = generated
    for q in parse(path=path, format=RdfFormat.N_QUADS):
        if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom":
            assert q.object == q.graph_name


def test_the_same_seed_gives_the_same_file_and_another_seed_another(generated, tmp_path):
    path, _ = generated
    again, other = tmp_path / "again.nq", tmp_path / "other.nq"
    generate.generate(12, again, seed=5, pool=300)
    generate.generate(12, other, seed=6, pool=300)
    assert again.read_bytes() == path.read_bytes()
    assert other.read_bytes() != path.read_bytes()


def test_an_imported_file_conforms_to_the_shapes(generated, tmp_path):
    path, _ = generated
    store = str(tmp_path / "store")
    runner = CliRunner()
    imported = runner.invoke(main, ["--store", store, "import", str(path)])
    assert imported.exit_code == 0, imported.output
    validated = runner.invoke(main, ["--store", store, "validate"])
    assert validated.exit_code == 0, validated.output
    assert "conforms" in validated.output


def broken_copy(path: Path, folder: Path) -> Path:
    """The file with a bad line near its end."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(len(lines) - 3, '<https://e.org/a> <https://e.org/p> "unterminated .\n')
    bad = folder / "bad.nq"
    bad.write_text("".join(lines), encoding="utf-8")
    return bad


@pytest.mark.parametrize("first", [None, "fixture"])
def test_a_malformed_file_adds_nothing_and_says_where(generated, tmp_path, first):
    path, _ = generated
    bad = broken_copy(path, tmp_path)
    with Store(tmp_path / "store") as store:
        if first:  # a store that already holds data takes the parse-first path
            store.import_file(REPO / "tests" / "data" / "fixture.trig")
        before = set(store.quads())
        with pytest.raises(StoreError) as error:
            store.import_file(bad)
        assert set(store.quads()) == before
    assert "bad.nq" in str(error.value) and "line" in str(error.value)


def test_importing_into_a_store_with_data_adds_the_file(generated, tmp_path):
    path, summary = generated
    with Store(tmp_path / "store") as store:
        store.import_file(REPO / "tests" / "data" / "fixture.trig")
        before = len(store.quads())
        assert store.import_file(path) == summary["quads"]
        assert len(store.quads()) > before + summary["quads"] * 0.9
