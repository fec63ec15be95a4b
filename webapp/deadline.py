"""A time limit on the app's SPARQL: a runaway query is stopped, and the server keeps answering.

Every query the web pages make runs here: users' queries on /sparql, and the canned
questions, the views and the "why" pages, whose values are bound as RDF terms
(`Store.query(sparql, bindings)`: a VALUES block of terms, graph/binding.py).
A page asks for `rows()`: the answer's rows as RDF terms, or only a window of them (a
page of a table ships the rows it shows). Bound values and a window's rows cross the pipe
pickled (pyoxigraph's terms pickle); a whole table crosses it as SPARQL TSV, written by
the engine and parsed back with `parse_query_results` (for 20,000 rows, 60 ms instead of
210 ms pickled). The queries of one request share one deadline (`time_left()`): a page
that makes three queries gets QUERY_TIMEOUT seconds for all three.

pyoxigraph has no query timeout (oxigraph issue 1926) and cannot cancel a running query, so
for an on-disk store the query runs in a worker process that can be killed:

- each worker opens a read-only snapshot of the store folder (`Store(path, read_only=True)`,
  ~0.02 s) and keeps it; the app bumps a generation number on every write, and a worker
  whose snapshot is older reopens it before its next query;
- the app sends (generation, query, bindings, format or window) down a pipe and waits at
  most QUERY_TIMEOUT seconds for the answer, already written in the format the client
  asked for, or as the rows of the window;
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
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QueryTriples,
    Triple,
    parse_query_results,
)

from bilat.graph import Store, StoreError, write_result
from bilat.graph.textindex import Matches, TextIndex

Term = NamedNode | BlankNode | Literal | Triple

EXTENSION = "bilat.deadline"
CONTEXT = "forkserver"
STARTUP_TIMEOUT = 60  # seconds; a loaded 2-core machine took 3 s to start the fork server
SNAPSHOT_TRIES = 3  # opens of a read-only snapshot before a worker gives up on a query
SNAPSHOT_PAUSE = 0.1  # seconds between them
# The columns of a graph answer's rows: one row per triple.
TRIPLE_COLUMNS = ("subject", "predicate", "object")
DEADLINE = "bilat_deadline"  # the request's deadline, in flask.g
ERRORS_AS = "bilat_errors_as"  # how the request's errors are written, in flask.g


class QueryTimeout(Exception):
    """A query stopped by the deadline, or one that could not start before it."""


class QueryTooLong(QueryTimeout):
    """A query that ran until the deadline and was stopped."""

    def __init__(self, seconds: float):
        super().__init__(
            f"stopped after {seconds:g} s: the query ran too long "
            "(a pattern that joins everything with everything?)"
        )
        self.seconds = seconds


class QueryFailed(Exception):
    """A worker that died or broke while answering (not the query's fault)."""


@dataclass(frozen=True)
class Job:
    """What a worker is asked: a query, its bound values, the store's generation, and the
    format of its answer (`writer`) or, with no writer, the window of rows wanted."""

    sparql: str
    writer: str | None
    generation: int
    empty: bool = False  # run on an empty store: only to learn what the parser says
    bindings: tuple[tuple[str, Term], ...] = ()
    start: int = 0
    stop: int | None = None  # None: every row from `start`
    sort: bool = True  # sort a graph's triples (else the engine's order)


@dataclass(frozen=True)
class Answer:
    """Rows of an answer as RDF terms (None where a variable is unbound).

    A graph answer (CONSTRUCT, DESCRIBE) has one row per distinct triple, sorted unless
    asked not to, so that its windows and its row numbers do not depend on the engine's
    order. An ASK answer has no columns, and one empty row when it is true.
    """

    variables: tuple[str, ...]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    graph: bool = False

    def solutions(self) -> list[dict[str, Term | None]]:
        """The rows as {variable: term} mappings."""
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

    def triples(self) -> list[Triple]:
        """A graph answer's rows as triples."""
        return [Triple(*row) for row in self.rows]

    @classmethod
    def from_tsv(cls, text: bytes) -> Answer:
        """A whole table, from its SPARQL TSV."""
        parsed = parse_query_results(text, QueryResultsFormat.TSV)
        variables = tuple(v.value for v in parsed.variables)
        return cls(variables, [tuple(solution) for solution in parsed])


def collect(result: Any, job: Job) -> Answer | bytes:
    """The window [start, stop) of a query result's rows; a whole table as SPARQL TSV.

    Rows are read no further than the window, so the engine stops there (unless the query
    sorts), except a graph's triples to be sorted: those are all read.
    """
    start, stop = job.start, job.stop
    if isinstance(result, QueryTriples):
        if job.sort:
            triples = sorted(set(result), key=lambda t: (str(t.subject), str(t.predicate),
                                                          str(t.object)))
        else:
            triples = first_distinct(result, stop)
        rows = [(t.subject, t.predicate, t.object) for t in islice(triples, start, stop)]
        return Answer(TRIPLE_COLUMNS, rows, graph=True)
    if isinstance(result, QueryBoolean):
        return Answer((), [()] if bool(result) else [])
    if start == 0 and stop is None:
        buffer = BytesIO()
        result.serialize(buffer, QueryResultsFormat.TSV)
        return buffer.getvalue()
    variables = tuple(v.value for v in result.variables)
    return Answer(variables, [tuple(solution) for solution in islice(result, start, stop)])


def first_distinct(triples: Iterable[Triple], most: int | None) -> list[Triple]:
    """The first `most` distinct triples (all when None), in the order they come."""
    seen: dict[Triple, None] = {}
    for triple in triples:
        seen.setdefault(triple)
        if most is not None and len(seen) >= most:
            break
    return list(seen)


def answer(store: Store, job: Job) -> Answer | bytes:
    """The query's answer written as `job.writer`, or its window of rows without one (as
    `collect` gives it); StoreError for what the store refuses.

    The result lives and dies in this frame, on the thread that made it (pyoxigraph's
    results must not be dropped on another thread).
    """
    result = store.query(job.sparql, dict(job.bindings))
    if job.writer is None:
        found = collect(result, job)
        result = None
        return found
    buffer = BytesIO()
    write_result(result, buffer, job.writer)
    result = None
    return buffer.getvalue()


def open_snapshot(path: str) -> Store:
    """A read-only snapshot of the store folder.

    Just after a bulk load, RocksDB may name a file its compaction has just removed
    ("Corruption: ... No such file or directory"): a moment later the open works.
    """
    for _ in range(SNAPSHOT_TRIES - 1):
        try:
            return Store(path, read_only=True)
        except RuntimeError:
            time.sleep(SNAPSHOT_PAUSE)
    return Store(path, read_only=True)


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
                    store = open_snapshot(path)
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

    def __init__(self, store: Any, timeout: float, workers: int = 2, queue_timeout: float = 60):
        if timeout <= 0:
            raise ValueError(f"QUERY_TIMEOUT must be a number of seconds above 0, not {timeout}")
        self.store = store
        self.path: Path | None = getattr(store, "path", None)  # None: no folder to share
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._waits = threading.local()  # per request thread: the last wait for a worker
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

    def run(
        self,
        sparql: str,
        writer: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        empty: bool = False,
        timeout: float | None = None,
    ) -> bytes:
        """The answer as bytes in `writer`'s format, `bindings` bound as RDF terms.

        StoreError: the store refused the query (bad SPARQL); QueryTimeout: stopped after
        `timeout` (default QUERY_TIMEOUT) seconds; QueryFailed: a worker died. `empty` runs
        the query on an empty store, to get the store parser's message without touching
        the data.
        """
        job = Job(sparql, writer, self.generation, empty, tuple((bindings or {}).items()))
        return self._dispatch(job, timeout)

    def rows(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
        sort: bool = True,
        timeout: float | None = None,
    ) -> Answer:
        """Rows start to stop (counted from 0; stop None: to the end) of the answer, with
        `bindings` bound as RDF terms; a graph's triples sorted, or with `sort` False in the
        engine's order. The same errors as `run`."""
        bound = tuple((bindings or {}).items())
        job = Job(sparql, None, self.generation, bindings=bound, start=start, stop=stop,
                  sort=sort)
        found = self._dispatch(job, timeout)
        return found if isinstance(found, Answer) else Answer.from_tsv(found)

    def _dispatch(self, job: Job, timeout: float | None) -> Any:
        self._waits.seconds = 0.0
        timeout = self.timeout if timeout is None else timeout
        if timeout <= 0:
            raise self._stopped()
        if self.path is None:
            return self._run_in_thread(job, timeout)
        return self._run_in_worker(job, timeout)

    def _stopped(self) -> QueryTooLong:
        return QueryTooLong(self.timeout)

    def last_wait(self) -> float:
        """Seconds this thread's last query waited for a free worker."""
        return getattr(self._waits, "seconds", 0.0)

    def _run_in_worker(self, job: Job, timeout: float) -> Any:
        # Waiting for a free worker is not running: under load, a query queues (up to
        # queue_timeout) and then gets its whole time limit, so that many clients slow
        # each other down instead of failing each other.
        started = time.monotonic()
        if not self._slots.acquire(timeout=self.queue_timeout):
            raise QueryTimeout(
                f"not started within {self.queue_timeout:g} s: every query worker stayed "
                "busy; try again"
            )
        self._waits.seconds = time.monotonic() - started
        try:
            worker = self._take()
            try:
                reply = worker.run(job, timeout)
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

    def _run_in_thread(self, job: Job, timeout: float) -> Any:
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
        thread.join(timeout)
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


def unpack(reply: tuple[str, Any]) -> Any:
    """A worker's reply as the answer, or the matching exception."""
    status, value = reply
    if status == "ok":
        return value
    if status == "refused":
        raise StoreError(value)
    raise QueryFailed(value)


def init_app(app: Flask) -> None:
    """Give the app its runner (workers start on the first query) and the error pages of
    the queries it stops."""
    runner = QueryRunner(
        app.extensions["bilat.store"],
        float(app.config["QUERY_TIMEOUT"]),
        int(app.config["QUERY_WORKERS"]),
        float(app.config["QUEUE_TIMEOUT"]),
    )
    app.extensions[EXTENSION] = runner
    app.register_error_handler(QueryTimeout, not_answered)
    app.register_error_handler(QueryFailed, not_answered)
    if runner.path is not None:
        atexit.register(runner.close)
        if not app.testing:  # tests start workers when they query, not for every app
            runner.warm_up()


def get_runner() -> QueryRunner:
    """The current app's runner."""
    return current_app.extensions[EXTENSION]


# --- for the pages: one deadline per request --------------------------------------------


def time_left() -> float:
    """Seconds left of the current request's deadline: QUERY_TIMEOUT of running queries
    from its first query (the waits for a free worker are not counted)."""
    runner = get_runner()
    if DEADLINE not in g:
        setattr(g, DEADLINE, time.monotonic() + runner.timeout)
    return getattr(g, DEADLINE) - time.monotonic()


def _not_counting_the_wait() -> None:
    """Move the request's deadline past the time its last query waited for a worker."""
    setattr(g, DEADLINE, getattr(g, DEADLINE) + get_runner().last_wait())


def rows(
    sparql: str,
    bindings: Mapping[str, Term] | None = None,
    *,
    start: int = 0,
    stop: int | None = None,
    sort: bool = True,
) -> Answer:
    """Rows start to stop of a query's answer, under the request's deadline."""
    found = get_runner().rows(
        sparql, bindings, start=start, stop=stop, sort=sort, timeout=time_left()
    )
    _not_counting_the_wait()
    return found


def text_search(phrase: str, count: int, newest: bool) -> Matches | None:
    """The full-text index's first matches (queries/paging.py: Search), under the request's
    deadline; None without an index (a store with no folder)."""
    runner = get_runner()
    if runner.path is None:
        return None
    left = time_left()
    try:
        if left <= 0:
            raise TimeoutError
        return TextIndex(runner.path).first(phrase, count, newest, time.monotonic() + left)
    except TimeoutError:
        raise QueryTooLong(runner.timeout) from None


def written(sparql: str, writer: str, bindings: Mapping[str, Term] | None = None) -> bytes:
    """A query's whole answer written as `writer`, under the request's deadline."""
    found = get_runner().run(sparql, writer, bindings=bindings, timeout=time_left())
    _not_counting_the_wait()
    return found


class DeadlineStore:
    """The store as the pages read it: every query under the request's deadline.

    `query` answers as pyoxigraph's results iterate: {variable: term} rows for a table,
    triples for a graph; for code written against the store (such as the form choices).
    """

    def query(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term | None]] | list[Triple]:
        found = rows(sparql, bindings)
        return found.triples() if found.graph else found.solutions()


def errors_as(kind: str) -> None:
    """Have this request's stopped query answered as "text" or "json" (else an HTML page)."""
    setattr(g, ERRORS_AS, kind)


def not_answered(error: QueryTimeout | QueryFailed) -> tuple[Response | str, int]:
    """A page whose query was stopped (503) or broke a worker (500), in one line."""
    if isinstance(error, QueryTooLong):  # bilat's own query: the visitor's values made it long
        status, title = 503, "Service Unavailable"
        message = (
            f"stopped after {error.seconds:g} s: the answer took too long to compute on this "
            "server (narrower values may help)"
        )
    elif isinstance(error, QueryTimeout):
        status, title, message = 503, "Service Unavailable", str(error)
    else:
        status, title = 500, "Internal Server Error"
        message = f"the query could not be answered: {error}"
    message = " ".join(message.split())
    kind = g.get(ERRORS_AS)
    if kind == "json":
        return jsonify(error=message), status
    if kind == "text":
        return Response(message + "\n", mimetype="text/plain"), status
    return render_template("error.html", status=status, title=title, message=message), status
