"""Entity pages: what the graph says about one of bilat's IRIs, as HTML or as RDF.

/id/<rest> describes https://w3id.org/bilat/id/<rest>: an HTML page (facts both ways, with
the labels of linked resources and the evidence sentences), or, by Accept header or by a
.ttl/.jsonld/.nt suffix, the RDF description itself. A communiqué's page shows its full
text with every extraction highlighted at its evidence offsets.

Their queries run under the request's deadline (webapp/deadline.py), as the questions'
do: the page of an actor named in every communiqué must not hold a server thread forever.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from pyoxigraph import Literal, NamedNode, serialize

from bilat.graph.formats import GRAPH_MEDIA_TYPES, MediaType, rdf_format
from bilat.ontology import ID, PREFIXES
from bilat.webapp.db import get_store
from bilat.webapp.deadline import errors_as, rows
from bilat.webapp.terms import show

bp = Blueprint("entities", __name__)

# The bound ?entity (or ?communique) is projected: pyoxigraph binds only projected variables.
OUTGOING = "SELECT DISTINCT ?entity ?p ?o WHERE { ?entity ?p ?o } ORDER BY ?p ?o"
INCOMING = "SELECT DISTINCT ?entity ?s ?p WHERE { ?s ?p ?entity } ORDER BY ?p ?s"
# The names of the resources around an entity (its types included).
LABELS = """SELECT DISTINCT ?entity ?node ?how ?label WHERE {
  { ?entity ?p ?node } UNION { ?node ?p ?entity }
  VALUES ?how { rdfs:label skos:prefLabel dcterms:title bilat:text nif:anchorOf }
  ?node ?how ?label
}"""
# Its description as RDF: every triple it is the subject or the object of.
DESCRIPTION = """CONSTRUCT { ?entity ?p ?o . ?s ?q ?entity }
WHERE { { ?entity ?p ?o } UNION { ?s ?q ?entity } }"""
# The sentences that say it, and the communiqué each one is in.
EVIDENCE = """SELECT DISTINCT ?entity ?anchor ?begin ?end ?communique ?title WHERE {
  ?entity bilat:evidence ?evidence .
  ?evidence nif:anchorOf ?anchor .
  OPTIONAL { ?evidence nif:beginIndex ?begin ; nif:endIndex ?end }
  OPTIONAL { ?evidence prov:wasDerivedFrom ?communique
             OPTIONAL { ?communique dcterms:title ?title } }
} ORDER BY ?communique ?begin ?anchor"""
# A communiqué's extractions, read from its own named graph only.
ITEMS = """SELECT DISTINCT ?communique ?item ?kind WHERE {
  GRAPH ?communique { VALUES ?kind { bilat:Claim bilat:Event bilat:Commitment } ?item a ?kind }
} ORDER BY ?kind ?item"""
SPANS = """SELECT DISTINCT ?communique ?item ?begin ?end ?anchor WHERE {
  GRAPH ?communique {
    ?item bilat:evidence ?evidence .
    ?evidence nif:beginIndex ?begin ; nif:endIndex ?end .
    OPTIONAL { ?evidence nif:anchorOf ?anchor }
  }
}"""
AGENTS = """SELECT DISTINCT ?communique ?item ?how ?actor WHERE {
  GRAPH ?communique {
    { ?actor bilat:said ?item BIND ("said" AS ?how) }
    UNION { ?item bilat:committedBy ?actor BIND ("committedBy" AS ?how) }
    UNION { ?item bilat:participant ?actor BIND ("participant" AS ?how) }
  }
} ORDER BY ?actor"""
GRAPH_LABELS = """SELECT DISTINCT ?communique ?node ?how ?label WHERE {
  GRAPH ?communique { { ?node ?p ?x } UNION { ?x ?p ?node } }
  VALUES ?how { rdfs:label skos:prefLabel dcterms:title bilat:text nif:anchorOf }
  ?node ?how ?label
}"""

RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
COMMUNIQUE = NamedNode(PREFIXES["bilat"] + "Communique")
# Which name of a resource to show, best first; and which language, best first.
LABEL_PROPERTIES = [
    PREFIXES["rdfs"] + "label",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["dcterms"] + "title",
    PREFIXES["bilat"] + "text",
    PREFIXES["nif"] + "anchorOf",
]
LANGUAGES = ["en", "", "es"]
# The communiqué's own facts its page shows at the top: heading -> property.
METADATA: dict[str, str] = {
    "Date": PREFIXES["dcterms"] + "date",
    "Language": PREFIXES["dcterms"] + "language",
    "Source": PREFIXES["dcterms"] + "source",
    "Issued by": PREFIXES["bilat"] + "issuedBy",
    "Topics": PREFIXES["bilat"] + "about",
    "Mentions": PREFIXES["bilat"] + "mentions",
}
FULL_TEXT = PREFIXES["bilat"] + "fullText"
TITLE = PREFIXES["dcterms"] + "title"
# The kinds of extraction a communiqué page highlights: class IRI -> (name, CSS class).
KINDS: dict[str, tuple[str, str]] = {
    PREFIXES["bilat"] + "Claim": ("Claim", "claim"),
    PREFIXES["bilat"] + "Event": ("Event", "event"),
    PREFIXES["bilat"] + "Commitment": ("Commitment", "commitment"),
}
# How a tooltip names the actors of an extraction.
AGENT_ROLES: dict[str, str] = {
    "said": "said by",
    "committedBy": "committed by",
    "participant": "with",
}
# A highlight's tooltip, by kind, with and without the actors.
NOTES: dict[bool, dict[str, str]] = {
    True: {
        "Claim": "{kind}: {who}: {label}",
        "Event": "{kind}: {label}, {who}",
        "Commitment": "{kind}: {who}: {label}",
    },
    False: dict.fromkeys(("Claim", "Event", "Commitment"), "{kind}: {label}"),
}
# The RDF twins of an entity page by URL suffix (keys of GRAPH_MEDIA_TYPES).
SUFFIXES: dict[str, str] = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}


@dataclass
class Extraction:
    """A claim, event or commitment of a communiqué, with what its tooltip says."""

    item: NamedNode
    kind: str  # "Claim", "Event", "Commitment"
    css: str
    label: str
    agents: dict[str, list[str]] = field(default_factory=dict)

    @property
    def note(self) -> str:
        """E.g. "Claim: said by Marco Rubio: that security cooperation must deliver results"."""
        who = "; ".join(
            f"{AGENT_ROLES[how]} {', '.join(names)}" for how, names in self.agents.items()
        )
        return NOTES[bool(who)][self.kind].format(kind=self.kind, who=who, label=self.label)


@dataclass
class Piece:
    """A run of a communiqué's text: plain, or one <mark> over overlapping evidence spans."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    extractions: list[Extraction] = field(default_factory=list)

    @property
    def css(self) -> str:
        return " ".join(sorted({e.css for e in self.extractions}))

    @property
    def note(self) -> str:
        return "\n".join(dict.fromkeys(e.note for e in self.extractions))


