"""Views people would rather look at than read: the SPARQL editor, a timeline, a network.

The pictures are drawn in the browser by libraries from the npm registry that `make vendor`
copies into static/vendor/ (the app may run offline: no CDN). Each picture's data comes
from a JSON endpoint here, answered by the view queries in queries/views/*.rq with the
page's parameters bound as RDF terms, never pasted into the query text. Every query runs
under the request's deadline (webapp/deadline.py): a view stopped by it is a 503, as JSON
for the JSON endpoints, one line of text for the downloads.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import networkx as nx
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from pyoxigraph import Literal, NamedNode

from bilat.graph.formats import ANSWER_MEDIA_TYPES
from bilat.ontology import PREFIXES
from bilat.queries.catalogue import (
    BILAT_BASE,
    HERE,
    LANGUAGE_ORDER,
    Param,
    ParameterError,
    choices,
)
from bilat.webapp.deadline import DeadlineStore, errors_as
from bilat.webapp.errors import bad_request
from bilat.webapp.questions import catalogue
from bilat.webapp.sparql import EXAMPLE, KIND_TITLES
from bilat.webapp.terms import href, show

bp = Blueprint("views", __name__)

VIEW_QUERIES = HERE / "views"
# What each page needs from static/vendor/ (see the Makefile's vendor target).
VENDOR: dict[str, tuple[str, ...]] = {
    "editor": ("yasqe.min.css", "yasqe.min.js", "yasr.min.css", "yasr.min.js"),
    "timeline": ("vis-timeline-graph2d.min.css", "vis-timeline-graph2d.min.js"),
    "network": ("cytoscape.min.js",),
}
# The relations the network draws, as the page names them (English · Spanish).
RELATIONS: dict[str, str] = {
    "met": "met · se reunieron",
    "committed": "committed together · se comprometieron juntos",
}
ACTOR_TYPES = ("Person", "Country", "Government", "Organization")
ANY_EVENT = NamedNode(BILAT_BASE + "Event")
COUNTRY_A = Param(name="country_a", type="country", label="Country", example="")
COUNTRY_B = Param(name="country_b", type="country", label="Other country", example="")
KIND = Param(name="kind", type="event-kind", label="Kind of event", example="")
FROM = Param(name="from", type="date", label="From", example="")
TO = Param(name="to", type="date", label="To", example="")
DOWNLOADS: dict[str, tuple[str, str]] = {
    "graphml": ("application/graphml+xml", "bilat-network.graphml"),
    "gexf": ("application/gexf+xml", "bilat-network.gexf"),
}


@bp.errorhandler(ParameterError)
def bad_parameter(error: ParameterError) -> tuple[Response | str, int]:
    """A bad parameter is a 400: as JSON for the JSON endpoints, else on the error page."""
    if request.path.endswith(".json"):
        return jsonify(error=str(error)), 400
    return bad_request(error)


@cache
def view_query(name: str) -> str:
    """The text of queries/views/<name>.rq."""
    return (VIEW_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def vendor_ready(page: str) -> bool:
    """Whether static/vendor/ holds the files a page's drawing library needs."""
    folder = Path(current_app.static_folder or "") / "vendor"
    return all((folder / name).is_file() for name in VENDOR[page])


# --- parameters ----------------------------------------------------------------------------


def optional(params: Iterable[Param], args: Mapping[str, str]) -> dict[str, NamedNode | Literal]:
    """The given (non-empty) parameters as RDF terms; ParameterError for a bad value."""
    values = {param: args.get(param.name, "").strip() for param in params}
    return {param.name: param.convert(value) for param, value in values.items() if value}


def period(args: Mapping[str, str]) -> dict[str, NamedNode | Literal]:
    """?from and ?to as xsd:date terms, each optional; the start may not follow the end."""
    bound = optional((FROM, TO), args)
    if "from" in bound and "to" in bound and bound["from"].value > bound["to"].value:
        raise ParameterError(
            f"the period starts after it ends: from {bound['from'].value} to {bound['to'].value}"
        )
    return bound


