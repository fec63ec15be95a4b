"""/sparql: a SPARQL 1.1 Protocol endpoint over the store, read-only unless given a token.

Queries come as GET ?query=, as a POST form (query=) or as a POST body of type
application/sparql-query. The answer's format is chosen by the Accept header, or by a
`format=` parameter (a short name such as json, csv, turtle, or a media type), from the
tables in bilat.graph.formats. The default graph is the union of all named graphs, as for
every bilat query; `default-graph-uri` and `named-graph-uri` are ignored.

Updates (update=, or a POST of application/sparql-update) get 403 on a server started
without a write token; with one, they need it (401 without it, see bilat.webapp.access).
SERVICE in a query and LOAD or SERVICE in an update make the server fetch URLs: they get 403
unless ALLOW_SERVICE is set. They are found in rdflib's parse tree, not in the text, so
every update and every query that holds the word "service" (escapes expanded) passes
rdflib's parser first (when ALLOW_SERVICE is set, an update goes straight to the store,
whose parser gives the 400 messages). A query without that word whose form (SELECT, ASK,
CONSTRUCT, DESCRIBE) plainly follows its PREFIX and BASE lines goes to the store at once:
rdflib's parser takes 10-40 ms on a common query and over a second on a page's long VALUES
block, and such a query cannot call out.

Queries run under the deadline of bilat.webapp.deadline: one that runs longer than
QUERY_TIMEOUT seconds is stopped and answered with 503.
"""

from __future__ import annotations

import re
import threading

from flask import Blueprint, Response, current_app, render_template, request
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from bilat.graph import StoreError
from bilat.graph.formats import ANSWER_MEDIA_TYPES, MediaType
from bilat.ontology import PREFIXES
from bilat.webapp.access import AccessDenied, check_write_access, writes_allowed
from bilat.webapp.db import get_store
from bilat.webapp.deadline import QueryFailed, QueryTimeout, get_runner

bp = Blueprint("sparql", __name__)

# The kind of answer of each query form in rdflib's parse tree.
ANSWER_KINDS: dict[str, str] = {
    "SelectQuery": "solutions",
    "AskQuery": "solutions",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}
# A query's prologue and then its form, as the keyword says (comments and IRIs may hold
# anything, so only what a prologue holds is skipped). Each piece of the prologue can be
# cut one way only (a space at a time, a comment to its line's end), so a text that does
# not match fails in linear time: `\s+` or an open-ended comment inside the `*` would let
# a run of spaces be cut in exponentially many ways.
PLAIN_FORM = re.compile(
    r"(?:\s|#[^\n]*\n|BASE\s*<[^>\s]*>|PREFIX\s+[^\s:]*:\s*<[^>\s]*>)*"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)
FORM_KINDS: dict[str, str] = {"SELECT": "solutions", "ASK": "solutions",
                              "CONSTRUCT": "graph", "DESCRIBE": "graph"}
# How the query page names each kind of answer.
KIND_TITLES: dict[str, str] = {"solutions": "SELECT, ASK", "graph": "CONSTRUCT, DESCRIBE"}
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
EXAMPLE = "SELECT ?actor ?label WHERE {\n  ?actor a bilat:Person ; rdfs:label ?label .\n}"
# rdflib's parser is pyparsing's, whose caches are class-wide: parse one query at a time.
PARSER_LOCK = threading.Lock()
READ_ONLY_UPDATES = (
    "this server is read-only: SPARQL updates are not accepted "
    "(start it with a write token to allow them)"
)
SERVICE_OFF = (
    "federated queries are off: this endpoint does not run SERVICE "
    "(it would make the server fetch URLs; `bilat serve --allow-service` turns it on)"
)
FETCHES_OFF = (
    "LOAD and SERVICE are off: they would make the server fetch URLs "
    "(`bilat serve --allow-service` turns them on)"
)