@bp.get("/id/<path:rest>")
def entity(rest: str) -> Response:
    """https://w3id.org/bilat/id/<rest> as a page, or as Turtle, JSON-LD or N-Triples."""
    rest, media_type = wanted_format(rest)
    try:
        node = NamedNode(f"{ID}{rest}")
    except ValueError:
        node = None
    if media_type is not None:
        response = rdf_description(node, media_type)
    else:
        response = Response(page(node))
    response.vary.add("Accept")
    return response


def wanted_format(rest: str) -> tuple[str, MediaType | None]:
    """The IRI's path without an RDF suffix, and the RDF format asked for (None: HTML)."""
    stem, dot, suffix = rest.rpartition(".")
    if dot and suffix in SUFFIXES:
        return stem, GRAPH_MEDIA_TYPES[SUFFIXES[suffix]]
    best = request.accept_mimetypes.best_match(["text/html", *GRAPH_MEDIA_TYPES])
    return rest, GRAPH_MEDIA_TYPES.get(best or "")


def rdf_description(node: NamedNode | None, media_type: MediaType) -> Response:
    """The entity's triples (a communiqué: its whole named graph), or a plain 404."""
    store = get_store()
    errors_as("text")
    if node is None:
        triples = []
    elif store.has_graph(node):  # one communiqué's graph: read as it is, no query
        triples = [quad.triple for quad in store.quads(node)]
    else:
        triples = rows(DESCRIPTION, {"entity": node}).triples()
    if not triples:
        message = f"The graph says nothing about {node.value if node else 'that IRI'}.\n"
        return Response(message, status=404, mimetype="text/plain")
    body = serialize(triples, format=rdf_format(media_type.writer), prefixes=PREFIXES)
    return Response(body, content_type=media_type.content_type)


