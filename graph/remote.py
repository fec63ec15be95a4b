"""A bilat dataset on a SPARQL 1.1 server: the embedded Store's methods over HTTP.

Queries and updates go by the SPARQL 1.1 Protocol (SPARQLWrapper); whole graphs go by the
Graph Store Protocol (a PUT replaces a graph in one request, which the server applies
atomically). Answers come back as the same pyoxigraph objects the embedded store returns,
so no caller knows which store it has. The server must show the union of the named graphs
as the default graph (Oxigraph: `--union-default-graph`; see the README for others).
"""

from __future__ import annotations

import ast
import json
import re
import socket
import urllib.error
from collections.abc import Iterable, Mapping
from http.client import HTTPException, responses
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote

import requests
from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from pyoxigraph import Store as OxStore
from SPARQLWrapper import DIGEST, INSERT, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from bilat.graph.aggregates import AGGREGATES_GRAPH, Progress, aggregate_queries
from bilat.graph.binding import BindingError, with_values
from bilat.graph.formats import rdf_format_of
from bilat.graph.store import (
    QueryResult,
    Store,
    StoreError,
    Term,
    write_graph,
)
from bilat.ontology import PREFIXES

if TYPE_CHECKING:
    from bilat.graph.location import RemoteSettings

# The answers bilat reads: results for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE (a
# server asked for both may answer a CONSTRUCT with results, as Virtuoso does).
ACCEPT_RESULTS = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
ACCEPT_ANY = f"{ACCEPT_RESULTS}, application/n-triples;q=0.8, text/turtle;q=0.7"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
BOOLEAN_WORDS = {"1": "true", "0": "false"}  # other lexical forms of the two values
# on the query's first line, so the server's error messages keep the query's line numbers
PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}> " for prefix, iri in PREFIXES.items())
# Where bound values go: the opening of the top-level WHERE, as the engine's binding does
# (the values hold for the whole pattern, its FILTERs and OPTIONALs included).
ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
MESSAGE_LIMIT = 300


