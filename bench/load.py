"""Benchmark `bilat load`: communiqués and words per second, and peak memory.

    .venv/bin/python bench/load.py [--count 300] [--words 400] [--workers 1 2]

Makes COUNT communiqués of about WORDS words each from the bundled examples (paragraphs
of the examples of one language, shuffled with a fixed seed, under a varied date), then
times `bilat load` on them into a fresh store with each number of workers under
/usr/bin/time -v, and prints a table.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
BILAT = Path(sys.executable).parent / "bilat"


def paragraphs_by_language() -> dict[str, list[str]]:
    """The body paragraphs of every bundled example, grouped by language."""
    from bilat.loaders.reader import read_communique

    found: dict[str, list[str]] = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        doc = read_communique(path)
        paragraphs = [p.strip() for p in doc.text.split("\n") if len(p.split()) > 8]
        found.setdefault(doc.language, []).extend(paragraphs)
    return found


def make_corpus(folder: Path, count: int, words: int) -> int:
    """Write `count` communiqués into `folder`; return their total number of words."""
    rng = random.Random(1)
    pools = paragraphs_by_language()
    languages = sorted(pools)
    total = 0
    for i in range(count):
        pool = pools[languages[i % len(languages)]]
        body: list[str] = []
        while sum(len(p.split()) for p in body) < words:
            body.append(rng.choice(pool))
        published = date(2025, 1, 1) + timedelta(days=i)
        (folder / f"bench-{i:04d}.txt").write_text(
            f"date {published.isoformat()}\n" + "\n\n".join(body) + "\n", encoding="utf-8"
        )
        total += sum(len(p.split()) for p in body)
    return total


def timed_load(corpus: Path, store: Path, workers: int) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one `bilat load` run."""
    command = ["/usr/bin/time", "-v", str(BILAT), "--store", str(store), "load",
               "--workers", str(workers), str(corpus)]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"bilat load failed:\n{run.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        words = make_corpus(corpus, args.count, args.words)
        print(f"{args.count} communiqués, {words} words ({words / args.count:.0f} per communiqué)")
        print("| workers | seconds | communiqués/s | words/s | peak RSS (MiB) |")
        print("|---|---|---|---|---|")
        for workers in args.workers:
            seconds, peak = timed_load(corpus, Path(tmp) / f"store-{workers}", workers)
            print(f"| {workers} | {seconds:.1f} | {args.count / seconds:.1f} | "
                  f"{words / seconds:,.0f} | {peak / 1024:.0f} |")


if __name__ == "__main__":
    main()
