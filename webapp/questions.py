"""Canned questions: the list, one question's form and answer, and its JSON/CSV twins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from itertools import islice
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

from bilat.graph import write_result
from bilat.ontology import PREFIXES
from bilat.queries.catalogue import RESERVED, ParameterError, SavedQuery, choices, load_catalogue
from bilat.webapp.db import get_store

bp = Blueprint("questions", __name__)
EXTENSION = "bilat.catalogue"

# The machine-readable twins of a question page: URL suffix -> (write_result format, type).
FORMATS: dict[str, tuple[str, str]] = {
    "json": ("json", "application/sparql-results+json"),
    "csv": ("csv", "text/csv; charset=utf-8"),
    "tsv": ("tsv", "text/tab-separated-values; charset=utf-8"),
    "xml": ("xml", "application/sparql-results+xml"),
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
def question(name: str) -> str | Response:
    """A question's form, its SPARQL, its bound values and one page of its answer."""
    saved = saved_query(name)
    twin = wanted_twin()
    if twin is not None:
        return answer(name, twin)
    page = Page.from_args(request.args)
    raw = parameters(request.args)
    values = saved.values(raw)
    bound = saved.bind(raw)
    store = get_store()
    result = store.query(saved.sparql, bound)
    rows = list(islice(result, page.offset, page.offset + page.limit + 1))
    return render_template(
        "question.html",
        saved=saved,
        values=values,
        bound=bound,
        controls={
            p.name: choices(store, p.type, current_app.config["QUERIES"])
            for p in saved.params.values()
        },
        input_types=INPUT_TYPES,
        variables=[v.value for v in result.variables],
        rows=rows[: page.limit],
        page=page,
        prefixes=PREFIXES,
        links=links(name, raw, page, more=len(rows) > page.limit),
    )


def wanted_twin() -> str | None:
    """The suffix of the twin the Accept header prefers to HTML, if it prefers one."""
    types = {content_type: suffix for suffix, (_, content_type) in FORMATS.items()}
    return types.get(request.accept_mimetypes.best_match(["text/html", *types]) or "")


def links(name: str, raw: Mapping[str, str], page: Page, more: bool) -> dict[str, str]:
    """URLs that keep the question's parameters: previous and next page, the twins."""
    here = url_for("questions.question", name=name)
    found = {
        suffix: url_for("questions.answer", name=name, suffix=suffix)
        + (f"?{urlencode(raw)}" if raw else "")
        for suffix in FORMATS
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
    """The whole answer to a question as SPARQL results JSON, CSV, TSV or XML."""
    saved = saved_query(name)
    if suffix not in FORMATS:
        abort(404, description=f"No .{suffix} format; there are {', '.join(FORMATS)}.")
    fmt, content_type = FORMATS[suffix]
    result = get_store().query(saved.sparql, saved.bind(parameters(request.args)))
    buffer = BytesIO()
    write_result(result, buffer, fmt)
    return Response(buffer.getvalue(), content_type=content_type)
