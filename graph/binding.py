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

    A variable bound to a list of terms gets a VALUES block of its own, one row per term:
    one block of every combination would have the engine start its joins from each (an
    actor's rows read once per month bound), where separate blocks are joined once.
    """
    if not bindings:
        return sparql
    for name, value in bindings.items():
        if not VARIABLE_NAME.fullmatch(name):
            raise BindingError(f"cannot bind {name!r}: not a SPARQL variable name")
        for term in value if isinstance(value, list | tuple) else [value]:
            if not isinstance(term, NamedNode | Literal):
                raise BindingError(f"cannot bind ?{name} = {term}: bind an IRI or a literal")
    single = {n: v for n, v in bindings.items() if not isinstance(v, list | tuple)}
    blocks = (
        [
            f"VALUES ({' '.join(f'?{n}' for n in single)}) "
            f"{{ ({' '.join(str(t) for t in single.values())}) }}"
        ]
        if single
        else []
    )
    blocks += [
        f"VALUES ?{name} {{ {' '.join(str(term) for term in value)} }}"
        for name, value in bindings.items()
        if isinstance(value, list | tuple)
    ]
    values = "\n  ".join(blocks)
    where = WHERE_OPENING.search(sparql)
    if where is None:  # `SELECT * { ... }`: a trailing VALUES, joined with the answers
        return f"{sparql}\n{values}"
    return f"{sparql[: where.end()]}\n  {values}\n{sparql[where.end() :]}"