class RemoteStore:
    """A bilat dataset on a SPARQL server: one named graph per communiqué, plus the vocabulary.

    Queries see the union of all named graphs as their default graph (a server setting).
    """

    path = None  # no folder another process could open (webapp/deadline.py asks)

    def __init__(self, settings: RemoteSettings, *, read_only: bool = False):
        self.settings = settings
        self.read_only = read_only
        self.url = settings.query

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    def close(self) -> None:
        """Nothing to let go of: every request has its own connection."""

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -----------------------------------------------------------------

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        """Replace a named graph's content in one request: readers see old or new."""
        body = serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES)
        if self.settings.gsp is None:
            text = body.decode()
            self.update(f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {text} }} }}")
        else:
            self._writable()
            self._graph_request("PUT", graph, body)

    # written against quads() and replace_graph() only, so it serves both stores
    load_vocabulary = Store.load_vocabulary

    def import_file(self, path: Path, graph: NamedNode | None = None, *,
                    refresh: bool = True) -> int:
        """Add an RDF file's triples or quads; a file with a syntax error sends nothing.

        Triples go into `graph` (default: the default graph). Returns the quad count. With
        `refresh`, the aggregates graph is recomputed afterwards.
        """
        count = self._import(path, graph)
        if refresh:
            self.refresh_aggregates()
        return count

    def _import(self, path: Path, graph: NamedNode | None) -> int:
        self._writable()
        fmt = rdf_format_of(path)
        try:  # read the whole file first, so a syntax error half way sends nothing
            quads = list(parse(path=path, format=fmt))
        except SyntaxError as error:
            raise StoreError(f"{path.name}: {error}") from error
        by_graph: dict[NamedNode | DefaultGraph, list[Triple]] = {}
        for quad in quads:
            target = graph or quad.graph_name
            if not isinstance(target, NamedNode | DefaultGraph):
                raise StoreError(f"{path.name}: a graph named by a blank node cannot be sent")
            by_graph.setdefault(target, []).append(quad.triple)
        for target, triples in by_graph.items():
            self._add(target, triples)
        return len(quads)

    def _add(self, graph: NamedNode | DefaultGraph, triples: list[Triple]) -> None:
        body = serialize(triples, format=RdfFormat.N_TRIPLES)
        if self.settings.gsp is not None:
            self._graph_request("POST", graph, body)
        elif isinstance(graph, DefaultGraph):
            self.update(f"INSERT DATA {{ {body.decode()} }}")
        else:
            self.update(f"INSERT DATA {{ GRAPH {graph} {{ {body.decode()} }} }}")

    def refresh_aggregates(self, progress: Progress | None = None) -> None:
        """Recompute the aggregates graph (graph/aggregates.py) from the whole dataset.

        Each file's rows are stored before the next file runs (it may read them), so a
        reader may see them incomplete, as on the embedded store. `progress` is told at
        the start (0 done) and as each file is done.
        """
        self.update(f"DROP SILENT GRAPH {AGGREGATES_GRAPH}")
        queries = aggregate_queries()
        if progress is not None:
            progress("", 0, len(queries))
        for done, (name, construct) in enumerate(queries, 1):
            try:
                triples = list(self.query(construct))
            except StoreError as error:
                raise StoreError(f"queries/aggregates/{name}: {error}") from error
            if triples:  # added to the graph (not the graph so far sent again each time)
                self._add(AGGREGATES_GRAPH, triples)
            if progress is not None:
                progress(name, done, len(queries))

    def update(self, sparql: str) -> None:
        """Run a SPARQL UPDATE on the server."""
        self._writable()
        self._sparql(PROLOGUE + sparql, update=True)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store {self.url} was opened read-only")

    # --- reading -----------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE; `bindings` are bound as RDF terms."""
        try:
            bound = with_values(sparql, bindings or {}, row_apart=True)
        except BindingError as error:
            raise StoreError(str(error)) from error
        data, media_type = self._sparql(PROLOGUE + bound)
        results_format = QueryResultsFormat.from_media_type(media_type)
        if results_format is not None:
            return canonical_booleans(parse_query_results(data, format=results_format), data)
        rdf_format = RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise StoreError(f"the SPARQL server at {self.url} answered in {media_type}, "
                             "which bilat cannot read")
        return as_query_triples(parse(data, format=rdf_format))

    def named_graphs(self) -> list[NamedNode]:
        """Every named graph's name, the vocabulary graph included, the aggregates graph
        (derived data, graph/aggregates.py) left out."""
        return [g for g in self._graph_names() if g != AGGREGATES_GRAPH]

    def _graph_names(self) -> list[NamedNode]:
        # `GRAPH ?g {}` would also find empty graphs, but Virtuoso answers it wrongly
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ {self._in_dataset()} }}")
        return [row["g"] for row in rows if isinstance(row["g"], NamedNode)]

    def _in_dataset(self) -> str:
        """The pattern of the dataset's quads in named graphs (?g ?s ?p ?o)."""
        if not self.settings.graphs:
            return "GRAPH ?g { ?s ?p ?o }"
        prefix = Literal(self.settings.graphs)  # str() writes it escaped
        return f"GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {prefix}))"

    def has_graph(self, graph: NamedNode) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def quads(self, graph: NamedNode | None = None) -> list[Quad]:
        """All quads, or those of one named graph."""
        if graph is not None:
            return [Quad(t.subject, t.predicate, t.object, graph) for t in self._triples(graph)]
        found = [Quad(t.subject, t.predicate, t.object) for t in self._default_triples()]
        for name in self._graph_names():
            found.extend(self.quads(name))
        return found

    def _triples(self, graph: NamedNode | DefaultGraph) -> list[Triple]:
        """A graph's triples; without the Graph Store Protocol the default graph is not
        reachable (queries see the union there), so it reads as empty."""
        if self.settings.gsp is not None:
            data = self._graph_request("GET", graph)
            return [] if data is None else [q.triple for q in parse(data, RdfFormat.N_TRIPLES)]
        if isinstance(graph, DefaultGraph):
            return []
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        return list(self.query(construct))

    def _default_triples(self) -> list[Triple]:
        """The default graph's own triples, when it belongs to the dataset."""
        return [] if self.settings.graphs else self._triples(DefaultGraph())

    def __len__(self) -> int:
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {self._in_dataset()} }}")
        return int(next(iter(rows))["n"].value) + len(self._default_triples())

    def is_empty(self) -> bool:
        return not self.query(f"ASK {{ {self._in_dataset()} }}") and not self._default_triples()

    # --- writing out -------------------------------------------------------------

    def export(self, output: BinaryIO, fmt: RdfFormat, graph: NamedNode | None = None) -> None:
        """Write the whole dataset, or one named graph, in `fmt`.

        A triple format (Turtle, N-Triples) of the whole dataset writes the union graph.
        """
        if graph is not None:
            write_graph(self, output, fmt, graph)
        elif fmt.supports_datasets:
            serialize(self.quads(), output, fmt, prefixes=PREFIXES)
        else:  # the union of the dataset's graphs (not the server's: Virtuoso adds its own)
            serialize({q.triple for q in self.quads()}, output, fmt, prefixes=PREFIXES)

    # --- HTTP ----------------------------------------------------------------------

    def _sparql(self, text: str, update: bool = False) -> tuple[bytes, str]:
        """Send a query (or an update) by the SPARQL 1.1 Protocol: the answer and its type."""
        url = self.settings.update if update else self.settings.query
        kind = "SPARQL update" if update else "SPARQL"
        client = SPARQLWrapper(self.settings.query, updateEndpoint=self.settings.update)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # no format= parameter: the Accept header says it
        client.timeout = self.settings.timeout  # setTimeout() would cut it to whole seconds
        client.setQuery(text)
        # SPARQLWrapper guesses the kind from the text (a comment saying "copy" makes it a
        # COPY update); the endpoint and the parameter name follow what the caller says
        client.queryType = INSERT if update else SELECT
        accept = ACCEPT_RESULTS if update else answer_formats(text)
        if self.settings.user is not None:
            if self.settings.auth == "digest":
                client.setHTTPAuth(DIGEST)
            client.setCredentials(self.settings.user, self.settings.password or "")
        for name, value in self._headers(accept).items():
            client.addCustomHttpHeader(name, value)
        try:
            response = client.query().response
            return response.read(), response.headers.get_content_type()
        except SPARQLWrapperException as error:
            status = getattr(error.__context__, "code", None)
            raise self._refused(url, status, server_said(error), kind) from None
        except urllib.error.HTTPError as error:
            raise self._refused(url, error.code, error.read(), kind) from None
        except urllib.error.URLError as error:
            raise self._unreachable(url, error.reason) from None
        except (OSError, HTTPException) as error:  # a timeout or a dropped connection
            raise self._unreachable(url, error) from None

    def _graph_request(
        self, method: str, graph: NamedNode | DefaultGraph, body: bytes | None = None
    ) -> bytes | None:
        """One Graph Store Protocol request on one graph; GET answers N-Triples (None: no
        such graph)."""
        url = self.settings.gsp
        target = "default" if isinstance(graph, DefaultGraph) else f"graph={quote(graph.value)}"
        headers = self._headers("application/n-triples" if body is None else None)
        if body is not None:
            headers["Content-Type"] = "application/n-triples"
        auth = None
        if self.settings.user is not None:
            scheme = requests.auth.HTTPDigestAuth if self.settings.auth == "digest" else (
                requests.auth.HTTPBasicAuth)
            auth = scheme(self.settings.user, self.settings.password or "")
        try:
            response = requests.request(method, f"{url}?{target}", data=body, headers=headers,
                                        auth=auth, timeout=self.settings.timeout)
        except requests.RequestException as error:
            raise self._unreachable(url, error) from None
        if method == "GET" and response.status_code == 404:
            return None
        if not response.ok:
            raise self._refused(url, response.status_code, response.content, "data")
        return response.content

    def _headers(self, accept: str | None) -> dict[str, str]:
        headers = {} if accept is None else {"Accept": accept}
        if self.settings.token is not None:
            headers["Authorization"] = f"Bearer {self.settings.token}"
        return headers

    def _refused(self, url: str, status: int | None, said: bytes | str, kind: str) -> StoreError:
        """An HTTP error status as one line: which server, what it said; `kind` is what was
        sent (SPARQL, SPARQL update, data)."""
        message = one_line(said.decode("utf-8", "replace") if isinstance(said, bytes) else said)
        if status == 400:
            return StoreError(f"bad {kind} (the server at {url} says): {message}")
        reason = f"{status} {responses.get(status, '')}".strip() if status else "an error"
        hint = ""
        if status in (401, 403):
            hint = " (set BILAT_USER and BILAT_PASSWORD, or BILAT_TOKEN)"
        return StoreError(f"the SPARQL server at {url} answered {reason}{hint}: {message}")

    def _unreachable(self, url: str, error: object) -> StoreError:
        """A connection that failed or timed out, as one line."""
        if isinstance(error, TimeoutError | socket.timeout | requests.Timeout):
            return StoreError(f"the SPARQL server at {url} did not answer within "
                              f"{self.settings.timeout:g} s")
        text = str(getattr(error, "strerror", None) or error)
        found = ERRNO_REASON.search(text)
        return StoreError(f"cannot reach the SPARQL server at {url}: "
                          f"{one_line(found.group(1) if found else text)}")


