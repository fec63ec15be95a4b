"""What the web layer adds to the store's time, and whether the server's memory grows.

    .venv/bin/python bench/web.py --store /tmp/bilat-bench/small [--runs 20] [--requests 50]
        [--server bilat|waitress] [--questions NAME ...]

For each canned question, `--runs` draws of its parameters (bench/workload.py) are timed
three ways, each after one untimed warm-up:
  store   in this process: Store.query with the parameters bound as terms, reading every
          row (the twins and /sparql return every row);
  twin    GET /questions/NAME.json?params (.nt for a graph) from a real server on
          127.0.0.1, over one keep-alive connection;
  sparql  POST /sparql of the same query with its parameters in a VALUES clause.
With --page N, each way asks for the first N rows only, as a researcher's page does: the
store reads them as the page does (queries/paging.py), the twin gets ?limit=N, /sparql
gets the page's own SPARQL (bench/workload.py with_page). That SPARQL is one query over
everything the page read (a few months at a time, in process), so it is also timed in
process, and /sparql's ratio is to that: what the web layer adds to the same query.
The server runs only after the in-process timings (it holds the store's lock). Then it
gets `--requests` N more requests and 9N after those, cycling over the same draws; its
VmRSS/VmHWM are read from /proc at start, after N and after 10N. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from latency import first_page
from pyoxigraph import QueryTriples
from server import SERVERS, Server
from timing import ms, now_ms, percentile
from workload import Ask, add_workload_arguments, draw_workload, exit_on_disagreements

from bilat.graph import Store

TARGET = 1.20  # the target: the web layer adds under 20% to the store's time


@dataclass
class Timings:
    """One way of asking one question: times (ms), row counts and failures."""

    times: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.times, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)


def store_timings(path: Path, drawn: dict[str, list[Ask]], budget: float = float("inf"),
                  min_runs: int = 3, page: int = 0
                  ) -> tuple[dict[str, Timings], dict[str, Timings]]:
    """In-process timings (of the first `page` rows as the page reads them, or of the whole
    answer), and of the SPARQL /sparql is sent (the page's own, or the whole question's).
    A question whose runs take over `budget` seconds stops after at least `min_runs`, and
    its list of draws is cut to those run (for the other ways)."""
    found, texts = {}, {}
    with Store(path, read_only=True) as store:

        def answer(ask: Ask) -> int:
            if page and ask.saved.kind == "solutions":
                return first_page(store, ask.saved, ask.raw, page)[1]
            return text(ask)

        def text(ask: Ask) -> int:
            if ask.page:
                return count_answer(store.query(ask.page))
            return count_answer(store.query(ask.saved.sparql, ask.terms()))

        for name, runs in drawn.items():
            found[name] = timed(runs, answer, budget * 1000, min_runs)
            del runs[len(found[name].times):]
            texts[name] = timed(runs, text) if page else found[name]
            print(f"  {name}: {len(runs)} runs in process, p50 {ms(found[name].p50)} ms",
                  file=sys.stderr, flush=True)
    return found, texts


def timed(runs: list[Ask], answer: Callable[[Ask], int], budget: float = float("inf"),
          min_runs: int = 0) -> Timings:
    """Times of `answer` on the runs after one warm-up, until they take `budget` ms."""
    timings = Timings()
    answer(runs[0])
    for ask in runs:
        start = now_ms()
        rows = answer(ask)
        timings.times.append(now_ms() - start)
        timings.rows.append(rows)
        if len(timings.times) >= min_runs and sum(timings.times) > budget:
            break
    return timings


# How a table and a graph are asked for: the twin's suffix and /sparql's media type.
TWIN_SUFFIX = {"solutions": "json", "graph": "nt"}
MEDIA_TYPE = {"solutions": "application/sparql-results+json", "graph": "application/n-triples"}


def twin(session: requests.Session, url: str, ask: Ask, timeout: float = 600
         ) -> requests.Response:
    return session.get(url + ask.twin_path(TWIN_SUFFIX[ask.saved.kind]), timeout=timeout)


def sparql(session: requests.Session, url: str, ask: Ask, timeout: float = 600
           ) -> requests.Response:
    return session.post(url + "/sparql", data={"query": ask.text()},
                        headers={"Accept": MEDIA_TYPE[ask.saved.kind]}, timeout=timeout)


def count_rows(ask: Ask, response: requests.Response) -> int:
    """Rows of a JSON table, or distinct triples of an N-Triples graph."""
    if ask.saved.kind == "graph":
        return len({line for line in response.text.splitlines() if line.strip()})
    return len(response.json()["results"]["bindings"])


def count_answer(result: object) -> int:
    """Rows of a store's answer, or its distinct triples (a CONSTRUCT may repeat some)."""
    if isinstance(result, QueryTriples):
        return len(set(result))
    return sum(1 for _ in result)