def page(node: NamedNode | None) -> str:
    """The HTML page: the entity's facts both ways; a communiqué's highlighted text too."""
    if node is None:
        abort(404, description="That is not a bilat IRI.")
    most = current_app.config["ENTITY_FACTS"]
    outgoing = solutions(OUTGOING, {"entity": node}, most)
    incoming = solutions(INCOMING, {"entity": node}, most)
    if not outgoing and not incoming:
        abort(404, description=f"The graph says nothing about {node.value}.")
    labels = best_labels(solutions(LABELS, {"entity": node}))
    own = best_labels({"node": node, "how": r["p"], "label": r["o"]} for r in outgoing)
    labels.update(own)
    types = [r["o"] for r in outgoing if r["p"] == RDF_TYPE]
    context = {
        "node": node,
        "label": own.get(node),
        "types": types,
        "outgoing": outgoing,
        "incoming": incoming,
        "labels": labels,
        "most": most,
        "evidence": solutions(EVIDENCE, {"entity": node}),
        "twins": {
            suffix: url_for("entities.entity", rest=f"{node.value[len(str(ID)) :]}.{suffix}")
            for suffix in SUFFIXES
        },
        "anchor": anchor,
        "roles": AGENT_ROLES,
    }
    if COMMUNIQUE in types:
        extra = communique(node, outgoing)
        labels.update(extra.pop("labels"))
        return render_template("communique.html", **context, **extra)
    return render_template("entity.html", **context)


def communique(node: NamedNode, outgoing: list) -> dict:
    """What a communiqué's page adds: its metadata, highlighted text and extractions."""
    labels = best_labels(solutions(GRAPH_LABELS, {"communique": node}))
    facts: dict[str, list] = defaultdict(list)
    for row in outgoing:
        facts[row["p"].value].append(row["o"])
    extractions: dict[NamedNode, Extraction] = {}
    for row in solutions(ITEMS, {"communique": node}):
        name, css = KINDS[row["kind"].value]
        extractions.setdefault(
            row["item"],
            Extraction(row["item"], name, css, labels.get(row["item"]) or show(row["item"])),
        )
    for row in solutions(AGENTS, {"communique": node}):
        if row["item"] in extractions:
            names = extractions[row["item"]].agents.setdefault(row["how"].value, [])
            names.append(labels.get(row["actor"], row["actor"].value))
    text = next((t.value for t in facts.get(FULL_TEXT, [])), "")
    spans = [
        (*located(text, row), extractions[row["item"]])
        for row in solutions(SPANS, {"communique": node})
        if row["item"] in extractions
    ]
    by_kind: dict[str, list[Extraction]] = defaultdict(list)
    for extraction in extractions.values():
        by_kind[extraction.kind].append(extraction)
    return {
        "title": next((t for t in facts.get(TITLE, [])), None),
        "metadata": {heading: facts[prop] for heading, prop in METADATA.items() if facts.get(prop)},
        "labels": labels,
        "pieces": highlight(text, [s for s in spans if s[0] < s[1]]),
        "by_kind": {name: by_kind[name] for name, _ in KINDS.values()},
    }


def located(text: str, row) -> tuple[int, int]:
    """An evidence span's offsets; found by its anchor text when the offsets do not match."""
    begin, end = int(row["begin"].value), int(row["end"].value)
    anchor = row["anchor"].value if row["anchor"] is not None else None
    if anchor and text[begin:end] != anchor and anchor in text:
        begin = text.index(anchor)
        end = begin + len(anchor)
    return max(begin, 0), min(end, len(text))


def highlight(text: str, spans: Iterable[tuple[int, int, Extraction]]) -> list[Piece]:
    """Split the text at the spans' offsets; overlapping spans merge into one marked piece."""
    clusters: list[tuple[int, int, list]] = []
    for span in sorted(spans, key=lambda s: (s[0], s[1])):
        if clusters and span[0] < clusters[-1][1]:
            begin, end, members = clusters[-1]
            clusters[-1] = (begin, max(end, span[1]), [*members, span])
        else:
            clusters.append((span[0], span[1], [span]))
    pieces: list[Piece] = []
    position = 0
    for begin, end, members in clusters:
        if begin > position:
            pieces.append(Piece(text[position:begin]))
        offsets = list(dict.fromkeys((b, e) for b, e, _ in members))
        pieces.append(Piece(text[begin:end], offsets, [x for _, _, x in members]))
        position = end
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def solutions(sparql: str, bound: dict, most: int | None = None) -> list[dict]:
    """The first `most` rows (all when None) of a query, under the request's deadline."""
    return rows(sparql, bound, stop=most).solutions()


def anchor(begin: object, end: object) -> str:
    """The id of an evidence span on its communiqué's page, e.g. "at-137-204"."""
    return f"at-{getattr(begin, 'value', begin)}-{getattr(end, 'value', end)}"


def best_labels(rows: Iterable) -> dict:
    """Each node's best name: by LABEL_PROPERTIES order, then by LANGUAGES, then text."""
    found: dict = {}
    for row in rows:
        how, label = row["how"].value, row["label"]
        if how not in LABEL_PROPERTIES or not isinstance(label, Literal):
            continue
        language = label.language or ""
        rank = (
            LABEL_PROPERTIES.index(how),
            LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES),
            label.value,
        )
        node = row["node"]
        if node not in found or rank < found[node][0]:
            found[node] = (rank, label.value)
    return {node: value for node, (_, value) in found.items()}
