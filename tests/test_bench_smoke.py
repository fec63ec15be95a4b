"""The store, web, load and Virtuoso benchmarks run end to end (tiny N).

Each runs its script as a user would, with a real server on 127.0.0.1 (and a real
Virtuoso, where Debian's package is installed), and reads what it prints.
"""

import re
import shutil
import subprocess
import sys

import pytest

from bilat.graph import Store

from conftest import DATA, REPO

BENCH = REPO / "bench"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    """A store folder with the vocabulary and the fixture's two communiqués."""
    path = tmp_path_factory.mktemp("bench") / "store"
    with Store(path) as store:
        store.load_vocabulary()
        store.import_file(DATA / "fixture.trig")
    return path


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / script), *map(str, args)],
                          capture_output=True, text=True, timeout=300, check=False)


def test_run_times_the_bulk_loader_the_import_and_a_load_after_it(tmp_path):
    done = run("run.py", "--sizes", "300", "--skip-queries", "--dir", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    row = next(line for line in done.stdout.splitlines() if line.startswith("| 300 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 11 and 0 < float(cells[6]) and float(cells[10]) > 0  # ratio, load s
    whole, load = float(cells[4]), float(cells[7].split()[0])  # the import; its load part
    assert 0 < load < whole
    with Store(tmp_path / "store-gen-0k", read_only=True) as store:  # the examples are in
        assert len(store.named_graphs()) == 1 + 300 + 5


def test_latency_times_first_and_deep_pages(tmp_path):
    data = tmp_path / "gen.nq"
    assert run("generate.py", 200, "-o", data, "--seed", 3).returncode == 0
    with Store(tmp_path / "store") as store:
        store.import_file(data)
    found = {}
    for offset in (0, 10**6):  # the first page, and one past the end of every answer
        done = run("latency.py", tmp_path / "store", data.with_suffix(".json"), "--runs", 3,
                   "--offset", offset, "--only", "actor-statements", "evidence-containing")
        assert done.returncode == 0, done.stderr[-2000:]
        rows = re.findall(r"^\| (\S+) \| ([\d.]+) \| [\d.]+ \| [\d.]+ \| 3 \| ([\d.]+) \|",
                          done.stdout, re.MULTILINE)
        assert [name for name, _, _ in rows] == ["actor-statements", "evidence-containing"]
        assert all(float(ms) > 0 for _, ms, _ in rows)
        found[offset] = sum(float(mean) for _, _, mean in rows)
    assert found[0] > 0 and found[10**6] == 0


def test_aggregates_times_each_file_and_counts_its_rows(store_dir):
    done = run("aggregates.py", store_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = dict(re.findall(r"^\| (\S+\.rq) \| [\d.]+ \| ([\d,]+) \|$", done.stdout, re.MULTILINE))
    assert "views/text.rq" in rows and "50-month-items.rq" in rows
    with Store(store_dir, read_only=True) as store:  # as many rows as the refresh wrote
        written = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                              "<https://w3id.org/bilat/id/graph/aggregates> { ?s ?p ?o } }")
        in_graph = int(next(iter(written))["n"].value)
    made = sum(int(n.replace(",", "")) for name, n in rows.items() if name != "views/text.rq")
    assert 0 < in_graph <= made  # rows two files both make are one triple in the graph


def test_web_compares_store_twin_and_sparql_and_reads_memory(store_dir):
    done = run("web.py", "--store", store_dir, "--runs", "2", "--requests", "3",
               "--questions", "actor-statements", "who-met-whom")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| actor-statements")]
    assert len(rows) == 1 and "errors" not in rows[0]
    marks = re.findall(r"^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", done.stdout, re.MULTILINE)
    assert [int(mark[0]) for mark in marks] == [0, 3, 30]
    assert all(int(total) >= int(rss) > 10 for _, rss, _, total in marks)  # MiB: a live server
    assert "DISAGREE" not in done.stdout


def test_web_times_first_pages_and_their_sparql(store_dir):
    done = run("web.py", "--store", store_dir, "--runs", "2", "--requests", "2", "--page", "3",
               "--questions", "actor-statements", "most-active-actors")
    assert done.returncode == 0, done.stderr[-2000:]
    row = next(line for line in done.stdout.splitlines() if line.startswith("| most-active"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2] == "3" and len(cells) == 12 and "errors" not in row  # 3 rows, 4 ways
    assert "DISAGREE" not in done.stdout


def test_loadtest_counts_requests_and_no_errors(store_dir):
    done = run("loadtest.py", "--store", store_dir, "--clients", "4", "--duration", "2",
               "--max-requests", "40", "--questions", "actor-statements", "planned-events")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    total = re.search(r"^\| \*\*all\*\* \| (\d+) \| (\d+) \|", done.stdout, re.MULTILINE)
    assert total is not None, done.stdout
    assert 0 < int(total.group(1)) <= 40 and total.group(2) == "0"


def test_loadtest_exits_1_when_requests_fail(store_dir):
    # a server that is not there: every request fails, and the run says so
    done = run("loadtest.py", "--store", store_dir, "--url", "http://127.0.0.1:9",
               "--clients", "2", "--duration", "1", "--max-requests", "4", "--no-warmup")
    assert done.returncode == 1
    assert re.search(r"^\| \*\*all\*\* \| 4 \| 4 \|", done.stdout, re.MULTILINE)
    assert "ERROR x4: ConnectionError" in done.stdout.splitlines()


@pytest.mark.skipif(shutil.which("virtuoso-t") is None, reason="Debian's virtuoso-opensource")
def test_virtuoso_agrees_with_oxigraph(store_dir, tmp_path):
    done = run("virtuoso.py", "--store", store_dir, "--runs", "2", "--home", tmp_path / "virt",
               "--questions", "actor-statements", "communiques-on-topic")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    quads = re.search(r"quads: Oxigraph ([\d,]+), Virtuoso ([\d,]+)", done.stdout)
    assert quads and quads.group(1) == quads.group(2)
    rows = [line for line in done.stdout.splitlines() if line.startswith("| communiques-on")]
    assert len(rows) == 1 and "error" not in rows[0]
    assert "DISAGREE" not in done.stdout
    assert not (tmp_path / "virt" / "db" / "virtuoso.lck").exists()  # shut down
