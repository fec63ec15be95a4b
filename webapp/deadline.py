"""A time limit on users' SPARQL: a runaway query is stopped, and the server keeps answering.

pyoxigraph has no query timeout (oxigraph issue 1926) and cannot cancel a running query, so
for an on-disk store the query runs in a worker process that can be killed:

- each worker opens a read-only snapshot of the store folder (`Store(path, read_only=True)`,
  ~0.02 s) and keeps it; the app bumps a generation number on every write, and a worker
  whose snapshot is older reopens it before its next query;
- the app sends (generation, query, format) down a pipe and waits at most QUERY_TIMEOUT
  seconds for the answer, already written in the format the client asked for;
- on time-out the worker gets SIGKILL (the query stops using the core at once) and a fresh
  worker takes its place;
- workers are persistent (a pool of QUERY_WORKERS), so a query costs a pipe round trip, not a
  process start; they come from a "forkserver" context: a process holding RocksDB is never
  forked.

A store with no folder (an in-memory store, or a remote store whose server has its own
timeout) cannot be opened by another process: there the query runs in a thread of this
process and only the *wait* has a deadline. The client gets the same error in time, but
the thread cannot be stopped and runs on until the store finishes the query.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from dataclasses import dataclass
from io import BytesIO
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from bilat.graph import Store, StoreError, write_result

EXTENSION = "bilat.deadline"
CONTEXT = "forkserver"
STARTUP_TIMEOUT = 60  # seconds; a loaded 2-core machine took 3 s to start the fork server


class QueryTimeout(Exception):
    """A query stopped by the deadline, or one that could not start before it."""


class QueryFailed(Exception):
    """A worker that died or broke while answering (not the query's fault)."""


@dataclass(frozen=True)
class Job:
    """What a worker is asked: a query, the format of its answer, the store's generation."""

    sparql: str
    writer: str
    generation: int
    empty: bool = False  # run on an empty store: only to learn what the parser says


def answer(store: Store, job: Job) -> bytes:
    """The query's answer written as `job.writer`; StoreError for what the store refuses.

    The result lives and dies in this frame, on the thread that made it (pyoxigraph's
    results must not be dropped on another thread).
    """
    buffer = BytesIO()
    result = store.query(job.sparql)
    write_result(result, buffer, job.writer)
    result = None
    return buffer.getvalue()


def serve_jobs(path: str, connection: Connection) -> None:
    """A worker's life: answer jobs from the pipe until the app closes it."""
    store: Store | None = None
    generation = None
    empty = Store()
    connection.send(("ready", None))
    while True:
        try:
            job: Job = connection.recv()
        except (EOFError, OSError):  # the app closed the pipe or died
            return
        try:
            if job.empty:
                reply = ("ok", answer(empty, job))
            else:
                if store is None or generation != job.generation:
                    store = None  # let go of the old snapshot first
                    store = Store(path, read_only=True)
                    generation = job.generation
                reply = ("ok", answer(store, job))
        except StoreError as error:
            reply = ("refused", str(error))
        except Exception as error:  # a bug or a broken store: reported, the worker lives on
            reply = ("failed", f"{type(error).__name__}: {error}")
        try:
            connection.send(reply)
        except (BrokenPipeError, OSError):
            return


class Worker:
    """One worker process and the app's end of its pipe."""

    def __init__(self, path: Path):
        context = multiprocessing.get_context(CONTEXT)
        # the fork server imports these once; each worker forked from it starts at once
        context.set_forkserver_preload(["bilat.webapp.deadline"])
        mine, theirs = context.Pipe()
        self.process = context.Process(
            target=serve_jobs, args=(str(path), theirs), name="bilat-query", daemon=True
        )
        self.process.start()
        theirs.close()
        self.connection = mine
        self.ready = False

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def run(self, job: Job, timeout: float) -> tuple[str, Any] | None:
        """The worker's reply, or None if none came within `timeout` seconds.

        A new worker's start-up (imports; the fork server's own, the first time) is not
        counted in the query's time: the deadline starts when the worker is ready.
        """
        try:
            self.wait_until_ready()
            self.connection.send(job)
            if not self.connection.poll(max(timeout, 0)):
                return None
            return self.connection.recv()
        except (EOFError, OSError) as error:
            raise QueryFailed("the query worker died while answering") from error

    def wait_until_ready(self) -> None:
        """Wait for the worker's first word; QueryFailed if it died or took too long."""
        if self.ready:
            return
        try:
            if not self.connection.poll(STARTUP_TIMEOUT):
                raise QueryFailed(f"the query worker did not start in {STARTUP_TIMEOUT} s")
            self.connection.recv()
        except (EOFError, OSError) as error:
            raise QueryFailed("the query worker died as it started") from error
        self.ready = True

    def kill(self) -> None:
        """Stop the worker now, whatever it is doing."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class QueryRunner:
    """Runs users' queries under a deadline; one per app."""

    def __init__(self, store: Any, timeout: float, workers: int = 2):
        if timeout <= 0:
            raise ValueError(f"QUERY_TIMEOUT must be a number of seconds above 0, not {timeout}")
        self.store = store
        self.path: Path | None = getattr(store, "path", None)  # None: no folder to share
        self.timeout = timeout
        self.generation = 0
        self._most = max(workers, 1)
        self._slots = threading.BoundedSemaphore(self._most)
        self._idle: list[Worker] = []
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Start a worker in the background, so the first query does not wait for it."""
        if self.path is not None:
            threading.Thread(target=self._start_one, name="bilat-warm-up", daemon=True).start()

    def _start_one(self) -> None:
        worker = Worker(self.path)
        try:
            worker.wait_until_ready()
        except QueryFailed:
            worker.kill()  # the next query starts another and reports what goes wrong
            return
        self._give_back(worker)

    def bump(self) -> None:
        """Note a write: every worker reopens its snapshot before its next query."""
        with self._lock:
            self.generation += 1

    def run(self, sparql: str, writer: str, *, empty: bool = False) -> bytes:
        """The answer as bytes in `writer`'s format.

        StoreError: the store refused the query (bad SPARQL); QueryTimeout: stopped after
        QUERY_TIMEOUT seconds; QueryFailed: a worker died. `empty` runs the query on an
        empty store, to get the store parser's message without touching the data.
        """
        job = Job(sparql, writer, self.generation, empty)
        if self.path is None:
            return self._run_in_thread(job)
        return self._run_in_worker(job)

    def _stopped(self) -> QueryTimeout:
        return QueryTimeout(
            f"stopped after {self.timeout:g} s: the query ran too long "
            "(a pattern that joins everything with everything?)"
        )

    def _run_in_worker(self, job: Job) -> bytes:
        if not self._slots.acquire(timeout=self.timeout):
            raise QueryTimeout(
                f"stopped after {self.timeout:g} s: every query worker stayed busy; try again"
            )
        try:
            worker = self._take()
            try:
                reply = worker.run(job, self.timeout)
            except QueryFailed:
                worker.kill()
                raise
            if reply is None:
                worker.kill()
                self._give_back(Worker(self.path))  # the fresh one takes its place
                raise self._stopped()
            self._give_back(worker)
        finally:
            self._slots.release()
        return unpack(reply)

    def _take(self) -> Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return Worker(self.path)

    def _give_back(self, worker: Worker) -> None:
        with self._lock:
            keep = len(self._idle) < self._most
            if keep:
                self._idle.append(worker)
        if not keep:  # one more than the pool holds (the warm-up's, a replacement's)
            worker.kill()

    def _run_in_thread(self, job: Job) -> bytes:
        """The fallback for stores with no folder: the wait has a deadline, the query not."""
        replies: list[tuple[str, Any]] = []
        store = Store() if job.empty else self.store

        def work() -> None:
            try:
                replies.append(("ok", answer(store, job)))
            except StoreError as error:
                replies.append(("refused", str(error)))
            except Exception as error:
                replies.append(("failed", f"{type(error).__name__}: {error}"))

        thread = threading.Thread(target=work, name="bilat-query", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if not replies:
            raise self._stopped()
        return unpack(replies[0])

    def worker_pids(self) -> list[int]:
        """The process ids of the idle workers (for tests and diagnostics)."""
        with self._lock:
            return [w.pid for w in self._idle if w.pid is not None]

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def unpack(reply: tuple[str, Any]) -> bytes:
    """A worker's reply as the answer, or the matching exception."""
    status, value = reply
    if status == "ok":
        return value
    if status == "refused":
        raise StoreError(value)
    raise QueryFailed(value)


def init_app(app: Flask) -> None:
    """Give the app its runner (workers start on the first query)."""
    runner = QueryRunner(
        app.extensions["bilat.store"],
        float(app.config["QUERY_TIMEOUT"]),
        int(app.config["QUERY_WORKERS"]),
    )
    app.extensions[EXTENSION] = runner
    if runner.path is not None:
        atexit.register(runner.close)
        if not app.testing:  # tests start workers when they query, not for every app
            runner.warm_up()


def get_runner() -> QueryRunner:
    """The current app's runner."""
    return current_app.extensions[EXTENSION]
