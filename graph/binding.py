"""Binding a query's parameters: a VALUES block of RDF terms opening its WHERE clause.

Every store binds this way, the embedded one included, rather than with pyoxigraph's
`substitutions`: Oxigraph's optimizer starts its joins from a leading VALUES block but not
from substituted variables (follows-chains on 10k synthetic communiqués: 6.1 s substituted,
0.7 s with VALUES), and a SPARQL server has no substitutions at all, so one text gives the
same answer everywhere and can be shown to the user as the query that ran.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyoxigraph import Literal, NamedNode

WHERE_OPENING = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class BindingError(ValueError):
    """A value that cannot be bound (a bad variable name, a blank node)."""


Term = NamedNode | Literal


def with_values(
    sparql: str, bindings: Mapping[str, Term | Sequence], *, row_apart: bool = False
) -> str:
    """The query with `bindings` in a VALUES block, each term in N-Triples syntax (which
    escapes it), so a value cannot break out of its term: bound, never spliced as text.

    A variable may be bound to a list of terms: the block then has a row for each, and for
    each combination when several are. Several variables named together ("month event")
    are bound to a list of rows, one term (or None: UNDEF) for each. (A VALUES block of
    its own for a list would spare the engine a join per row, but then Oxigraph's planner
    hash-joins the OPTIONALs that follow over the whole store.)

    With `row_apart`, a single row is bound one variable to a block, the same solution:
    Virtuoso 7.2 does not compile a one-row block of several variables, one of them not
    selected, before an OPTIONAL ("ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED").
    """
    if not bindings:
        return sparql
    groups = [_group(name, value) for name, value in bindings.items()]
    variables = [name for group_names, _ in groups for name in group_names]
    names = " ".join(f"?{name}" for name in variables)
    rows: list[tuple[Term, ...]] = [()]
    for _, group_rows in groups:
        rows = [(*row, *more) for row in rows for more in group_rows]
    block = " ".join(
        f"({' '.join('UNDEF' if term is None else str(term) for term in row)})" for row in rows
    )
    values = f"VALUES ({names}) {{ {block} }}"
    if row_apart and len(rows) == 1:
        values = " ".join(
            f"VALUES ?{name} {{ {'UNDEF' if term is None else term} }}"
            for name, term in zip(variables, rows[0], strict=True)
        )
    where = WHERE_OPENING.search(sparql)
    if where is None:  # `SELECT * { ... }`: a trailing VALUES, joined with the answers
        return f"{sparql}\n{values}"
    return f"{sparql[: where.end()]}\n  {values}\n{sparql[where.end() :]}"


def _group(key: str, value: Term | Sequence) -> tuple[list[str], list[tuple[Term, ...]]]:
    """The variables a binding names and its rows of terms, checked."""
    names = key.split(" ")
    if len(names) > 1:
        rows = [tuple(row) for row in value]
    elif isinstance(value, list | tuple):
        rows = [(term,) for term in value]
    else:
        rows = [(value,)]
    for name in names:
        if not VARIABLE_NAME.fullmatch(name):
            raise BindingError(f"cannot bind {name!r}: not a SPARQL variable name")
    for row in rows:
        if len(row) != len(names):
            raise BindingError(f"cannot bind ({key}) = {row}: one term for each variable")
        for name, term in zip(names, row, strict=True):
            if not isinstance(term, NamedNode | Literal) and not (term is None and len(names) > 1):
                raise BindingError(f"cannot bind ?{name} = {term}: bind an IRI or a literal")
    return names, rows
