"""Canned questions: the list, one question's form and answer, and its twins.

A SELECT question's answer is a table, with JSON, CSV, TSV and XML twins; a CONSTRUCT or
DESCRIBE question's answer is a graph, shown as a subject/predicate/object table, with
Turtle, N-Triples and JSON-LD twins. Each page links its query, values bound, to the
SPARQL editor, and each row to "why this answer" (webapp/why.py).

Every query runs under the request's deadline (webapp/deadline.py): a page gets only the
rows it shows from the query worker; a question stopped by the deadline is a 503.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from pyoxigraph import BlankNode
from werkzeug.routing import BuildError

from bilat.graph import Store, write_result
from bilat.graph.formats import ANSWER_MEDIA_TYPES, MediaType
from bilat.queries.catalogue import (
    RESERVED,
    ParameterError,
    SavedQuery,
    Term,
    choices,
    load_catalogue,
)
from bilat.queries.paging import page_query, page_rows, rows_query, whole_rows
from bilat.webapp.deadline import DeadlineStore, errors_as, rows, text_search, written

bp = Blueprint("questions", __name__)
EXTENSION = "bilat.catalogue"

# The machine-readable twins of a question page, by kind of answer: URL suffix -> media
# type (a key of bilat.graph.formats.ANSWER_MEDIA_TYPES[kind]).
TWINS: dict[str, dict[str, str]] = {
    "solutions": {
        "json": "application/sparql-results+json",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "xml": "application/sparql-results+xml",
    },
    "graph": {
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
    },
}
# How the page names each twin.
TWIN_NAMES: dict[str, str] = {
    "json": "JSON",
    "csv": "CSV",
    "tsv": "TSV",
    "xml": "XML",
    "ttl": "Turtle",
    "nt": "N-Triples",
    "jsonld": "JSON-LD",
}
# The form control of each parameter type without choices from the graph.
INPUT_TYPES: dict[str, str] = {"date": "date", "integer": "number"}


def init_app(app: Flask) -> None:
    """Read the saved queries once, so a broken .rq file stops the app at start."""
    app.extensions[EXTENSION] = load_catalogue(app.config["QUERIES"])


def catalogue() -> dict[str, SavedQuery]:
    """The current app's saved queries, by name."""
    return current_app.extensions[EXTENSION]


def saved_query(name: str) -> SavedQuery:
    """The saved query called `name`, or a 404."""
    saved = catalogue().get(name)
    if saved is None:
        abort(404, description=f"There is no question {name!r}.")
    return saved


def parameters(args: Mapping[str, str]) -> dict[str, str]:
    """The query string without the paging names."""
    return {name: value for name, value in args.items() if name not in RESERVED}


def asked(saved: SavedQuery, args: Mapping[str, str]) -> dict[str, str]:
    """The parameters of the query string, plus a value from the graph for each one left
    empty whose example the graph does not hold (and that has no default of its own).

    An example such as a communiqué's key may exist only in the test data; then the
    first of the form's choices stands in, so the bare URL still shows an answer. The
    value is written into every link the page makes, so its twins answer the same.
    """
    raw = parameters(args)
    for name, param in saved.params.items():
        if (raw.get(name) or "").strip() or param.default is not None:
            continue
        options = choices(DeadlineStore(), param.type, current_app.config["QUERIES"])
        if options and param.example not in {key for key, _ in options}:
            raw[name] = options[0][0]
    return raw


@dataclass(frozen=True)
class Page:
    """Which slice of an answer a page shows (?limit=&offset=)."""

    limit: int
    offset: int

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Page:
        most = current_app.config["MAX_PAGE_SIZE"]
        limit = _whole(args, "limit", current_app.config["PAGE_SIZE"], 1, most)
        return cls(limit=limit, offset=_whole(args, "offset", 0, 0, None))


