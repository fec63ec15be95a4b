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


def with_values(sparql: str, bindings: Mapping[str, Term | Sequence[Term]]) -> str:
    """The query with `bindings` in a VALUES block, each term in N-Triples syntax (which
    escapes it), so a value cannot break out of its term: bound, never spliced as text.

    One variable may be bound to a list of terms: the block then has a row for each. (A
    VALUES block of its own for the list would spare the engine a join per row, but then
    Oxigraph's planner hash-joins the OPTIONALs that follow over the whole store.)
    """
    if not bindings:
        return sparql
    lists = [name for name, value in bindings.items() if isinstance(value, list | tuple)]
    if len(lists) > 1:
        raise BindingError(f"only one variable may be bound to a list, not {', '.join(lists)}")
    for name, value in bindings.items():
        if not VARIABLE_NAME.fullmatch(name):
            raise BindingError(f"cannot bind {name!r}: not a SPARQL variable name")
        for term in value if name in lists else [value]:
            if not isinstance(term, NamedNode | Literal):
                raise BindingError(f"cannot bind ?{name} = {term}: bind an IRI or a literal")
    names = " ".join(f"?{name}" for name in bindings)
    rows = [
        " ".join(str(term) for term in row)
        for row in _rows([v if n in lists else [v] for n, v in bindings.items()])
    ]
    values = f"VALUES ({names}) {{ {' '.join(f'({row})' for row in rows)} }}"
    where = WHERE_OPENING.search(sparql)
    if where is None:  # `SELECT * { ... }`: a trailing VALUES, joined with the answers
        return f"{sparql}\n{values}"
    return f"{sparql[: where.end()]}\n  {values}\n{sparql[where.end() :]}"


def _rows(columns: list[Sequence[Term]]) -> list[list[Term]]:
    """Every combination of one term from each column (one column has several at most)."""
    rows: list[list[Term]] = [[]]
    for column in columns:
        rows = [[*row, term] for row in rows for term in column]
    return rows