WAYS = {"twin": twin, "sparql": sparql}


def page_twin(session: requests.Session, url: str, ask: Ask, timeout: float, size: int
              ) -> requests.Response:
    """The twin of the question's first page (?limit=; a graph question's whole twin)."""
    limit = size if ask.saved.kind == "solutions" else None
    return session.get(url + ask.twin_path(TWIN_SUFFIX[ask.saved.kind], limit), timeout=timeout)


def page_sparql(session: requests.Session, url: str, ask: Ask, timeout: float, size: int
                ) -> requests.Response:
    """The SPARQL of the question's first page (Ask.page) POSTed to /sparql."""
    return session.post(url + "/sparql", data={"query": ask.page or ask.text()},
                        headers={"Accept": MEDIA_TYPE[ask.saved.kind]}, timeout=timeout)


def asking(way: str, size: int) -> Callable[..., requests.Response]:
    """How a request is sent: a first page of `size` rows, or (0) the whole answer."""
    if not size:
        return WAYS[way]
    call = page_twin if way == "twin" else page_sparql
    return lambda session, url, ask, timeout=600: call(session, url, ask, timeout, size)


def web_timings(session: requests.Session, url: str, drawn: dict[str, list[Ask]], page: int = 0
                ) -> dict[str, dict[str, Timings]]:
    found: dict[str, dict[str, Timings]] = {}
    for name, runs in drawn.items():
        found[name] = {}
        for way in WAYS:
            call = asking(way, page)
            found[name][way] = timings = Timings()
            call(session, url, runs[0])  # warm-up
            for ask in runs:
                start = now_ms()
                response = call(session, url, ask)
                elapsed = now_ms() - start
                if response.status_code != 200:
                    timings.errors.append(f"{response.status_code} {response.text[:200]!r}")
                    continue
                timings.times.append(elapsed)
                timings.rows.append(count_rows(ask, response))
    return found


def memory_run(server: Server, session: requests.Session, drawn: dict[str, list[Ask]],
               count: int, page: int = 0) -> list[tuple[int, dict[str, int]]]:
    """The server's memory at start, after `count` requests and after 10 x `count`, each
    asked as the timings asked (first pages of `page` rows, or whole answers)."""
    rounds = max(len(runs) for runs in drawn.values())
    calls = [asking(way, page) for way in WAYS]
    mix = itertools.cycle([(call, runs[i]) for i in range(rounds) for runs in drawn.values()
                           if i < len(runs) for call in calls])
    marks = [(0, server.memory())]
    done = 0
    for target in (count, 10 * count):
        while done < target:
            call, ask = next(mix)
            response = call(session, server.url, ask)
            if response.status_code != 200:
                raise SystemExit(f"{ask.name}: HTTP {response.status_code} {response.text[:200]}")
            done += 1
        marks.append((done, server.memory()))
    return marks


