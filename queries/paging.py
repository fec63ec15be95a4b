"""A page of a saved question: its rows start to stop, read no further than needed.

Oxigraph sorts every match of a query before its first row comes out, and has no index
that would hand out a busy actor's claims newest first: the first page of "what did the
US government say" would read and sort all of them. Two kinds of questions are read
otherwise, as their `#+` header says (queries/catalogue.py):

- `by_month`: the query finds its rows through the aggregates graph's per-month rows
  (queries/aggregates/50-*.rq, 51-*.rq) of the months ?month is bound to. It is run on the
  newest month first (or the oldest), then on the next two, four, eight… until the page is
  full: its months are in the order of its rows, so the chunks' rows, one after the
  other, are the whole answer's first rows, and a page costs what its months hold. With
  `items` and `keys`, a chunk's items are sorted by their keys first (their dates) and the
  query runs on the first few only: a month may hold thousands. (Items without a date
  are in no month: the whole answer has them, a page does not.)
- `periods`: the query sums precomputed rows per period (a month "YYYY-MM", a year
  "YYYY" or "all") and keeps those that cover its dates; ?key is bound to the few periods
  that may, so the engine looks those up instead of filtering every row.
- `text`: the query's items (?claim) are those whose text contains a phrase, newest
  first. The full-text index beside the store (graph/textindex.py) hands out the first
  matches, through the last one's date; the page binds the item variable to them, at most
  CHUNK a query, and the query checks and orders them as it would every item. (Without an
  index, as on a SPARQL server, or for a phrase too short to look up, the question is read
  as its other header says, or whole.)
- `top`: a `periods` query ordered by a sum over its periods, descending (most-active-
  actors: each actor's activity). Each period's members (actors) are ranked in levels,
  one per score (queries/aggregates/27-*.rq, 28-*.rq); a page reads every period's levels
  from the top down, as deep as it must for no member left out to reach its last row,
  and binds the query's nodes to those of the members that may.
- `ranked`: the query is ordered by a count, descending (who-met-whom: ?times); its ranks
  (queries/aggregates/41-met-ranks.rq) say how many rows come before each count, and the
  count is bound to those whose rows start before the page ends: a first page reads the
  few pairs that met most, not every pair of the kind.

Unbound, ?month, ?key, the items and the ranked variable leave the query whole: the
standalone text and the twins give the whole answer. A twin (and `bilat query`) reads a
`text` question's whole answer through the index, though (`whole_rows`): at 100k
communiqués the query reads every text in 70-100 s, for a word found nowhere too; through
the index, 6,237 matches took 1.6 s.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, QueryTriples

from bilat.queries.catalogue import SavedQuery, Term

MONTHS_QUERY = (Path(__file__).parent / "views" / "months.rq").read_text(encoding="utf-8")
AGG_PREFIX = "PREFIX agg: <https://w3id.org/bilat/aggregates#>\n"
ALL_TIME = "all"
# the month of the items whose communiqué (or event) has no date: read after every other
# month newest first, before them oldest first, as the queries sort an unbound date
UNDATED = "0000-00"
NO_MONTH = "none"  # binds ?month when there is no month to read: no row is in it
# the most items a query binds (a `text` page's, a `by_month` page's with `items`): Oxigraph's
# plan for a VALUES block of 1,024 rows or more reads the whole store (at 100k communiqués,
# evidence-containing on 1,000 claims: 0.3 s, on 1,024: 185 s; actor-commitments' page
# 5,000 rows deep: 113 s, in batches of 500: 1.8 s)
CHUNK = 500
# the most index matches a whole answer is read through (`whole_rows`): its rows are held
# in memory (at 100k communiqués, 63k matches: read in 15 s, 600 MB at the peak; the whole
# query, reading every text: 77 s)
WHOLE_ITEMS = 50_000

# (query, bindings, stop) -> (column names, the first `stop` rows as {variable: term});
# stop None: every row
Run = Callable[[str, Mapping[str, object], int | None], tuple[list[str], list[dict]]]
# (phrase, count, newest first) -> (IRI, date) of the first `count` items whose text
# contains the phrase and of the rest of the last one's date, and whether that is every
# match; None when there is no index to ask (graph/textindex.py: TextIndex.first)
Search = Callable[[str, int, bool], tuple[list[tuple[str, str]], bool] | None]


def reader(query: Callable[[str, Mapping[str, object]], Iterable]) -> Run:
    """A Run of a store's `query` (embedded or remote): its solutions as rows (a graph's
    triples as rows of one column, "triple")."""

    def run(sparql: str, bindings: Mapping[str, object], stop: int | None):
        result = query(sparql, bindings)
        if isinstance(result, QueryTriples):
            return ["triple"], [{"triple": t} for t in islice(result, stop)]
        names = [v.value for v in result.variables]
        return names, [{n: row[n] for n in names} for row in islice(result, stop)]

    return run


def page_rows(
    saved: SavedQuery,
    bound: Mapping[str, Term],
    start: int,
    stop: int,
    run: Run,
    search: Search | None = None,
) -> tuple[list[str], list[dict]]:
    """Rows start to stop (from 0) of the question's answer, in its order."""
    bindings, found = _prepared(saved, bound, stop, run, search)
    variables, rows = found or run(saved.sparql, bindings, stop)
    return variables, rows[start:stop]