def answer_formats(sparql: str) -> str:
    """The Accept header for a query: RDF for CONSTRUCT and DESCRIBE, results for the rest
    (a server asked for both may answer a CONSTRUCT with results, as Virtuoso does).

    The form comes from running the query on an empty store, which only parses it; text
    Oxigraph does not parse (a server's own extensions) may get either.
    """
    try:
        probe = OxStore().query(sparql)
    except (SyntaxError, ValueError, RuntimeError, OSError):
        return ACCEPT_ANY
    return ACCEPT_RDF if isinstance(probe, QueryTriples) else ACCEPT_RESULTS


def canonical_booleans(results: QueryResult, data: bytes) -> QueryResult:
    """Results with each xsd:boolean written true or false: Virtuoso 7.2 writes "1" and "0"
    (the same values), and the embedded store, answering the same question, writes
    true and false. `data` is the answer as read, to skip the rest at a glance."""
    if b"XMLSchema#boolean" not in data or not isinstance(results, QuerySolutions):
        return results
    answer = json.loads(results.serialize(format=QueryResultsFormat.JSON))
    for row in answer["results"]["bindings"]:
        for term in row.values():
            if term.get("datatype") == XSD_BOOLEAN and term["value"] in BOOLEAN_WORDS:
                term["value"] = BOOLEAN_WORDS[term["value"]]
    return parse_query_results(json.dumps(answer).encode(), format=QueryResultsFormat.JSON)


def as_query_triples(triples: Iterable[Quad | Triple]) -> QueryResult:
    """Triples as the QueryTriples a CONSTRUCT on the embedded store returns."""
    scratch = OxStore()
    scratch.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


def server_said(error: SPARQLWrapperException) -> str:
    """The server's own words, which SPARQLWrapper keeps only inside its message."""
    text = str(error)
    if "Response:\n" not in text:
        return text
    said = text.split("Response:\n", 1)[1]
    try:
        return ast.literal_eval(said).decode("utf-8", "replace")
    except (ValueError, SyntaxError, AttributeError):
        return said


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Any message as one line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
