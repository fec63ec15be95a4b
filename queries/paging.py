"""A page of a `by_month` question, read a few months at a time.

Oxigraph sorts every match of a query before its first row comes out, and has no index
that would hand out a busy actor's claims newest first: the first page of "what did the
US government say" would read and sort all of them. A `by_month` query (its `#+ by_month`
header; queries/catalogue.py) finds its rows through the aggregates graph's per-month rows
(queries/aggregates/50-month-items.rq) of the months ?month is bound to. Here it is run on
the newest month first (or the oldest), then on the next two, four, eight… until the page
is full: its months are in the order of its rows, so the chunks' rows, one after the
other, are the whole answer's first rows, and a page costs what its months hold.

Items without a date are in no month: the whole answer (the twins, the standalone query)
has them, a page read by month does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pyoxigraph import Literal

from bilat.queries.catalogue import SavedQuery, Term

MONTHS_QUERY = (Path(__file__).parent / "views" / "months.rq").read_text(encoding="utf-8")

# (query, bindings) -> (column names, rows as {variable: term})
Run = Callable[[str, Mapping[str, Term]], tuple[list[str], list[dict]]]


def page_rows(
    saved: SavedQuery, bound: Mapping[str, Term], start: int, stop: int, run: Run
) -> tuple[list[str], list[dict]]:
    """Rows start to stop (from 0) of the question's answer, in its order."""
    if saved.by_month is None:
        raise ValueError(f"{saved.name} is not read by month")
    _, found = run(MONTHS_QUERY, {})
    months = months_between(
        sorted(str(row["month"].value) for row in found if row.get("month") is not None),
        _month(bound.get(saved.by_month.start or "")),
        _month(bound.get(saved.by_month.end or "")),
    )
    if saved.by_month.order == "newest":
        months.reverse()
    variables: list[str] = []
    rows: list[dict] = []
    size = 1
    while months and len(rows) < stop:
        chunk, months = months[:size], months[size:]
        variables, more = run(saved.sparql, {**bound, "month": [Literal(m) for m in chunk]})
        rows += more
        size *= 2
    if not variables:  # no month to read: the columns of an empty answer
        variables, _ = run(saved.sparql, {**bound, "month": [Literal("0000-00")]})
    return variables, rows[start:stop]


def months_between(months: list[str], first: str | None, last: str | None) -> list[str]:
    """The months ("YYYY-MM", sorted) from `first` to `last`, either open."""
    return [m for m in months if (first is None or m >= first) and (last is None or m <= last)]


def _month(term: Term | None) -> str | None:
    """The "YYYY-MM" of a date term; None for none."""
    return term.value[:7] if isinstance(term, Literal) else None