def page_query(
    saved: SavedQuery,
    bound: Mapping[str, Term],
    start: int,
    stop: int,
    run: Run,
    search: Search | None = None,
) -> tuple[str, Mapping[str, object]]:
    """A SELECT and its bindings whose answer is rows start to stop of the question's
    (for a page written as SPARQL results: JSON, CSV…). A `by_month` question's months
    (a `text` one's items) are read here, as for `page_rows`, to learn which hold the page."""
    bindings, _ = _prepared(saved, bound, stop, run, search)
    return f"{saved.sparql.rstrip()}\nLIMIT {stop - start} OFFSET {start}\n", bindings


def _prepared(
    saved: SavedQuery, bound: Mapping[str, Term], stop: int, run: Run, search: Search | None
) -> tuple[Mapping[str, object], tuple[list[str], list[dict]] | None]:
    """The bindings under which the question's first `stop` rows are its whole answer's,
    and those rows (with their columns) when learning the bindings meant reading them."""
    found = _by_text(saved, bound, stop, run, search)
    if found is not None:
        variables, rows, items = found
        return {**bound, saved.text.finds: items}, (variables, rows)
    if saved.by_month is not None:
        variables, rows, bindings = _by_month(saved, bound, stop, run)
        return bindings, (variables, rows)
    return _narrowed(saved, bound, stop, run), None


def whole_rows(
    saved: SavedQuery, bound: Mapping[str, Term], run: Run, search: Search | None
) -> tuple[list[str], list[dict]] | None:
    """A `text` question's whole answer read through the index: its columns and rows; None
    when the index cannot say, finds more than WHOLE_ITEMS items, or a row holds a blank
    node (which `rows_query` cannot bind): then the query is to be read whole."""
    found = _by_text(saved, bound, None, run, search)
    if found is None or any(isinstance(t, BlankNode) for row in found[1] for t in row.values()):
        return None
    return found[0], found[1]


def rows_query(variables: list[str], rows: list[dict]) -> tuple[str, Mapping[str, object]]:
    """A SELECT whose answer is `rows`, in their order: a page already read, to be written
    as SPARQL results (JSON, CSV…) without reading it again. Its rows are bound as terms
    (a blank node cannot be: see `page_query`)."""
    names = " ".join(variables)
    sparql = f"SELECT {' '.join('?' + v for v in variables)} WHERE {{ }}"
    return sparql, {names: [tuple(row.get(v) for v in variables) for row in rows]}


def _narrowed(
    saved: SavedQuery, bound: Mapping[str, Term], stop: int, run: Run
) -> Mapping[str, object]:
    """The bindings of a `top` question with its nodes bound to those of the members that
    may reach `stop` rows, of another `periods` question with ?key bound to the periods
    that may cover its dates, of a `ranked` one with its variable bound to the counts
    whose rows start before `stop`; others' as they are."""
    if saved.top is not None:
        return _top(saved, bound, stop, run)
    if saved.periods is not None:
        return {**bound, "key": [Literal(key) for key in _periods(saved, bound, run)]}
    if saved.ranked is not None:
        by, ranks = saved.ranked
        _, found = _select(f"?{by} ?above", ranks, bound, run)
        counts = [row[by] for row in found if int(row["above"].value) < stop]
        return {**bound, by: counts}
    return bound