class Refusal(Exception):
    """A request the endpoint will not answer: its status and a one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(Refusal)
def refused(error: Refusal) -> Response:
    """A refusal as one line of plain text, for any SPARQL client to show."""
    return Response(one_line(error.message), status=error.status, mimetype="text/plain")


@bp.errorhandler(AccessDenied)
def denied(error: AccessDenied) -> Response:
    """A write without the right token: 401 (with its challenge) or 403, as one line."""
    return Response(
        one_line(error.message), status=error.status, mimetype="text/plain", headers=error.headers
    )


def one_line(message: str) -> str:
    """A message (the store's parser writes some over several lines) as one text line."""
    return " ".join(message.split()) + "\n"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    """Answer a SPARQL query in the format the client asks for; run an update; else refuse."""
    update = update_text()
    if update is not None:
        return run_update(update)
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
    """The query's answer written as `writer`, under the deadline.

    400 for what the store refuses; 503 for a query stopped by the deadline (the server
    chose to stop it: 504 would say a gateway got no answer from the server behind it).
    """
    try:
        return get_runner().run(text, writer)
    except StoreError as error:
        raise Refusal(400, str(error)) from error
    except QueryTimeout as error:
        raise Refusal(503, str(error)) from error
    except QueryFailed as error:
        raise Refusal(500, f"the query could not be answered: {error}") from error


def update_text() -> str | None:
    """The update the request sends (update= or application/sparql-update), None if none."""
    if request.method == "POST" and request.mimetype == UPDATE_TYPE:
        return request.get_data(as_text=True)
    if "update" in request.values:
        return request.values["update"]
    return None


def run_update(text: str) -> Response:
    """Run an update for a client with the write token: 204 when done, else 400/401/403."""
    if not writes_allowed():
        raise Refusal(403, READ_ONLY_UPDATES)
    if request.method != "POST":
        raise Refusal(405, "send an update with POST")
    check_write_access()
    if not current_app.config["ALLOW_SERVICE"]:
        check_update(text)
    try:
        get_store().update(text)  # one transaction: a failed update writes nothing
    except StoreError as error:
        raise Refusal(400, str(error)) from error
    get_runner().bump()
    return Response(status=204)


def check_update(text: str) -> None:
    """400 for an update rdflib cannot parse; 403 for LOAD and SERVICE (they fetch URLs)."""
    with PARSER_LOCK:
        try:
            parsed = parseUpdate(text)
        except Exception as error:
            message = str(error)
        else:
            message = None
            fetches = has_service(parsed) or has_load(parsed)
    if message is not None:
        raise Refusal(400, f"bad SPARQL update (bilat checks every update with rdflib first): "
                           f"{message}")
    if "request" not in parsed:
        raise Refusal(400, "empty update: it holds no operation")
    if fetches:
        raise Refusal(403, FETCHES_OFF)


def query_text() -> str | None:
    """The query the request sends, None if it sends none."""
    if request.method == "POST" and request.mimetype == QUERY_TYPE:
        text = request.get_data(as_text=True)
    elif request.method == "POST" and request.mimetype != FORM_TYPE:
        raise Refusal(
            415, f"POST a query as {FORM_TYPE} (query=) or as {QUERY_TYPE}, an update as "
            f"{UPDATE_TYPE}"
        )
    else:
        text = request.values.get("query", "")
    return text if text.strip() else None


def answer_kind(text: str) -> str:
    """The kind of answer ("solutions" or "graph"); 403 for an update or SERVICE, 400 if bad."""
    plain = PLAIN_FORM.match(text)
    if plain and "service" not in expandUnicodeEscapes(text).lower():
        return FORM_KINDS[plain.group(1).upper()]  # the store's parser judges the rest
    with PARSER_LOCK:
        parsed, error = parse_query(text)
        update = error is not None and is_update(text)
    if update and not writes_allowed():
        raise Refusal(403, READ_ONLY_UPDATES)
    if update:
        raise Refusal(400, f"this is an update: send it as update= or as {UPDATE_TYPE}")
    if error is not None:
        raise Refusal(400, parse_error(text, error))
    if has_service(parsed) and not current_app.config["ALLOW_SERVICE"]:
        raise Refusal(403, SERVICE_OFF)
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

    The store parses the text on an empty store, under the deadline (some queries are
    evaluated at once, and VALUES can make work even without data). It only sees text that
    cannot hide a SERVICE call from rdflib's parser; if the store's parser accepts what
    rdflib's refused, rdflib's message is the answer.
    """
    fallback = f"bad SPARQL (bilat checks every query with rdflib first): {rdflib_error}"
    if "service" in expandUnicodeEscapes(text).lower() or "\\u" in text.lower():
        return fallback
    try:
        get_runner().run(text, "json", empty=True)  # only its complaint is wanted
    except StoreError as error:
        return str(error)
    except (QueryTimeout, QueryFailed):
        pass
    return fallback


def has_load(node: object) -> bool:
    """Whether rdflib's parse tree of an update holds a LOAD operation."""
    if isinstance(node, CompValue):
        return node.name == "Load" or any(has_load(value) for value in node.values())
    if isinstance(node, ParseResults | list | tuple):
        return any(has_load(item) for item in node)
    return False


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
