"""Extracting many communiqués, in worker processes when asked: loaders stay pure."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from bilat.loaders.nlp import pipeline
from bilat.loaders.pipeline import Loaded, load_file
from bilat.loaders.reader import LANGUAGES, ReadError, one_line


def try_load(path: Path) -> Loaded | str:
    """The loaded communiqué, or a one-line reason why it could not be read."""
    try:
        return load_file(path)
    except ReadError as error:
        return one_line(str(error))
    except Exception as error:  # a bug on one file must not stop the others
        return one_line(f"internal error ({type(error).__name__}: {error})")


def load_many(paths: list[Path], workers: int = 1) -> Iterator[tuple[Path, Loaded | str]]:
    """Each path with its result, in the order given; `workers` > 1 extracts in parallel."""
    if workers <= 1:
        for path in paths:
            yield path, try_load(path)
        return
    for lang in LANGUAGES:  # load the models once, before the workers fork and share them
        pipeline(lang)
    gc.freeze()  # keep the collector off the shared pages, or each worker copies them all
    done = 0
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        for result in pool.map(try_load, paths, chunksize=4):
            yield paths[done], result
            done += 1
    except BrokenProcessPool:  # a worker killed (out of memory, a crash in a C extension)
        for path in paths[done:]:
            yield path, "a worker process died while extracting it; load it again alone"
    finally:
        # a caller that stops early (a full disk) must not wait for the files left
        pool.shutdown(cancel_futures=True)