def _periods(saved: SavedQuery, bound: Mapping[str, Term], run: Run) -> list[str]:
    """The keys of the periods that may cover a `periods` question's dates."""
    first, last = (_month(bound.get(name or "")) for name in saved.periods or (None, None))
    return period_keys(data_months(run), first, last)


def _top(
    saved: SavedQuery, bound: Mapping[str, Term], stop: int, run: Run
) -> Mapping[str, object]:
    """The bindings under which a `top` question's first `stop` rows are its whole
    answer's: its nodes bound to those of the members that may score that high."""
    top = saved.top
    keys = _periods(saved, bound, run)
    _, found = _select(
        "?key ?level ?score ?above", top.levels, {**bound, "key": [Literal(k) for k in keys]}, run
    )
    ladders: dict[str, list[tuple[int, float, Term]]] = {}  # per period, from the top
    for row in found:
        step = (int(row["above"].value), float(row["score"].value), row["level"])
        ladders.setdefault(row["key"].value, []).append(step)
    for ladder in ladders.values():
        ladder.sort(key=lambda step: step[0])

    def members(levels: list[Term]) -> list[tuple[Term, Term]]:
        _, rows = _select("?level ?member", top.members, {"level": levels}, run)
        return [(row["level"], row["member"]) for row in rows]

    nodes = [
        NamedNode(top.node.format(key=key, member=hashlib.md5(member.value.encode()).hexdigest()))
        for member in _busiest(ladders, members, max(stop, 1))
        for key in keys
    ]
    return {**bound, top.finds: nodes}


def _busiest(
    ladders: Mapping[str, list[tuple[int, float, Term]]],
    members: Callable[[list[Term]], list[tuple[Term, Term]]],
    count: int,
) -> list[Term]:
    """The members that may be among the `count` whose scores, summed over the periods,
    are highest; each period's levels as (members above, score, level), from the top.

    The threshold algorithm of Fagin, Lotem and Naor (2003) without random access: a
    member met in the levels read so far scores at least the sum of its levels' scores,
    and at most that plus, in each period where it was not met, the highest score left
    unread there; a member never met scores at most the sum of those. Levels are read
    deeper (twice as deep each time) until the `count`-th best least score beats that sum;
    a member met whose most cannot reach it is left out too."""
    met: dict[Term, dict[str, float]] = {}  # a member's score in each period it was met
    depth, done = count, 0
    while True:
        levels = {
            level: (key, score)
            for key, ladder in ladders.items()
            for above, score, level in ladder
            if done <= above < depth
        }
        for level, member in members(list(levels)) if levels else []:
            key, score = levels[level]
            met.setdefault(member, {})[key] = score
        unread = {
            key: next((score for above, score, _ in ladder if above >= depth), 0.0)
            for key, ladder in ladders.items()
        }
        least = sorted((sum(scores.values()) for scores in met.values()), reverse=True)
        bar = least[count - 1] if len(least) >= count else 0.0
        if not any(unread.values()) or bar > sum(unread.values()):
            break
        done, depth = depth, 2 * depth
    return [
        member
        for member, scores in met.items()
        if sum(scores.values()) + sum(s for k, s in unread.items() if k not in scores) >= bar
    ]


def question_months(pattern: str, bound: Mapping[str, Term], run: Run) -> list[str]:
    """The months (sorted) that `pattern` binds ?month to, for the question's values."""
    return _months(_select("DISTINCT ?month", pattern, bound, run))


def _select(
    projection: str, pattern: str, bound: Mapping[str, Term], run: Run
) -> tuple[list[str], list[dict]]:
    """Every row of `SELECT projection WHERE { pattern }`, with the values it mentions bound."""
    used = {n: t for n, t in bound.items() if re.search(rf"[?$]{n}\b", pattern)}
    return run(f"{AGG_PREFIX}SELECT {projection} WHERE {{ {pattern} }}", used, None)


