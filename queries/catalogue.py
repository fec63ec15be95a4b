"""The saved queries: `queries/*.rq` files with a grlc-style `#+` YAML header.

A header line is `#+ key: value`; together they are YAML with `title`, `title_es`,
`description`, `params` and `expect`. Parameters are bound as RDF terms in a VALUES block
(graph/binding.py), never pasted into the query text as such; a SELECT must project its
parameters, so that every row shows the values it was asked with. A parameter's type names
its form control: the choices of `queries/choices/<type>.rq` (read from the graph), else a
date or text input.

A saved query is a SELECT (its answer is a table) or a CONSTRUCT or DESCRIBE (its answer
is a graph); ASK is not offered as a canned question.

`by_month: {order: newest | oldest, from: PARAM, to: PARAM, months: PATTERN}` marks a query
whose rows are in order of a month ("YYYY-MM") it finds them by, as `?month`: a page binds
?month to a few months at a time (queries/paging.py); unbound, the query gives its whole
answer. `from` and `to` name the date parameters, if any, that bound the months worth
reading; `months`, a graph pattern binding ?month, finds the months that hold rows for
the parameters (without it: every month in which communiqués were published). With
`items: VAR` and `keys: PATTERN`, which gives each ?VAR of a ?month its ?key, the first key
the query orders by, a month is read in its first items only (a month may hold thousands).
`periods: {from: PARAM, to: PARAM}` marks a query that sums precomputed rows of periods
`?key` ("YYYY-MM", "YYYY", "all"): a page binds ?key to those that may cover the dates.
`ranked: {by: VAR, ranks: PATTERN}` marks a query ordered by ?VAR, descending, whose
`ranks` pattern gives each value of ?VAR and ?above, the number of rows before it: a page
binds ?VAR to the values whose rows start before its end.
`top: {finds: VAR, node: TEMPLATE, score: VAR, levels: PATTERN, members: PATTERN}` marks
a `periods` query that sums ?VAR nodes, one per member (an actor) and period, and is
ordered by their sum ?score, descending: `levels` gives each period ?key's ?level with the
?score its members have there and ?above, how many members of the period score higher;
`members` each ?level's ?member; `node` (with {key} and {member}, the MD5 of the
member's IRI, as SPARQL's MD5 writes it) names a member's node in a period. A page
binds ?VAR to the nodes of the few members that can reach its last row.
`text: {search: PARAM, finds: VAR, order: newest | oldest}` marks a query whose ?VAR items
are those whose text (queries/views/text.rq) contains the parameter's value, in the order
of their dates: a page binds ?VAR to the first few the full-text index finds.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode, QueryBoolean, QueryTriples
from pyoxigraph import Store as OxStore

from bilat.graph.binding import VARIABLE_NAME, with_values
from bilat.ontology import BILAT, ID, PREFIXES, TOPIC

HERE = Path(__file__).parent
ACTOR_BASE = f"{ID}actor/"
COMMUNIQUE_BASE = f"{ID}communique/"
TOPIC_BASE = str(TOPIC)
BILAT_BASE = str(BILAT._NS)
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
EVENT_KINDS = ("Call", "Meeting", "Summit", "Visit", "Signing")
# Query-string names the web pages use for paging and for "why this answer" (row=).
RESERVED = frozenset({"limit", "offset", "row"})
# Where a saved query's bindings go in its standalone text: the opening of its WHERE.
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH_ORDERS = ("newest", "oldest")

Term = NamedNode | Literal


class ParameterError(ValueError):
    """A parameter value a user gave that cannot be bound (unknown name, bad value)."""


class CatalogueError(ValueError):
    """A saved query file that is not a usable saved query."""


# --- parameter types: text from a form or a URL -> an RDF term ----------------------------


def _iri(value: str) -> NamedNode:
    prefix, colon, rest = value.partition(":")
    if colon and prefix in PREFIXES and not rest.startswith("//"):
        value = PREFIXES[prefix] + rest
    try:
        return NamedNode(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not an IRI ({error})") from None


def _key_or_iri(base: str, what: str, lower: bool = False) -> Callable[[str], NamedNode]:
    def convert(value: str) -> NamedNode:
        if ":" in value:
            return _iri(value)
        if not KEY.fullmatch(value):
            raise ValueError(
                f"{value!r} is neither {what} key (letters, digits, '-', '.', '_') nor an IRI"
            )
        return NamedNode(base + (value.lower() if lower else value))

    return convert


def _event_kind(value: str) -> NamedNode:
    for kind in EVENT_KINDS:
        if value.lower() in (kind.lower(), (BILAT_BASE + kind).lower()):
            return NamedNode(BILAT_BASE + kind)
    raise ValueError(f"{value!r} is not an event kind; choose one of {', '.join(EVENT_KINDS)}")


def _date(value: str) -> Literal:
    try:
        if not DATE.fullmatch(value):
            raise ValueError
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date of the form YYYY-MM-DD") from None
    return Literal(value, datatype=XSD_DATE)


def _integer(value: str) -> Literal:
    try:
        return Literal(int(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an integer") from None


CONVERTERS: dict[str, Callable[[str], Term]] = {
    "actor": _key_or_iri(ACTOR_BASE, "an actor"),
    "country": _key_or_iri(ACTOR_BASE, "a country", lower=True),
    "topic": _key_or_iri(TOPIC_BASE, "a topic"),
    "communique": _key_or_iri(COMMUNIQUE_BASE, "a communiqué"),
    "event-kind": _event_kind,
    "date": _date,
    "string": Literal,
    "integer": _integer,
    "iri": _iri,
}
# The base IRI a type's keys sit under: a graph term back to the key a form sends.
KEY_BASES: dict[str, str] = {
    "actor": ACTOR_BASE,
    "country": ACTOR_BASE,
    "topic": TOPIC_BASE,
    "communique": COMMUNIQUE_BASE,
    "event-kind": BILAT_BASE,
}


@dataclass(frozen=True)
class Param:
    """One named parameter of a saved query."""

    name: str
    type: str
    label: str
    example: str
    default: str | None = None
    description: str = ""

    def convert(self, value: str) -> Term:
        """The RDF term for a text value; ParameterError says what is wrong."""
        try:
            return CONVERTERS[self.type](value.strip())
        except ValueError as error:
            raise ParameterError(f"parameter {self.name!r} ({self.type}): {error}") from None

    def key_of(self, term: NamedNode | Literal) -> str:
        """The text a form sends for a graph term: a key where the type has keys."""
        base = KEY_BASES.get(self.type)
        if base and term.value.startswith(base) and KEY.fullmatch(term.value[len(base) :]):
            return term.value[len(base) :]
        return term.value

    @property
    def fallback(self) -> str:
        """The value used when none is given: the default, else the example."""
        return self.default if self.default is not None else self.example


@dataclass(frozen=True)
class ByMonth:
    """How a query's rows follow the months (see the module's docstring)."""

    order: str  # "newest" or "oldest" first
    start: str | None = None  # the date parameter the months start from, if any
    end: str | None = None  # the date parameter they end with, if any
    months: str | None = None  # a graph pattern binding ?month: the months with rows
    items: str | None = None  # the variable of the items the rows are about
    keys: str | None = None  # a graph pattern binding ?ITEMS and ?key for each ?month


@dataclass(frozen=True)
class Top:
    """How a query's busiest members are found period by period (see the module's
    docstring)."""

    finds: str  # the variable of the nodes the query sums
    node: str  # the IRI of a member's node in a period: {key}, {member}
    score: str  # the column the query is ordered by, descending: the nodes' sum
    levels: str  # a graph pattern binding ?key, ?level, ?score, ?above
    members: str  # a graph pattern binding ?level's ?member


@dataclass(frozen=True)
class TextSearch:
    """How a query's items are found in the full-text index (see the module's docstring)."""

    search: str  # the parameter holding the phrase
    finds: str  # the variable of the items
    order: str = "newest"  # of the items' dates


@dataclass
class SavedQuery:
    """A saved SPARQL query: its header's metadata and its text."""

    name: str
    title: str
    title_es: str
    description: str
    params: dict[str, Param]
    expect: dict[str, Any]
    sparql: str
    path: Path | None = field(default=None, compare=False)
    kind: str = "solutions"  # "solutions" (SELECT) or "graph" (CONSTRUCT, DESCRIBE)
    by_month: ByMonth | None = None
    periods: tuple[str | None, str | None] | None = None  # the date parameters they cover
    ranked: tuple[str, str] | None = None  # the variable ranked by, and its ranks pattern
    text: TextSearch | None = None
    top: Top | None = None

    def values(self, raw: Mapping[str, str]) -> dict[str, str]:
        """Every parameter's text value: the given one, else the default or example."""
        unknown = sorted(set(raw) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise ParameterError(
                f"unknown parameter {', '.join(map(repr, unknown))} for {self.name!r} "
                f"(its parameters: {known})"
            )
        return {n: (raw.get(n) or "").strip() or p.fallback for n, p in self.params.items()}

    def bind(self, raw: Mapping[str, str]) -> dict[str, Term]:
        """Text values (from a URL or a command line) as the RDF terms to bind."""
        values = self.values(raw)
        return {name: param.convert(values[name]) for name, param in self.params.items()}

    def standalone(self, bound: Mapping[str, Any], sparql: str | None = None) -> str:
        """The query (or `sparql`, a page of it) as text anyone can run elsewhere: PREFIX
        lines, the values in a VALUES.

        The values are bound as every bilat store binds them (graph/binding.py), so this
        text gives the answer the page shows.
        """
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        return prologue + with_values(sparql or self.sparql, bound)


# --- reading .rq files -------------------------------------------------------------------


def read_query(path: Path) -> SavedQuery:
    """Read one .rq file; CatalogueError when its header or its parameters are wrong."""
    text = Path(path).read_text(encoding="utf-8")
    header, body = _split_header(text)
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path.name}: the #+ header is not YAML: {error}") from None
    if not isinstance(meta, dict):
        raise CatalogueError(f"{path.name}: the #+ header must be `key: value` lines")
    specs = meta.get("params") or {}
    if not isinstance(specs, dict):
        raise CatalogueError(f"{path.name}: params must be a mapping of name: {{type, example}}")
    params = {str(name): _param(path, str(name), spec) for name, spec in specs.items()}
    saved = SavedQuery(
        name=path.stem,
        title=str(meta.get("title") or ""),
        title_es=str(meta.get("title_es") or ""),
        description=str(meta.get("description") or "").strip(),
        params=params,
        expect=dict(meta.get("expect") or {}),
        sparql=body,
        path=path,
        by_month=_by_month(path, meta.get("by_month"), params),
        periods=_periods(path, meta.get("periods"), params),
        ranked=_ranked(path, meta.get("ranked")),
        text=_text(path, meta.get("text"), params),
        top=_top(path, meta.get("top")),
    )
    _check_bindable(saved)
    return saved