def table(store: dict[str, Timings], texts: dict[str, Timings],
          web: dict[str, dict[str, Timings]]) -> list[str]:
    """Each way's p50 and p95, and its ratio to the store's own time for the same thing:
    the twin's to the page (or whole answer) in process, /sparql's to its SPARQL text."""
    lines = [
        "| question | runs | rows p50 | store p50 | p95 | twin p50 | p95 | ratio "
        "| store SPARQL p50 | /sparql p50 | p95 | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    totals = {"store": 0.0, "text": 0.0, "twin": 0.0, "sparql": 0.0}
    for name, own in store.items():
        cells = [name, str(len(own.times)), f"{percentile(own.rows, 50):,.0f}", ms(own.p50),
                 ms(own.p95)]
        totals["store"] += own.p50
        totals["text"] += texts[name].p50
        for way, base in (("twin", own), ("sparql", texts[name])):
            timings = web[name][way]
            if way == "sparql":
                cells.append(ms(base.p50))
            if timings.errors:
                cells += [f"{len(timings.errors)} errors", "", ""]
                continue
            totals[way] += timings.p50
            cells += [ms(timings.p50), ms(timings.p95), f"{timings.p50 / base.p50:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        f"| **sum of p50** | | | {ms(totals['store'])} | | {ms(totals['twin'])} | | "
        f"{totals['twin'] / totals['store']:.2f} | {ms(totals['text'])} | "
        f"{ms(totals['sparql'])} | | {totals['sparql'] / totals['text']:.2f} |"
    )
    return lines


def disagreements(store: dict[str, Timings], web: dict[str, dict[str, Timings]],
                  drawn: dict[str, list[Ask]]) -> list[str]:
    """Draws whose row counts differ between the store, the twin and /sparql."""
    found = []
    for name, own in store.items():
        for way in WAYS:
            if web[name][way].errors:
                found += [f"{name} via {way}: {e}" for e in web[name][way].errors[:3]]
                continue
            for ask, mine, theirs in zip(drawn[name], own.rows, web[name][way].rows, strict=True):
                if mine != theirs:
                    found.append(f"{name} {ask.raw} via {way}: {theirs} rows, store {mine}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="A store folder.")
    parser.add_argument("--runs", type=int, default=20, help="Draws timed per question.")
    parser.add_argument("--budget", type=float, default=float("inf"),
                        help="Seconds per question in process: a slow one gets fewer runs.")
    parser.add_argument("--min-runs", type=int, default=3, help="Runs despite the budget.")
    parser.add_argument("--requests", type=int, default=50,
                        help="N: memory is read after N and after 10N requests.")
    parser.add_argument("--server", choices=SERVERS, default="bilat")
    parser.add_argument("--threads", type=int, default=8, help="waitress's worker threads.")
    parser.add_argument("--query-timeout", type=float, default=600,
                        help="The server's QUERY_TIMEOUT, seconds (bilat serve --timeout).")
    parser.add_argument("--page", type=int, default=0,
                        help="Time first pages of this many rows (0: whole answers).")
    add_workload_arguments(parser)
    args = parser.parse_args()

    drawn = draw_workload(args.store, args.summary, args.seed, args.runs, args.questions,
                          pages=args.page)
    own, texts = store_timings(args.store, drawn, args.budget, args.min_runs, args.page)
    server = Server(args.store, args.server, args.threads, args.query_timeout)
    with server, requests.Session() as session:
        web = web_timings(session, server.url, drawn, args.page)
        # the timings first: the memory run may take a while
        print(f"store {args.store}, server {args.server}, {args.runs} draws per question (ms)\n")
        print("\n".join(table(own, texts, web)))
        print("\nratio = web p50 / the store's p50 for the same page or SPARQL; target under",
              f"{TARGET:.2f}", flush=True)
        marks = memory_run(server, session, drawn, args.requests, args.page)
    print("\n| requests | VmRSS MiB | VmHWM MiB | with query workers MiB |\n|---|---|---|---|")
    for count, memory in marks:
        print(f"| {count} | {memory['VmRSS'] / 1024:.0f} | {memory['VmHWM'] / 1024:.0f} "
              f"| {memory['total'] / 1024:.0f} |")
    for key, label in (("VmRSS", "server"), ("total", "server and workers")):
        grown = marks[2][1][key] - marks[1][1][key]
        print(f"\nRSS of the {label} from {marks[1][0]} to {marks[2][0]} requests: "
              f"{grown / 1024:+.1f} MiB", end="")
    print()
    exit_on_disagreements(disagreements(own, web, drawn))


if __name__ == "__main__":
    main()