def relations(args: Mapping[str, str]) -> list[str]:
    """The relations asked for (?relation=met|committed, default both)."""
    asked = args.get("relation", "").strip()
    if not asked or asked == "all":
        return list(RELATIONS)
    if asked not in RELATIONS:
        raise ParameterError(
            f"parameter 'relation': {asked!r} is not one of all, {', '.join(RELATIONS)}"
        )
    return [asked]


def form_values(args: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The form's current values, to show them selected again."""
    return {name: args.get(name, "").strip() for name in names}


# --- labels --------------------------------------------------------------------------------


def best_label(labels: dict[str, tuple[int, str]], iri: str, label: Literal | None) -> None:
    """Keep the label of `iri` in the best language so far (English, none, Spanish)."""
    if label is None:
        return
    language = label.language or ""
    rank = LANGUAGE_ORDER.index(language) if language in LANGUAGE_ORDER else len(LANGUAGE_ORDER)
    if iri not in labels or rank < labels[iri][0]:
        labels[iri] = (rank, label.value)


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return re.split(r"[#/]", iri)[-1]


def entity_link(iri: str) -> str:
    """The page of an IRI: /id/... for bilat's own, else the IRI itself."""
    return href(NamedNode(iri)) or iri


# --- the timeline --------------------------------------------------------------------------


@dataclass
class Event:
    """One event on the timeline, gathered from its rows (one per participant)."""

    iri: str
    kind: str
    date: str
    label: str = ""
    statuses: set[str] = field(default_factory=set)
    participants: dict[str, tuple[int, str]] = field(default_factory=dict)
    follows: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        """The event as the timeline page draws it."""
        start, end = date_span(self.date)
        return {
            "id": self.iri,
            "href": entity_link(self.iri),
            "label": self.label or f"{self.kind}, {self.date}",
            "kind": self.kind,
            "date": self.date,
            "start": start,
            "end": end,
            # A later report may tell that a planned event was held.
            "status": "Held" if "Held" in self.statuses else next(iter(self.statuses), ""),
            "participants": [
                {"id": iri, "label": label, "href": entity_link(iri)}
                for iri, (_, label) in sorted(self.participants.items(), key=lambda p: p[1][1])
            ],
            "follows": sorted(self.follows),
        }


def date_span(date: str) -> tuple[str, str | None]:
    """The first and last day of a month-only date (2026-02); a day is its own start."""
    if re.fullmatch(r"\d{4}-\d{2}", date):
        year, month = map(int, date.split("-"))
        return f"{date}-01", f"{date}-{calendar.monthrange(year, month)[1]:02d}"
    return date, None


def timeline_events(store: DeadlineStore, bound: Mapping[str, NamedNode | Literal]) -> list[Event]:
    """The events of the timeline view, in date order."""
    events: dict[str, Event] = {}
    for row in store.query(view_query("timeline"), bound):
        iri = row["event"].value
        event = events.get(iri)
        if event is None:
            event = events[iri] = Event(iri, local_name(row["kind"].value), row["date"].value)
        if row["label"] is not None:
            event.label = row["label"].value
        if row["status"] is not None:
            event.statuses.add(local_name(row["status"].value))
        if row["earlier"] is not None:
            event.follows.add(row["earlier"].value)
        participant = row["participant"].value
        best_label(event.participants, participant, row["participantLabel"])
        unlabelled = (len(LANGUAGE_ORDER) + 1, show(NamedNode(participant)))
        event.participants.setdefault(participant, unlabelled)
    return list(events.values())


def timeline_from(args: Mapping[str, str]) -> list[Event]:
    """The timeline view's events for a request's parameters."""
    bound = {**optional((COUNTRY_A, COUNTRY_B), args), **period(args)}
    return timeline_events(DeadlineStore(), bound)


@bp.get("/timeline")
def timeline() -> str:
    """The timeline page: the form, the drawing, and the same events as a table."""
    events = timeline_from(request.args)
    values = form_values(request.args, ("country_a", "country_b", "from", "to"))
    return render_template(
        "timeline.html",
        events=[event.as_json() for event in events],
        countries=choices(DeadlineStore(), "country", current_app.config["QUERIES"]) or [],
        values=values,
        query={name: value for name, value in values.items() if value},
        drawing=vendor_ready("timeline"),
    )


@bp.get("/timeline.json")
def timeline_json() -> Response:
    """The timeline view's events as JSON."""
    errors_as("json")
    return jsonify(events=[event.as_json() for event in timeline_from(request.args)])


# --- the network ---------------------------------------------------------------------------


def network_graph(
    store: DeadlineStore,
    wanted: Iterable[str],
    kind: NamedNode,
    bound_period: Mapping[str, NamedNode | Literal],
) -> nx.MultiGraph:
    """Actors linked once per relation, weighted by the events or commitments they share."""
    # (actor, other, relation) -> the shared events or commitments -> their dates
    pairs: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for relation in wanted:
        bound = {**bound_period, **({"kind": kind} if relation == "met" else {})}
        for row in store.query(view_query(relation), bound):
            items = pairs.setdefault((row["actor"].value, row["other"].value, relation), {})
            dates = items.setdefault(row["item"].value, set())
            if row["date"] is not None:
                dates.add(row["date"].value)
    graph = nx.MultiGraph()
    actors = {iri for actor, other, _ in pairs for iri in (actor, other)}
    labels, types = actor_details(store, actors)
    for iri in sorted(actors):
        graph.add_node(
            iri,
            label=labels.get(iri, (0, local_name(iri)))[1],
            type=types.get(iri, "Actor"),
            href=entity_link(iri),
        )
    for (actor, other, relation), items in sorted(pairs.items()):
        # A commitment reported by two communiqués counts once, at its first date.
        dates = sorted(min(item_dates) for item_dates in items.values() if item_dates)
        graph.add_edge(
            actor,
            other,
            key=relation,
            relation=relation,
            weight=len(items),
            first=dates[0] if dates else "",
            last=dates[-1] if dates else "",
        )
    return graph


def actor_details(
    store: DeadlineStore, actors: set[str]
) -> tuple[dict[str, tuple[int, str]], dict[str, str]]:
    """The best label and the kind of actor (Person, Country, ...) of each actor."""
    labels: dict[str, tuple[int, str]] = {}
    types: dict[str, str] = {}
    for row in store.query(view_query("actors")):
        iri = row["actor"].value
        if iri not in actors:
            continue
        best_label(labels, iri, row["label"])
        if row["type"] is not None:
            kind = local_name(row["type"].value)
            if iri not in types or ACTOR_TYPES.index(kind) < ACTOR_TYPES.index(types[iri]):
                types[iri] = kind
    return labels, types


def network_from(args: Mapping[str, str]) -> nx.MultiGraph:
    """The network view for a request's parameters."""
    wanted = relations(args)
    kind = optional((KIND,), args).get("kind", ANY_EVENT)
    return network_graph(DeadlineStore(), wanted, kind, period(args))


def cytoscape_elements(graph: nx.MultiGraph) -> dict[str, list[dict[str, Any]]]:
    """The graph as Cytoscape.js elements."""
    return {
        "nodes": [{"data": {"id": iri, **data}} for iri, data in graph.nodes(data=True)],
        "edges": [
            {"data": {"id": f"{relation} {a} {b}", "source": a, "target": b, **data}}
            for a, b, relation, data in graph.edges(keys=True, data=True)
        ],
    }


@bp.get("/network")
def network() -> str:
    """The network page: the form, the drawing, the downloads and the links as a table."""
    graph = network_from(request.args)
    values = form_values(request.args, ("relation", "kind", "from", "to"))
    store = DeadlineStore()
    return render_template(
        "network.html",
        graph=graph,
        elements=cytoscape_elements(graph),
        relations=RELATIONS,
        kinds=choices(store, "event-kind", current_app.config["QUERIES"]) or [],
        values=values,
        query={name: value for name, value in values.items() if value},
        drawing=vendor_ready("network"),
    )


@bp.get("/network.json")
def network_json() -> Response:
    """The network view as Cytoscape.js elements."""
    errors_as("json")
    return jsonify(cytoscape_elements(network_from(request.args)))


@bp.get("/network.<suffix>")
def network_download(suffix: str) -> Response:
    """The network view as a GraphML or GEXF file, for Gephi and other graph tools."""
    if suffix not in DOWNLOADS:
        abort(404, description=f"No .{suffix} download; there are {', '.join(DOWNLOADS)}.")
    errors_as("text")
    graph = network_from(request.args)
    buffer = BytesIO()
    if suffix == "graphml":
        nx.write_graphml(graph, buffer)
    else:
        nx.write_gexf(graph, buffer)
    content_type, filename = DOWNLOADS[suffix]
    return Response(
        buffer.getvalue(),
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the SPARQL editor ---------------------------------------------------------------------


def declare_prefixes(text: str) -> str:
    """The query with PREFIX lines for the known prefixes it uses but does not declare.

    The store declares them anyway; written out, the query also runs elsewhere and the
    editor's syntax check does not flag them.
    """
    outside_iris = re.sub(r"<[^<>\s]*>", "", text)
    declared = {m.lower() for m in re.findall(r"(?i)\bprefix\s+([\w-]*):", outside_iris)}
    lines = [
        f"PREFIX {prefix}: <{namespace}>"
        for prefix, namespace in PREFIXES.items()
        if prefix not in declared and re.search(rf"(?<![\w:?$-]){prefix}:", outside_iris)
    ]
    return "\n".join([*lines, text]) if lines else text


def all_prefixes(text: str) -> str:
    """The query after a PREFIX line for every prefix bilat knows: a start for new queries."""
    lines = [f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items()]
    return "\n".join(lines) + "\n\n" + text


def vocabulary(store: DeadlineStore) -> dict[str, list[str]]:
    """The IRIs of the classes and the properties of the vocabulary, for completion."""
    found: dict[str, set[str]] = {"classes": set(), "properties": set()}
    for row in store.query(view_query("vocabulary")):
        found[row["sort"].value].add(row["term"].value)
    return {sort: sorted(iris) for sort, iris in found.items()}


@bp.get("/sparql/editor")
def editor() -> str:
    """The SPARQL editor: ?query= opens a query, ?example= a saved one; else a start."""
    saved = catalogue()
    text = request.args.get("query", "")
    example = request.args.get("example", "").strip()
    if example:
        if example not in saved:
            raise ParameterError(
                f"there is no saved query {example!r}; see the list of examples on the page"
            )
        text = declare_prefixes(saved[example].sparql)
    elif text.strip():
        text = declare_prefixes(text)
    else:
        text = all_prefixes(EXAMPLE)
    examples = [
        {
            "name": query.name,
            "title": query.title,
            "title_es": query.title_es,
            "query": declare_prefixes(query.sparql),
        }
        for query in sorted(saved.values(), key=lambda q: q.title)
    ]
    ready = vendor_ready("editor")
    return render_template(
        "editor.html",
        query=text,
        example=example,
        examples=examples,
        editor=ready,
        settings={
            "endpoint": url_for("sparql.endpoint"),
            "prefixes": PREFIXES,
            "examples": {e["name"]: e["query"] for e in examples},
            "vocabulary": vocabulary(DeadlineStore()) if ready else {},
        },
        media_types=ANSWER_MEDIA_TYPES,
        kind_titles=KIND_TITLES,
    )
