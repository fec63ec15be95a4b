""" "Why this answer": the subgraph behind one row of a canned question's answer.

/questions/<name>/why?<parameters>&row=N re-runs the question with the same parameters
and takes row N (counted from 1, as the question page counts). The row link on the
question page carries every parameter's value, defaults included, so it does not change
meaning when a default does, and the saved queries' ORDER BY fixes the order of the rows:
on the same graph, the same link is the same row. Loading more communiqués can shift the
rows, though, so the page also gives a permanent link, /why?iri=...&iri=..., naming the
row's IRIs: bilat's IRIs are deterministic, so it shows the same things for good.

For every IRI of the row under https://w3id.org/bilat/id/, queries/why/row.rq (a
CONSTRUCT, the IRI bound by the engine) gives its facts both ways, the names of what they
link to, and the evidence sentences and source communiqués of claims, events and
commitments. The page shows them; `.ttl`, `.nt` or `.jsonld` (or the Accept header) gives
the same triples as RDF. Every query runs under the request's deadline (webapp/deadline.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from pyoxigraph import NamedNode, Triple, serialize

from bilat.graph.formats import GRAPH_MEDIA_TYPES, MediaType, rdf_format
from bilat.ontology import ID, PREFIXES
from bilat.queries.catalogue import HERE, ParameterError
from bilat.webapp.deadline import errors_as, rows
from bilat.webapp.entities import SUFFIXES, anchor, best_labels
from bilat.webapp.questions import asked, rows_of, saved_query

bp = Blueprint("why", __name__)

SUBGRAPH = (HERE / "why" / "row.rq").read_text(encoding="utf-8")
ID_BASE = str(ID)
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
EVIDENCE = NamedNode(PREFIXES["bilat"] + "evidence")
ANCHOR_OF = NamedNode(PREFIXES["nif"] + "anchorOf")
BEGIN = NamedNode(PREFIXES["nif"] + "beginIndex")
END = NamedNode(PREFIXES["nif"] + "endIndex")
DERIVED_FROM = NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
TITLE = NamedNode(PREFIXES["dcterms"] + "title")
DATE = NamedNode(PREFIXES["dcterms"] + "date")


@dataclass
class Evidence:
    """One sentence that says a claim, event or commitment, and where it is."""

    sentence: str
    begin: Any
    end: Any
    communique: NamedNode | None


@dataclass
class Section:
    """One IRI of the row and the subgraph behind it."""

    node: NamedNode
    triples: list[Triple]
    truncated: bool
    types: list = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[NamedNode] = field(default_factory=list)

    @property
    def facts(self) -> list[Triple]:
        """The triples the node is the subject or the object of (the rest name things)."""
        return [t for t in self.triples if self.node in (t.subject, t.object)]


@bp.get("/questions/<name>/why")
@bp.get("/questions/<name>/why.<suffix>")
def row(name: str, suffix: str | None = None) -> Response:
    """Row N of a question's answer, and the subgraph behind each of its IRIs."""
    media_type = wanted_format(suffix)
    if media_type is not None:
        errors_as("text")
    saved = saved_query(name)
    number = row_number(request.args.get("row", ""))
    raw = asked(saved, request.args)
    bound = saved.bind(raw)
    variables, found_rows = rows_of(saved, bound, number - 1, number)
    if not found_rows:
        abort(404, description=f"The answer to {name!r} with these values has no row {number}.")
    cells = [(variable, found_rows[0][variable]) for variable in variables]
    query = urlencode({**raw, "row": number})  # a parameter may be called name or suffix
    nodes = list(dict.fromkeys(term for _, term in cells if is_ours(term)))
    if media_type is not None:
        return as_rdf(sections_of(nodes), media_type)
    return page(
        sections_of(nodes),
        saved=saved,
        number=number,
        cells=cells,
        values=saved.values(raw),
        back=f"{url_for('questions.question', name=name)}?{urlencode(raw)}",
        twins={s: f"{url_for('why.row', name=name, suffix=s)}?{query}" for s in SUFFIXES},
    )


@bp.get("/why")
@bp.get("/why.<suffix>")
def permanent(suffix: str | None = None) -> Response:
    """The subgraph behind the IRIs named by ?iri= (repeatable): the row link that lasts."""
    media_type = wanted_format(suffix)
    if media_type is not None:
        errors_as("text")
    nodes = list(dict.fromkeys(our_iri(text) for text in request.args.getlist("iri")))
    if not nodes:
        raise ParameterError("name at least one IRI: /why?iri=https://w3id.org/bilat/id/...")
    sections = sections_of(nodes)
    if not any(section.triples for section in sections):
        abort(404, description="The graph says nothing about these IRIs.")
    if media_type is not None:
        return as_rdf(sections, media_type)
    query = urlencode([("iri", node.value) for node in nodes])
    return page(
        sections, twins={s: f"{url_for('why.permanent', suffix=s)}?{query}" for s in SUFFIXES}
    )