def _whole(args: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    text = args.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        top = f" and {high}" if high is not None else ""
        raise ParameterError(f"{name} must be a whole number between {low}{top}, not {text!r}")
    return int(text)


@bp.get("/")
def index() -> str:
    """The list of canned questions."""
    return render_template(
        "index.html", questions=sorted(catalogue().values(), key=lambda q: q.title)
    )


@bp.get("/questions/<name>")
def question(name: str) -> Response:
    """A question's form, its SPARQL, its bound values and one page of its answer."""
    saved = saved_query(name)
    twin = wanted_twin(saved)
    if twin is not None:
        return answer(name, twin)
    page = Page.from_args(request.args)
    raw = asked(saved, request.args)
    values = saved.values(raw)
    bound = saved.bind(raw)
    store = DeadlineStore()
    # one row more than the page shows tells whether there is a next page
    variables, found = rows_of(saved, bound, page.offset, page.offset + page.limit + 1)
    text = saved.standalone(bound)
    page_html = render_template(
        "question.html",
        saved=saved,
        values=values,
        bound=bound,
        controls={
            p.name: choices(store, p.type, current_app.config["QUERIES"])
            for p in saved.params.values()
        },
        input_types=INPUT_TYPES,
        variables=variables,
        rows=found[: page.limit],
        page=page,
        standalone=text,
        editor=editor_url(text),
        why=[
            f"{url_for('why.row', name=name)}?{urlencode({**values, 'row': page.offset + number})}"
            for number in range(1, min(len(found), page.limit) + 1)
        ],
        twins=TWINS[saved.kind],
        twin_names=TWIN_NAMES,
        links=links(saved, raw, page, more=len(found) > page.limit),
    )
    response = Response(page_html)
    response.vary.add("Accept")  # the same URL gives the twins by Accept header
    return response


def rows_of(
    saved: SavedQuery, bound: Mapping[str, Term], start: int, stop: int
) -> tuple[list[str], list[dict[str, Any]]]:
    """The answer's column names and its rows start to stop (from 0), in the query's order.

    A graph answer has one row per distinct triple (subject, predicate, object), sorted,
    so that its pages and its row numbers ("why this answer") do not depend on the
    engine's order.
    """
    return page_rows(saved, bound, start, stop, run=first_rows, search=text_search)


def first_rows(
    sparql: str, bound: Mapping[str, Any], stop: int | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The first `stop` rows of a query's answer (None: all), under the request's deadline."""
    found = rows(sparql, bound, stop=stop)
    return list(found.variables), found.solutions()


def rows_written(variables: list[str], found: list[dict[str, Any]], writer: str) -> bytes:
    """Rows already read, written as `writer` (a results format) in this process: their
    VALUES-only query needs no data, so an empty store answers it, without a round trip
    to the query worker."""
    sparql, bound = rows_query(variables, found)
    output = BytesIO()
    write_result(Store().query(sparql, bound), output, writer)
    return output.getvalue()


def editor_url(text: str) -> str:
    """The SPARQL editor's URL with `text` in it (the editor belongs to the views blueprint)."""
    try:
        return url_for("views.editor", query=text)
    except BuildError:  # the editor's blueprint is not registered: its documented address
        return f"{request.script_root}/sparql/editor?{urlencode({'query': text})}"


def wanted_twin(saved: SavedQuery) -> str | None:
    """The suffix of the twin the Accept header prefers to HTML, if it prefers one."""
    types = {media: suffix for suffix, media in TWINS[saved.kind].items()}
    return types.get(request.accept_mimetypes.best_match(["text/html", *types]) or "")


def links(saved: SavedQuery, raw: Mapping[str, str], page: Page, more: bool) -> dict[str, str]:
    """URLs that keep the question's parameters: previous and next page, the twins."""
    name = saved.name
    here = url_for("questions.question", name=name)
    found = {
        suffix: url_for("questions.answer", name=name, suffix=suffix)
        + (f"?{urlencode(raw)}" if raw else "")
        for suffix in TWINS[saved.kind]
    }
    if page.offset > 0:
        offset = max(page.offset - page.limit, 0)
        found["previous"] = f"{here}?{urlencode({**raw, 'offset': offset, 'limit': page.limit})}"
    if more:
        offset = page.offset + page.limit
        found["next"] = f"{here}?{urlencode({**raw, 'offset': offset, 'limit': page.limit})}"
    return found


@bp.get("/questions/<name>.<suffix>")
def answer(name: str, suffix: str) -> Response:
    """The whole answer to a question: SPARQL results JSON, CSV, TSV or XML for a table,
    Turtle, N-Triples or JSON-LD for a graph; with ?limit= or ?offset=, a table's page."""
    saved = saved_query(name)
    twins = TWINS[saved.kind]
    if suffix not in twins:
        abort(
            404,
            description=f"No .{suffix} format for this question; there are "
            f"{', '.join('.' + s for s in twins)}.",
        )
    media_type: MediaType = ANSWER_MEDIA_TYPES[saved.kind][twins[suffix]]
    errors_as("text")
    bound = saved.bind(asked(saved, request.args))
    body = None
    if saved.kind == "solutions" and {"limit", "offset"} & set(request.args):
        # a page of the answer, read as the page reads it (queries/paging.py), then
        # written from its rows; a page with a blank node is read again as one query
        page = Page.from_args(request.args)
        stop = page.offset + page.limit
        variables, found = rows_of(saved, bound, page.offset, stop)
        if any(isinstance(term, BlankNode) for row in found for term in row.values()):
            sparql, paged = page_query(
                saved, bound, page.offset, stop, run=first_rows, search=text_search
            )
            body = written(sparql, media_type.writer, paged)
        else:
            body = rows_written(variables, found, media_type.writer)
    elif saved.text is not None and (whole := whole_rows(saved, bound, first_rows, text_search)):
        body = rows_written(*whole, media_type.writer)  # read through the full-text index
    response = Response(
        body if body is not None else written(saved.sparql, media_type.writer, bound),
        content_type=media_type.content_type,
    )
    response.vary.add("Accept")
    return response