def load_catalogue(folder: Path | str | None = None) -> dict[str, SavedQuery]:
    """Every saved query in `folder` (default: this package's folder), by name."""
    folder = Path(folder) if folder is not None else HERE
    return {path.stem: read_query(path) for path in sorted(folder.glob("*.rq"))}


def _split_header(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    header = []
    for index, line in enumerate(lines):
        if line.startswith("#+"):
            header.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip():
            return "\n".join(header), "\n".join(lines[index:]).strip() + "\n"
    return "\n".join(header), ""


def _by_month(path: Path, spec: Any, params: Mapping[str, Param]) -> ByMonth | None:
    if spec is None:
        return None
    where = f"{path.name}: by_month"
    if not isinstance(spec, dict) or spec.get("order") not in MONTH_ORDERS:
        raise CatalogueError(f"{where} needs an order: {' or '.join(MONTH_ORDERS)}")
    months = spec.get("months")
    if months is not None and not re.search(r"[?$]month\b", str(months)):
        raise CatalogueError(f"{where}: months must be a graph pattern that binds ?month")
    items, keys = spec.get("items"), spec.get("keys")
    if (items is None) != (keys is None) or items is not None and not (
        VARIABLE_NAME.fullmatch(str(items))
        and all(re.search(rf"[?$]{v}\b", str(keys)) for v in (items, "key", "month"))
    ):
        raise CatalogueError(
            f"{where}: items (a variable) and keys (a graph pattern that binds it and ?key "
            "for ?month) go together"
        )
    return ByMonth(spec["order"], *_dates(where, spec, params), months=months, items=items,
                   keys=keys)


def _periods(
    path: Path, spec: Any, params: Mapping[str, Param]
) -> tuple[str | None, str | None] | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise CatalogueError(f"{path.name}: periods must be {{from: PARAM, to: PARAM}}")
    return _dates(f"{path.name}: periods", spec, params)


def _ranked(path: Path, spec: Any) -> tuple[str, str] | None:
    if spec is None:
        return None
    by = spec.get("by") if isinstance(spec, dict) else None
    ranks = str(spec.get("ranks") or "") if isinstance(spec, dict) else ""
    if not by or not re.search(rf"[?$]{by}\b", ranks) or not re.search(r"[?$]above\b", ranks):
        raise CatalogueError(
            f"{path.name}: ranked needs by: VAR and ranks: a pattern binding ?VAR and ?above"
        )
    return str(by), ranks


def _top(path: Path, spec: Any) -> Top | None:
    if spec is None:
        return None
    names = Top.__dataclass_fields__
    fields = {name: str(spec.get(name) or "") for name in names} if isinstance(spec, dict) else {}
    binds = {"levels": ("key", "level", "score", "above"), "members": ("level", "member")}
    if not (
        fields
        and all(VARIABLE_NAME.fullmatch(fields[name]) for name in ("finds", "score"))
        and {"{key}", "{member}"} <= set(re.findall(r"\{\w*\}", fields["node"]))
        and all(re.search(rf"[?$]{v}\b", fields[name]) for name, vs in binds.items() for v in vs)
    ):
        raise CatalogueError(
            f"{path.name}: top needs finds: VAR, score: VAR, node: an IRI with {{key}} and "
            "{member}, levels: a pattern binding ?key, ?level, ?score and ?above, and "
            "members: a pattern binding ?level's ?member"
        )
    return Top(**fields)


def _text(path: Path, spec: Any, params: Mapping[str, Param]) -> TextSearch | None:
    if spec is None:
        return None
    if (
        not isinstance(spec, dict)
        or spec.get("search") not in params
        or not VARIABLE_NAME.fullmatch(str(spec.get("finds")))
        or spec.get("order", "newest") not in MONTH_ORDERS
    ):
        raise CatalogueError(
            f"{path.name}: text needs search: PARAM, finds: VAR, and order: "
            f"{' or '.join(MONTH_ORDERS)} (newest when left out)"
        )
    return TextSearch(spec["search"], spec["finds"], spec.get("order", "newest"))


def _dates(where: str, spec: dict, params: Mapping[str, Param]) -> tuple[str | None, str | None]:
    """The date parameters a header entry names as `from` and `to` (None where it names none)."""
    ends = {key: spec.get(key) for key in ("from", "to")}
    for key, name in ends.items():
        if name is not None and (name not in params or params[name].type != "date"):
            raise CatalogueError(f"{where}: {key} must name a date parameter, not {name!r}")
    return ends["from"], ends["to"]


def _param(path: Path, name: str, spec: Any) -> Param:
    where = f"{path.name}: parameter {name!r}"
    if not isinstance(spec, dict) or "type" not in spec or "example" not in spec:
        raise CatalogueError(f"{where} needs at least a type and an example")
    if spec["type"] not in CONVERTERS:
        raise CatalogueError(
            f"{where}: unknown type {spec['type']!r}; use one of {', '.join(CONVERTERS)}"
        )
    if name in RESERVED:
        raise CatalogueError(f"{where}: {', '.join(sorted(RESERVED))} are reserved for paging")
    default = spec.get("default")
    return Param(
        name=name,
        type=spec["type"],
        label=str(spec.get("label") or name.replace("_", " ").capitalize()),
        example=str(spec["example"]),
        default=None if default is None else str(default),
        description=str(spec.get("description") or ""),
    )


def _check_bindable(saved: SavedQuery) -> None:
    """Try each parameter on an empty store: the text parses and the variable is projected."""
    name = saved.path.name if saved.path else saved.name
    if not saved.sparql.strip():
        raise CatalogueError(f"{name}: no query after the #+ header")
    empty = OxStore()
    try:
        terms = saved.bind({})
    except ParameterError as error:
        raise CatalogueError(f"{name}: a default or example is not valid: {error}") from None
    try:
        result = empty.query(saved.sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise CatalogueError(f"{name}: bad SPARQL: {error}") from None
    if isinstance(result, QueryBoolean):
        raise CatalogueError(f"{name}: an ASK query has no answer to show; use SELECT")
    saved.kind = "graph" if isinstance(result, QueryTriples) else "solutions"
    try:
        empty.query(saved.standalone(terms))  # its own PREFIX lines, no engine bindings
    except SyntaxError as error:
        raise CatalogueError(f"{name}: the query with its VALUES does not parse: {error}") from None
    projected = {v.value for v in result.variables} if saved.kind == "solutions" else None
    if re.search(r"\b(LIMIT|OFFSET)\s+\d+\s*$", saved.sparql, re.IGNORECASE):
        raise CatalogueError(f"{name}: no LIMIT or OFFSET of its own: the pages set them")
    if saved.by_month and not re.search(r"[?$]month\b", saved.sparql):
        raise CatalogueError(f"{name}: by_month, but the query has no ?month")
    if saved.text and not re.search(rf"[?$]{saved.text.finds}\b", saved.sparql):
        raise CatalogueError(f"{name}: text finds ?{saved.text.finds}, not in the query")
    if saved.periods and not re.search(r"[?$]key\b", saved.sparql):
        raise CatalogueError(f"{name}: periods, but the query has no ?key")
    if saved.top and not (
        saved.periods
        and re.search(rf"[?$]{saved.top.finds}\b", saved.sparql)
        and projected is not None
        and saved.top.score in projected
    ):
        raise CatalogueError(
            f"{name}: top needs periods, ?{saved.top.finds} in the query and "
            f"?{saved.top.score} in its SELECT projection"
        )
    for param in terms:
        if not re.search(rf"[?$]{re.escape(param)}\b", saved.sparql):
            raise CatalogueError(
                f"{name}: parameter {param!r} is not used as ?{param} in the query"
            )
        if projected is not None and param not in projected:
            raise CatalogueError(
                f"{name}: parameter ?{param} must appear in the SELECT projection, so that "
                "every row shows the values it was asked with"
            )


# --- form choices, from the graph --------------------------------------------------------

LANGUAGE_ORDER = ("en", "", "es")


def choices(
    store: Any, param_type: str, folder: Path | str | None = None
) -> list[tuple[str, str]] | None:
    """(value, label) pairs for a parameter type's form control, read from the graph.

    `queries/choices/<type>.rq` is a SELECT of `?term ?label`; None when a type has no
    such file (its control is a text or date input).
    """
    path = (Path(folder) if folder is not None else HERE) / "choices" / f"{param_type}.rq"
    if not path.is_file():
        return None
    labels: dict[str, tuple[int, str]] = {}
    probe = Param(name=param_type, type=param_type, label="", example="")
    for row in store.query(path.read_text(encoding="utf-8")):
        term, label = row["term"], row["label"]
        if term is None:
            continue
        language = (label.language or "") if isinstance(label, Literal) else ""
        rank = LANGUAGE_ORDER.index(language) if language in LANGUAGE_ORDER else len(LANGUAGE_ORDER)
        key = probe.key_of(term)
        text = label.value if label is not None else key
        if key not in labels or rank < labels[key][0]:
            labels[key] = (rank, text)
    return sorted(((key, text) for key, (_, text) in labels.items()), key=lambda c: c[1].lower())