def data_months(run: Run) -> list[str]:
    """The months ("YYYY-MM", sorted) in which communiqués were published."""
    return _months(run(MONTHS_QUERY, {}, None))


def _months(answer: tuple[list[str], list[dict]]) -> list[str]:
    """The ?month values of an answer, sorted."""
    return sorted(str(row["month"].value) for row in answer[1] if row.get("month") is not None)


def _by_text(
    saved: SavedQuery, bound: Mapping[str, Term], stop: int | None, run: Run,
    search: Search | None
) -> tuple[list[str], list[dict], list[NamedNode]] | None:
    """The columns, at least `stop` rows (or all), and the items they were found among;
    None when the index cannot help (with `stop` None: nor when it finds more than
    WHOLE_ITEMS items)."""
    wanted = WHOLE_ITEMS if stop is None else stop
    variables: list[str] = []
    rows: list[dict] = []
    read: list[NamedNode] = []
    while True:
        found = _matches(saved, bound, search, wanted)
        if found is None or (stop is None and not found[1]):
            return None
        matches, complete = found
        # a longer search starts with the same items: read on from the last one read
        for chunk in _chunks(matches[len(read):]):
            variables, more = run(saved.sparql, {**bound, saved.text.finds: chunk}, None)
            rows += more
            read += chunk
            if stop is not None and len(rows) >= stop:
                return variables, rows, read
        # fewer rows than items: the query set some aside (an index is a superset)
        if complete:
            if not variables:  # no match: the columns of an empty answer
                variables, _ = run(saved.sparql, {**bound, saved.text.finds: []}, 0)
            return variables, rows, read
        wanted *= 4


def _matches(
    saved: SavedQuery, bound: Mapping[str, Term], search: Search | None, count: int
) -> tuple[list[tuple[NamedNode, str]], bool] | None:
    """A `text` question's first `count` items the index finds (and the rest of the last
    one's date), each once with its date, and whether they are all; None when the index
    cannot help."""
    spec = saved.text
    phrase = bound.get(spec.search) if spec is not None else None
    if search is None or not isinstance(phrase, Literal):
        return None
    found = search(phrase.value, count, spec.order == "newest")
    if found is None:
        return None
    matches, complete = found
    first: dict[str, str] = {}  # an item with two texts is found twice
    for iri, date in matches:
        first.setdefault(iri, date)
    return [(NamedNode(iri), date) for iri, date in first.items()], complete


def _chunks(matches: list[tuple[NamedNode, str]]) -> list[list[NamedNode]]:
    """The items in runs of CHUNK or fewer (more when one date has more), each ending with
    the last item of its date: the query orders a run's rows, and every row of a run comes
    before those of the next (the runs are in the question's order of dates)."""
    chunks: list[list[NamedNode]] = []
    last = None
    for item, date in matches:
        if not chunks or (len(chunks[-1]) >= CHUNK and date != last):
            chunks.append([])
        chunks[-1].append(item)
        last = date
    return chunks


def _by_month(
    saved: SavedQuery, bound: Mapping[str, Term], stop: int, run: Run
) -> tuple[list[str], list[dict], dict[str, object]]:
    """The columns, the rows of the months read until `stop` rows were found, and the
    bindings that read them all at once (the months; with `items`, each item's month)."""
    order = saved.by_month
    found = question_months(order.months, bound, run) if order.months else data_months(run)
    months = months_between(
        found, _month(bound.get(order.start or "")), _month(bound.get(order.end or ""))
    )
    if order.order == "newest":
        months.reverse()
    variables: list[str] = []
    rows: list[dict] = []
    read: list[Literal] = []
    pairs: list[tuple[Term, Term]] = []
    size = 1
    while months and len(rows) < stop:
        chunk, months = [Literal(m) for m in months[:size]], months[size:]
        in_chunk = {**bound, "month": chunk}
        if order.items:
            variables, more, used = _by_items(saved, in_chunk, stop - len(rows), run)
            pairs += used
        else:
            variables, more = run(saved.sparql, in_chunk, None)
        rows += more
        read += chunk
        size *= 2
    if not variables:  # no month to read: the columns of an empty answer
        variables, _ = run(saved.sparql, {**bound, "month": [Literal(NO_MONTH)]}, 0)
    if order.items:
        return variables, rows, {**bound, f"month {order.items}": pairs}
    return variables, rows, {**bound, "month": read or [Literal(NO_MONTH)]}


