"""/sparql: a read-only SPARQL 1.1 Protocol endpoint over the store.

Queries come as GET ?query=, as a POST form (query=) or as a POST body of type
application/sparql-query. The answer's format is chosen by the Accept header, or by a
`format=` parameter (a short name such as json, csv, turtle, or a media type), from the
tables in bilat.graph.formats. The default graph is the union of all named graphs, as for
every bilat query; `default-graph-uri` and `named-graph-uri` are ignored.

Read-only: updates (update=, application/sparql-update, or an update sent as query=) get
403, and so do federated queries (SERVICE), found in rdflib's parse tree of the query, not
in its text. Every query passes rdflib's parser before the store sees it.
"""

from __future__ import annotations

import threading
from io import BytesIO

from flask import Blueprint, Response, render_template, request
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from bilat.graph import StoreError, write_result
from bilat.graph.formats import ANSWER_MEDIA_TYPES, MediaType
from bilat.ontology import PREFIXES
from bilat.webapp.db import get_store

bp = Blueprint("sparql", __name__)

# The kind of answer of each query form in rdflib's parse tree.
ANSWER_KINDS: dict[str, str] = {
    "SelectQuery": "solutions",
    "AskQuery": "solutions",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}
# How the query page names each kind of answer.
KIND_TITLES: dict[str, str] = {"solutions": "SELECT, ASK", "graph": "CONSTRUCT, DESCRIBE"}
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
EXAMPLE = "SELECT ?actor ?label WHERE {\n  ?actor a bilat:Person ; rdfs:label ?label .\n}"
# rdflib's parser is pyparsing's, whose caches are class-wide: parse one query at a time.
PARSER_LOCK = threading.Lock()


class Refusal(Exception):
    """A request the endpoint will not answer: its status and a one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(Refusal)
def refused(error: Refusal) -> Response:
    """A refusal as one line of plain text, for any SPARQL client to show."""
    return Response(error.message + "\n", status=error.status, mimetype="text/plain")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    """Answer a SPARQL query in the format the client asks for; refuse anything else."""
    text = query_text()
    if text is None:
        if request.method == "GET" and wants_html():
            return render_template(
                "sparql.html",
                prefixes=PREFIXES,
                example=EXAMPLE,
                media_types=ANSWER_MEDIA_TYPES,
                kind_titles=KIND_TITLES,
            )
        raise Refusal(
            400, "missing query: send it as query=, or POST it as application/sparql-query"
        )
    kind = answer_kind(text)
    media_type = negotiate(ANSWER_MEDIA_TYPES[kind])
    response = Response(run(text, media_type.writer), content_type=media_type.content_type)
    response.vary.add("Accept")
    return response


def run(text: str, writer: str) -> bytes:
    """The query's answer written as `writer`; 400 for what the store refuses.

    A function of its own, so the store's result dies with this frame, on this thread:
    pyoxigraph's results must not be dropped on another one, and rdflib's parser keeps
    references to the frames it ran under (here: the view's).
    """
    buffer = BytesIO()
    result = None
    try:
        result = get_store().query(text)
        write_result(result, buffer, writer)
    except StoreError as error:
        raise Refusal(400, str(error)) from error
    finally:
        result = None  # not kept alive by a traceback either
    return buffer.getvalue()


def query_text() -> str | None:
    """The query the request sends, None if it sends none; 403 if it sends an update."""
    if (request.method == "POST" and request.mimetype == UPDATE_TYPE) or "update" in request.values:
        raise Refusal(403, "this endpoint is read-only: SPARQL updates are not accepted")
    if request.method == "POST" and request.mimetype == QUERY_TYPE:
        text = request.get_data(as_text=True)
    elif request.method == "POST" and request.mimetype != FORM_TYPE:
        raise Refusal(415, f"POST a query as {FORM_TYPE} (query=) or as {QUERY_TYPE}")
    else:
        text = request.values.get("query", "")
    return text if text.strip() else None


def answer_kind(text: str) -> str:
    """The kind of answer ("solutions" or "graph"); 403 for an update or SERVICE, 400 if bad."""
    with PARSER_LOCK:
        parsed, error = parse_query(text)
        update = error is not None and is_update(text)
    if update:
        raise Refusal(403, "this endpoint is read-only: SPARQL updates are not accepted")
    if error is not None:
        raise Refusal(400, parse_error(text, error))
    if has_service(parsed):
        raise Refusal(403, "federated queries are off: this endpoint does not run SERVICE")
    return ANSWER_KINDS[parsed[1].name]


def parse_query(text: str) -> tuple[ParseResults | None, Exception | None]:
    """rdflib's parse tree of a query, or its parser's complaint; call with PARSER_LOCK held."""
    try:
        return parseQuery(text), None
    except Exception as error:  # pyparsing's ParseException, or rdflib's own complaints
        return None, error


def is_update(text: str) -> bool:
    """Whether the text is a (non-empty) SPARQL update; call with PARSER_LOCK held."""
    try:
        update = parseUpdate(text)
    except Exception:
        return False
    return "request" in update  # an empty update (only comments or prefixes) is no update


def parse_error(text: str, rdflib_error: Exception) -> str:
    """The store's parser message for a malformed query (the one bilat's CLI shows).

    The store only sees text that cannot hide a SERVICE call from rdflib's parser; if the
    store's parser accepts what rdflib's refused, rdflib's message is the answer.
    """
    fallback = f"bad SPARQL (bilat checks every query with rdflib first): {rdflib_error}"
    if "service" in expandUnicodeEscapes(text).lower() or "\\u" in text.lower():
        return fallback
    try:
        get_store().query(text)  # only its complaint is wanted; the text holds no SERVICE
    except StoreError as error:
        return str(error)
    return fallback


def has_service(node: object) -> bool:
    """Whether rdflib's parse tree holds a SERVICE pattern anywhere."""
    if isinstance(node, CompValue):
        return node.name == "ServiceGraphPattern" or any(
            has_service(value) for value in node.values()
        )
    if isinstance(node, ParseResults | list | tuple):
        return any(has_service(item) for item in node)
    return False


def negotiate(table: dict[str, MediaType]) -> MediaType:
    """The media type the client wants from `table`: format= first, then Accept; else 406."""
    asked = [name for name in request.values.getlist("format") if name]
    if asked:
        for name in asked:
            for media_type, entry in table.items():
                if name == media_type or name in entry.names:
                    return entry
        raise Refusal(406, cannot_serve(table, f"format={asked[0]}"))
    accept = request.accept_mimetypes
    if not accept:
        return next(iter(table.values()))
    best = accept.best_match(list(table))
    if best is None:
        raise Refusal(406, cannot_serve(table, f"Accept: {request.headers.get('Accept')}"))
    return table[best]


def cannot_serve(table: dict[str, MediaType], asked: str) -> str:
    """The one-line 406 message: what was asked, and what this query can be answered in."""
    names = ", ".join(f"{media_type} ({entry.names[0]})" for media_type, entry in table.items())
    return f"cannot answer this query as {asked}; this endpoint serves {names}"


def wants_html() -> bool:
    """Whether the client (a browser) prefers an HTML page to a results format."""
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", *ANSWER_MEDIA_TYPES["solutions"]])
    return bool(accept) and best == "text/html"