def wanted_format(suffix: str | None) -> MediaType | None:
    """The RDF format asked for by suffix or Accept header; None for the HTML page."""
    if suffix is not None:
        if suffix not in SUFFIXES:
            abort(404, description=f"No .{suffix} format; there are {', '.join(SUFFIXES)}.")
        return GRAPH_MEDIA_TYPES[SUFFIXES[suffix]]
    best = request.accept_mimetypes.best_match(["text/html", *GRAPH_MEDIA_TYPES])
    return GRAPH_MEDIA_TYPES.get(best or "")


def row_number(text: str) -> int:
    """The row=N of the URL: a whole number from 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise ParameterError(
            f"row must be a whole number from 1 (the row of the answer), not {text!r}"
        )
    return int(text)


def is_ours(term: object) -> bool:
    """Whether a term is one of bilat's own IRIs (https://w3id.org/bilat/id/...)."""
    return isinstance(term, NamedNode) and term.value.startswith(ID_BASE)


def our_iri(text: str) -> NamedNode:
    """An ?iri= value as one of bilat's IRIs: a full IRI, or id:<rest>."""
    text = text.strip()
    if text.startswith("id:"):
        text = ID_BASE + text[len("id:") :]
    try:
        node = NamedNode(text)
    except ValueError:
        node = None
    if node is None or not is_ours(node):
        raise ParameterError(f"iri must be one of bilat's IRIs ({ID_BASE}...), not {text!r}")
    return node


def sections_of(nodes: Sequence[NamedNode]) -> list[Section]:
    """The subgraph behind each node, capped at 2 × ENTITY_FACTS triples each."""
    most = 2 * current_app.config["ENTITY_FACTS"]
    sections = []
    for node in nodes:
        # the engine's order: the node's own facts come first (the query's first branch)
        found = rows(SUBGRAPH, {"node": node}, stop=most + 1, sort=False).triples()
        triples = sorted(found[:most], key=lambda t: order(node, t))
        sections.append(described(Section(node, triples, truncated=len(found) > most)))
    return sections


def order(node: NamedNode, triple: Triple) -> tuple:
    """Its own facts first, then the facts pointing to it, then the rest (names, evidence)."""
    side = 0 if triple.subject == node else 1 if triple.object == node else 2
    return (side, str(triple.predicate), str(triple.subject), str(triple.object))


def described(section: Section) -> Section:
    """Fill in a section's types, evidence sentences and source communiqués."""
    facts: dict[tuple, list] = defaultdict(list)
    for triple in section.triples:
        facts[(triple.subject, triple.predicate)].append(triple.object)
    node = section.node
    section.types = facts[(node, RDF_TYPE)]
    section.sources = [s for s in facts[(node, DERIVED_FROM)] if isinstance(s, NamedNode)]
    for evidence in facts[(node, EVIDENCE)]:
        for sentence in facts[(evidence, ANCHOR_OF)]:
            section.evidence.append(
                Evidence(
                    sentence=sentence.value,
                    begin=first(facts[(evidence, BEGIN)]),
                    end=first(facts[(evidence, END)]),
                    communique=first(facts[(evidence, DERIVED_FROM)]),
                )
            )
    section.evidence.sort(key=lambda e: (str(e.communique), int_or_zero(e.begin)))
    return section


def first(values: Sequence) -> Any:
    return values[0] if values else None


def int_or_zero(term: Any) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return 0


def labels_of(triples: Iterable[Triple]) -> dict:
    """Each node's best name among the triples (the rules of the entity pages)."""
    return best_labels({"node": t.subject, "how": t.predicate, "label": t.object} for t in triples)


def page(sections: list[Section], **context: Any) -> Response:
    everything = [t for section in sections for t in section.triples]
    labels = labels_of(everything)
    titles = {t.subject: t.object for t in everything if t.predicate == TITLE}
    dates = {t.subject: t.object for t in everything if t.predicate == DATE}
    permanent_link = (
        url_for("why.permanent")
        + "?"
        + urlencode([("iri", section.node.value) for section in sections])
    )
    response = Response(
        render_template(
            "why.html",
            sections=sections,
            labels=labels,
            titles=titles,
            dates=dates,
            anchor=anchor,
            permanent=permanent_link,
            **{"saved": None, "cells": None, **context},
        )
    )
    response.vary.add("Accept")
    return response


def as_rdf(sections: list[Section], media_type: MediaType) -> Response:
    """Every section's triples as one graph in the asked RDF format."""
    triples = list(dict.fromkeys(t for section in sections for t in section.triples))
    body = serialize(triples, format=rdf_format(media_type.writer), prefixes=PREFIXES)
    response = Response(body, content_type=media_type.content_type)
    response.vary.add("Accept")
    return response