def _by_items(
    saved: SavedQuery, in_chunk: Mapping[str, object], wanted: int, run: Run
) -> tuple[list[str], list[dict], list[tuple[Term, Term]]]:
    """The columns and rows of the first items of a few months, until `wanted` rows were
    found (or all), and those items with their months. The items come in the order of
    their sort keys (the `keys` pattern), and with every other item of the last one's key:
    the rows of the items before cannot come after a row of an item left out. Each item is
    bound with its own month (a chunk's months times its items may be thousands of rows)."""
    order = saved.by_month
    name = order.items
    _, found = _select(f"DISTINCT ?{name} ?key ?month", order.keys, in_chunk, run)
    keyed = sorted(
        ((str(row["key"].value) if row.get("key") is not None else "", row["month"], row[name])
         for row in found),
        key=lambda found: found[0],
        reverse=order.order == "newest",
    )
    last = {item: place for place, (_, _, item) in enumerate(keyed)}  # an item's last key
    rest = {n: value for n, value in in_chunk.items() if n != "month"}
    variables: list[str] = []
    rows: list[dict] = []
    taken = batch = 0
    while taken < len(keyed) and len(rows) < wanted or not variables:
        # as many items as rows are missing, at least twice as many as last time (some
        # items may have no row: the keys pattern may be looser than the query), at most CHUNK
        batch = min(max(wanted - len(rows), 2 * batch), CHUNK)
        end = _closed(keyed, taken, min(taken + batch, len(keyed)), last)
        pairs = list(dict.fromkeys((month, item) for _, month, item in keyed[taken:end]))
        variables, more = run(saved.sparql, {**rest, f"month {name}": pairs}, None)
        rows += more
        taken = end
    return variables, rows, list(dict.fromkeys((m, item) for _, m, item in keyed[:taken]))


def _closed(keyed: list[tuple], start: int, end: int, last: Mapping[Term, int]) -> int:
    """Where the items from `start` end: past every key tied with the one before `end`, and
    past every later key of an item taken (an event with two dates in one month): the query
    gives all of an item's rows, and they must all come before those of the items left."""
    while True:
        while 0 < end < len(keyed) and keyed[end][0] == keyed[end - 1][0]:
            end += 1
        furthest = max((last[item] for _, _, item in keyed[start:end]), default=-1) + 1
        if furthest <= end:
            return end
        end = furthest


def months_between(months: list[str], first: str | None, last: str | None) -> list[str]:
    """The months ("YYYY-MM", sorted) from `first` to `last`, either open."""
    return [m for m in months if (first is None or m >= first) and (last is None or m <= last)]


def period_keys(months: list[str], first: str | None, last: str | None) -> list[str]:
    """The periods that cover the months `first` to `last` (either open), as the query
    chooses them: "all" when they take in every year of the data, else the years between
    and the months of the first and the last year (the query's filter checks again)."""
    months = [m for m in months if m != UNDATED]  # in no period: no date is in them
    if not months:
        return [ALL_TIME]
    first, last = first or UNDATED, last or "9999-99"
    years = sorted({m[:4] for m in months})
    if first[:4] < years[0] and last[:4] > years[-1]:
        return [ALL_TIME]
    keys = [y for y in years if first[:4] < y < last[:4]]
    edges = {first[:4], last[:4]}
    keys += [
        f"{y}-{m:02d}"
        for y in sorted(edges)
        for m in range(1, 13)
        if first <= f"{y}-{m:02d}" <= last
    ]
    return keys


def _month(term: Term | None) -> str | None:
    """The "YYYY-MM" of a date term; None for none."""
    return term.value[:7] if isinstance(term, Literal) else None
