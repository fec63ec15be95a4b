"""A bounded load test: many concurrent clients on the canned questions and /sparql.

    .venv/bin/python bench/loadtest.py --store /tmp/bilat-bench/small [--clients 50]
        [--duration 60] [--max-requests 100000] [--sparql-share 0.5] [--timeout 120]
        [--server bilat|waitress] [--url http://127.0.0.1:PORT] [--questions NAME ...]

Starts a real server on 127.0.0.1 over the store (or uses --url, a server already
running on that store), then runs --clients threads, each with its own keep-alive
requests.Session, for --duration seconds or until --max-requests have been sent. Each
request is a random canned question with random drawn parameters (bench/workload.py),
asked for its first page (--page rows, 50) as its JSON twin with ?limit= (N-Triples for a
graph, whole), or, with probability --sparql-share, as the SPARQL of that page POSTed to
/sparql (the saved query with its VALUES and a LIMIT; a `by_month` question's months
bound to those that hold the page, found before the clock starts). --page 0 asks for
whole answers instead. Clients send no new request after the deadline and wait
for the ones in flight; a request that fails or takes over --timeout is an error.
Prints requests, errors, throughput and p50/p95/p99 latency, overall, per way and per
question, and the server's memory; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import requests
from server import SERVERS, Server
from timing import ms, now_ms, percentile
from web import WAYS, asking, count_rows
from workload import Ask, add_workload_arguments, draw_workload


@dataclass(frozen=True)
class Outcome:
    """One request: how it was asked, how long it took (ms), and what went wrong."""

    way: str
    name: str
    elapsed: float
    error: str | None


def client(seed: int, url: str, pool: list[Ask], share: float, deadline: float,
           tickets: threading.Semaphore, timeout: float, outcomes: list[Outcome],
           size: int) -> None:
    rng = random.Random(seed)
    with requests.Session() as session:
        while time.monotonic() < deadline and tickets.acquire(blocking=False):
            ask = rng.choice(pool)
            way = "sparql" if rng.random() < share else "twin"
            start = now_ms()
            error = None
            try:
                response = asking(way, size)(session, url, ask, timeout)
                if response.status_code != 200:
                    error = f"HTTP {response.status_code}: {response.text[:120].strip()}"
                else:
                    count_rows(ask, response)  # an answer that does not parse is an error
            except (requests.RequestException, ValueError) as problem:
                error = type(problem).__name__  # the message names the URL: too varied
            outcomes.append(Outcome(way, ask.name, now_ms() - start, error))


def run(url: str, pool: list[Ask], args: argparse.Namespace) -> tuple[list[Outcome], float]:
    """All clients, from a common start; the outcomes and the seconds until the last ended."""
    outcomes: list[Outcome] = []  # list.append is atomic: threads share it safely
    tickets = threading.Semaphore(args.max_requests)
    start = time.monotonic()
    deadline = start + args.duration
    threads = [threading.Thread(target=client, args=(args.seed + i, url, pool, args.sparql_share,
                                                     deadline, tickets, args.timeout, outcomes,
                                                     args.page))
               for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.monotonic() - start


def summary_rows(label: str, outcomes: list[Outcome], seconds: float | None) -> str:
    times = [o.elapsed for o in outcomes if o.error is None]
    errors = sum(1 for o in outcomes if o.error is not None)
    rate = f"{len(outcomes) / seconds:.1f}" if seconds else ""
    return (f"| {label} | {len(outcomes):,} | {errors} | {rate} | {ms(percentile(times, 50))} "
            f"| {ms(percentile(times, 95))} | {ms(percentile(times, 99))} "
            f"| {ms(max(times, default=float('nan')))} |")


def report(outcomes: list[Outcome], seconds: float, args: argparse.Namespace) -> None:
    asked = f"first pages of {args.page} rows" if args.page else "whole answers"
    print(f"{args.clients} clients, {args.duration:.0f} s (all done after {seconds:.1f} s), "
          f"{asked}, /sparql share {args.sparql_share:.0%}; latency in ms\n")
    head = "| {} | requests | errors | req/s | p50 | p95 | p99 | max |\n" + "|---" * 8 + "|"
    print(head.format("asked as"))
    print(summary_rows("**all**", outcomes, seconds))
    for way in WAYS:
        print(summary_rows(way, [o for o in outcomes if o.way == way], seconds))
    print("\n" + head.format("question"))
    for name in sorted({o.name for o in outcomes}):
        print(summary_rows(name, [o for o in outcomes if o.name == name], None))
    for error, count in Counter(o.error for o in outcomes if o.error).most_common(5):
        print(f"ERROR x{count}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="A store folder.")
    parser.add_argument("--url", help="A server already running on that store.")
    parser.add_argument("--server", choices=SERVERS, default="bilat")
    parser.add_argument("--threads", type=int, default=8, help="waitress's worker threads.")
    parser.add_argument("--query-timeout", type=float,
                        help="The server's QUERY_TIMEOUT, seconds (default: the app's own).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="Seconds of sending.")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=120, help="Seconds per request.")
    parser.add_argument("--sparql-share", type=float, default=0.5)
    parser.add_argument("--page", type=int, default=50,
                        help="Rows of the page asked for; 0: the whole answer.")
    parser.add_argument("--draws", type=int, default=20, help="Parameter draws per question.")
    add_workload_arguments(parser)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="Skip asking each question once before the clock starts.")
    args = parser.parse_args()

    drawn = draw_workload(args.store, args.summary, args.seed, args.draws, args.questions,
                          pages=args.page)
    pool = [ask for runs in drawn.values() for ask in runs]
    if args.url:
        outcomes, seconds = load(args.url.rstrip("/"), drawn, pool, args)
        memory = None
    else:
        with Server(args.store, args.server, args.threads, args.query_timeout) as server:
            before = server.memory()
            outcomes, seconds = load(server.url, drawn, pool, args)
            memory = (before, server.memory())
    report(outcomes, seconds, args)
    if memory:
        (before, after) = memory
        print(f"\nserver {args.server}: VmRSS {before['VmRSS'] / 1024:.0f} -> "
              f"{after['VmRSS'] / 1024:.0f} MiB, peak {after['VmHWM'] / 1024:.0f} MiB; "
              f"with its query workers {before['total'] / 1024:.0f} -> "
              f"{after['total'] / 1024:.0f} MiB")
    if any(o.error for o in outcomes):
        raise SystemExit(1)


def load(url: str, drawn: dict[str, list[Ask]], pool: list[Ask], args: argparse.Namespace
         ) -> tuple[list[Outcome], float]:
    if args.warmup:
        with requests.Session() as session:
            for runs in drawn.values():
                asking("twin", args.page)(session, url, runs[0], args.timeout)
    return run(url, pool, args)


if __name__ == "__main__":
    main()
