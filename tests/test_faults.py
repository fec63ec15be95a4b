"""Faults: `bilat load` killed at any moment, or stopped by a full disk, leaves a store that
opens and holds only whole communiqués, and a rerun ends with the dataset of a clean load.

Those two tests run the real command in a subprocess over 200 distinct communiqués made from
the examples: each copy gets its own file name (so its own named graph), date and title. They
cost about 13 loads of the 200 (one took 7 s on an idle 2-core machine, 2026-11-24)."""

import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, Quad, RdfFormat, parse

from bilat.graph import Store
from bilat.graph.aggregates import AGGREGATES_GRAPH
from bilat.graph.store import VOCABULARY_GRAPH_NODE
from bilat.loaders import batch
from bilat.loaders.rdf import communique_iri
from bilat.loaders.reader import slugify

from conftest import REPO

COPIES = 200
KILLS = 20
STARTING_KILLS = 4  # of the KILLS, those before the first communiqué is stored
PROGRESS = re.compile(rb"([0-9]+)/%d\b" % COPIES)  # the progress bar's count
FIRST_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TITLE = re.compile(r"^title: (.*)$", re.MULTILINE)


def make_communiques(folder: Path) -> None:
    """COPIES communiqués: the examples in turn, each copy a day later and retitled."""
    examples = sorted((REPO / "examples").glob("*.txt"))
    folder.mkdir()
    for i in range(COPIES):
        source = examples[i % len(examples)]
        text = source.read_text(encoding="utf-8")
        found = FIRST_DATE.search(text)  # the header's date comes first in every example
        day = date.fromisoformat(found.group()) + timedelta(days=i // len(examples))
        text = text[: found.start()] + day.isoformat() + text[found.end() :]
        text = TITLE.sub(lambda m, i=i: f"title: {m.group(1)} ({i})", text)
        (folder / f"c{i:03d}-{source.name}").write_text(text, encoding="utf-8")


def bilat(*args: object) -> list[str]:
    return [sys.executable, "-m", "bilat", *map(str, args)]


def load(store: Path, folder: Path) -> list[str]:
    return bilat("--store", store, "load", "--workers", "2", folder)


def canonical(quads) -> set[Quad]:
    """The quads with blank nodes relabelled canonically: isomorphic datasets become equal."""
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def exported(store: Path, tmp_path: Path) -> set[Quad]:
    """The store's dataset as `bilat export --format nq` writes it, canonicalized."""
    out = tmp_path / f"{store.name}.nq"
    subprocess.run(bilat("--store", store, "export", "--format", "nq", "-o", out), check=True)
    return canonical(parse(path=out, format=RdfFormat.N_QUADS))


@dataclass
class Run:
    """One `bilat load` as the test saw it."""

    killed: bool
    stored: int  # communiqués its progress bar had counted when it ended
    first: float | None  # seconds until it counted the first one
    seconds: float


@dataclass
class KillAfter:
    """Kill once the loader has counted `stored` communiqués and `delay` seconds more passed."""

    stored: int
    delay: float
    reached: float | None = None

    def __call__(self, seconds: float, stored: int) -> bool:
        if self.reached is None and stored >= self.stored:
            self.reached = seconds
        return self.reached is not None and seconds >= self.reached + self.delay


def never(seconds: float, stored: int) -> bool:
    return False


def run_load(store: Path, folder: Path, kill: Callable[[float, int], bool] = never) -> Run:
    """`bilat load` with its progress bar on a pseudo-terminal, so that the test sees how
    many communiqués are stored (the bar counts one after its transaction); SIGKILL its
    process group (the loader and its workers) as soon as kill(seconds, stored) says so."""
    reader, terminal = pty.openpty()
    started = time.monotonic()
    process = subprocess.Popen(load(store, folder), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=terminal,
                               start_new_session=True)
    os.close(terminal)
    shown, stored, first = b"", 0, None
    try:
        while process.poll() is None:
            seconds = time.monotonic() - started
            if kill(seconds, stored):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return Run(True, stored, first, seconds)
            if not select.select([reader], [], [], 0.005)[0]:
                continue
            try:
                shown = (shown + os.read(reader, 4096))[-2000:]
            except OSError:  # the terminal is closed: the load has ended
                process.wait()
                break
            counts = PROGRESS.findall(shown)
            if counts and int(counts[-1]) > stored:
                stored, first = int(counts[-1]), first or seconds
    finally:
        os.close(reader)
    assert process.returncode == 0, shown.decode(errors="replace")
    return Run(False, stored, first, time.monotonic() - started)


@dataclass
class Reference:
    folder: Path
    run: Run  # the uninterrupted load
    order: list[NamedNode]  # the communiqués' graphs in the order they are loaded
    graphs: dict[NamedNode, set[Quad]]  # the vocabulary graph canonicalized
    dataset: set[Quad]  # canonicalized


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    """The 200 communiqués and what one uninterrupted load makes of them."""
    tmp = tmp_path_factory.mktemp("faults")
    folder = tmp / "communiques"
    make_communiques(folder)
    store = tmp / "reference"
    run = run_load(store, folder)
    assert run.stored == COPIES and run.first is not None
    dataset = exported(store, tmp)
    graphs: dict[NamedNode, set[Quad]] = {}
    for quad in dataset:
        graphs.setdefault(quad.graph_name, set()).add(quad)
    order = [communique_iri(slugify(path.stem)) for path in sorted(folder.glob("*.txt"))]
    assert set(graphs) == {*order, VOCABULARY_GRAPH_NODE, AGGREGATES_GRAPH}
    return Reference(folder, run, order, graphs, dataset)


def whole_communiques(store: Store, reference: Reference) -> set[NamedNode]:
    """The communiqué graphs the store holds; fails on any graph not exactly whole.

    The aggregates graph is not checked: it is derived from the others at the end of a load
    (graph/aggregates.py), so a killed load leaves it as an earlier load made it."""
    graphs = set(store.named_graphs()) - {AGGREGATES_GRAPH}
    for graph in graphs:
        assert graph in reference.graphs, f"a graph no load makes: {graph}"
        quads = store.quads(graph)
        if graph == VOCABULARY_GRAPH_NODE:  # its OWL lists are blank nodes
            assert canonical(quads) == reference.graphs[graph], "the vocabulary is not whole"
        else:
            assert set(quads) == reference.graphs[graph], f"{graph.value} is not whole"
    outside = [q for q in store.quads() if q.graph_name not in graphs | {AGGREGATES_GRAPH}]
    assert not outside, f"stray quads: {outside[:3]}"
    return graphs - {VOCABULARY_GRAPH_NODE}


def kill_plans(reference: Reference, rng: random.Random) -> list[KillAfter]:
    """KILLS moments spread over a load: a few while it starts (the interpreter, the store's
    opening, the vocabulary, the language models), the rest each in its own stretch of the
    communiqués, a random fraction of one communiqué's time after the bar counted the mark."""
    starting = reference.run.first
    each = (reference.run.seconds - starting) / COPIES
    plans = [KillAfter(0, starting * (j + rng.random()) / STARTING_KILLS)
             for j in range(STARTING_KILLS)]
    stretches = KILLS - STARTING_KILLS
    plans += [KillAfter(int((COPIES - 5) * (j + rng.random()) / stretches), each * rng.random())
              for j in range(stretches)]
    rng.shuffle(plans)
    return plans


def test_a_load_killed_at_any_moment_leaves_whole_communiques(reference, tmp_path):
    """20 SIGKILLs of `bilat load --workers 2`, all on the SAME store, at seeded random
    moments spread over a load (see kill_plans). Every load starts over from the first
    file, so most kills land while graphs already stored are being replaced. After each
    kill the store is opened as the next command would: read-write (which replays and
    flushes the log) after even kills, read-only (which leaves the log for the next load to
    replay) after odd ones; every graph in it must equal the reference's, and every
    communiqué the bar had counted must be there. Then a load run to the end must give the
    reference dataset."""
    store = tmp_path / "store"
    killed_at, opening = [], []
    for k, plan in enumerate(kill_plans(reference, random.Random(20261124))):
        run = run_load(store, reference.folder, plan)
        if run.killed:
            killed_at.append(run.stored)
        if not store.exists():
            continue  # killed before it made the store
        started = time.monotonic()
        with Store(store, read_only=k % 2 == 1) as opened:
            opening.append(time.monotonic() - started)
            held = whole_communiques(opened, reference)
        assert set(reference.order[: run.stored]) <= held, "a counted communiqué was lost"
    print(f"\n{len(killed_at)} kills of a {reference.run.seconds:.1f} s load, after "
          f"{sorted(killed_at)} communiqués; slowest reopen {max(opening):.2f} s")
    # a load may now and then beat its kill to the end when the machine speeds up
    assert len(killed_at) >= KILLS - 2
    assert min(killed_at) == 0 and max(killed_at) > COPIES * 3 // 4
    assert max(opening) < 10, "a killed store must not stall its next open"

    assert not run_load(store, reference.folder).killed
    assert exported(store, tmp_path) == reference.dataset


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MB tmpfs, unmounted afterwards: a disk that fills a few dozen communiqués in."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                                capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no mount command here to make a small disk")
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_stops_the_load_with_one_line_and_a_whole_store(reference, small_disk,
                                                                    tmp_path):
    store = small_disk / "store"
    result = subprocess.run(load(store, reference.folder), capture_output=True, text=True)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"the disk holding the store {store} is full" in error
    stored = int(re.fullmatch(r"loaded (\d+) of 200 .*", result.stdout.strip()).group(1))
    assert 0 < stored < COPIES
    assert f"(the {stored} communiqués stored before that are whole)" in error
    # the full disk is given room by moving the store to a roomy one
    roomy = tmp_path / "roomy"
    shutil.copytree(store, roomy)
    with Store(roomy) as opened:
        assert whole_communiques(opened, reference) == set(reference.order[:stored])
    subprocess.run(load(roomy, reference.folder), check=True, capture_output=True)
    assert exported(roomy, tmp_path) == reference.dataset


def extract_slowly(path: Path) -> str:
    """A stand-in for one file's extraction that leaves a mark of having run."""
    time.sleep(0.1)
    path.with_suffix(".done").touch()
    return "refused"


def test_a_load_stopped_early_does_not_extract_the_rest(tmp_path, monkeypatch):
    """What the full disk needs: the loader stops at once instead of finishing the files."""
    files = [tmp_path / f"{i:03d}.txt" for i in range(60)]
    for path in files:
        path.write_text("x")
    monkeypatch.setattr(batch, "try_load", extract_slowly)  # the workers fork with it
    results = batch.load_many(files, workers=2)
    assert next(results) == (files[0], "refused")
    results.close()  # as `bilat load` does when a write fails
    assert len(list(tmp_path.glob("*.done"))) < len(files) // 2
