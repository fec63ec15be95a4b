"""The `bilat` command: load, query, export, import, serve, stats, validate, evaluate."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pyoxigraph import NamedNode, QueryBoolean, QueryTriples

from bilat.graph import RemoteStore, Store, StoreError, write_result
from bilat.graph import open_store as open_location
from bilat.graph.aggregates import Progress
from bilat.graph.formats import RDF_FORMATS, rdf_format

if TYPE_CHECKING:
    from bilat.queries.paging import Search

DEFAULT_STORE = os.environ.get("BILAT_STORE", "data/store")


def fail(message: str) -> None:
    raise click.ClickException(message)


class StoreErrors(click.Group):
    """Commands whose store fails mid-way (a server gone, a full disk) end with its one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except StoreError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=StoreErrors)
@click.option(
    "--store",
    "store_path",
    default=DEFAULT_STORE,
    show_default=True,
    help="The store folder, a SPARQL server's query URL, or a .toml file naming the server "
    "(or set BILAT_STORE; see \"A remote store\" in the README).",
)
@click.pass_context
def main(ctx: click.Context, store_path: str) -> None:
    """bilat: a knowledge graph of bilateral relations, built from communiqués."""
    ctx.obj = store_path


def open_store(ctx: click.Context, read_only: bool = False) -> Store | RemoteStore:
    try:
        return open_location(ctx.obj, read_only=read_only)
    except StoreError as error:
        fail(str(error))


def communique_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    """The files named, and every .txt file under the folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.txt") if p.is_file())
        else:
            yield path


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", "-j", default=1, show_default=True,
              help="Worker processes for the language processing.")
@click.pass_context
def load(ctx: click.Context, paths: tuple[Path, ...], workers: int) -> None:
    """Extract communiqués (files or folders of .txt) into the store, one graph each."""
    from bilat.loaders.batch import load_many

    files = list(communique_files(paths))
    failed: list[str] = []
    stored = quads = 0
    stopped = None
    try:
        # closing: a load stopped early must not wait for the workers to extract the rest
        with open_store(ctx) as store, closing(load_many(files, workers)) as results:
            store.load_vocabulary()
            with click.progressbar(results, length=len(files), label="Loading",
                                   file=sys.stderr, show_pos=True) as bar:
                for path, loaded in bar:
                    if isinstance(loaded, str):
                        failed.append(f"{path}: {loaded}")
                        continue
                    # one transaction per communiqué: a reader or a crash sees all or none
                    try:
                        store.replace_graph(loaded.graph, loaded.quads)
                    except StoreError as error:
                        raise StoreError(f"stopped at {path}, not stored: {error}") from error
                    stored += 1
                    quads += len(loaded.quads)
            # the summary questions read precomputed rows (queries/aggregates/)
            with summarizing() as progress:
                store.refresh_aggregates(progress)
    except StoreError as error:  # a full disk: what was stored before it stays whole
        stopped = f"{error} (the {stored} communiqués stored before that are whole)"
    except OSError as error:  # the same, from a write the store did not word
        stopped = (f"cannot write to the store {ctx.obj}: {' '.join(str(error).split())} "
                   f"(the {stored} communiqués stored before that are whole)")
    for line in failed:
        click.echo(f"error: {line}", err=True)
    click.echo(f"loaded {stored} of {len(files)} communiqués ({quads} quads)")
    if stopped:
        fail(stopped)
    if failed:
        sys.exit(1)


@contextmanager
def summarizing() -> Iterator[Progress]:
    """A progress bar on stderr for the aggregates refresh, which takes minutes after the
    last communiqué of a big archive is stored."""
    bar = None

    def progress(name: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Summarizing", file=sys.stderr,
                                    show_pos=True)
            bar.render_progress()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.render_finish()


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--graph", help="Named graph IRI for triples (Turtle, N-Triples).")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], graph: str | None) -> None:
    """Import RDF files (.ttl .trig .nt .nq .jsonld) as they are."""
    target = NamedNode(graph) if graph else None
    with open_store(ctx) as store:
        imported = False
        try:
            for path in files:
                try:
                    count = store.import_file(path, target, refresh=False)
                except (StoreError, ValueError) as error:
                    fail(str(error))
                except OSError as error:  # a folder, an unreadable file, a full disk
                    fail(f"{path}: {error.strerror or ' '.join(str(error).split())}")
                imported = True
                click.echo(f"imported {count} quads from {path}")
        finally:  # once, after the last file imported: the refresh reads the whole dataset
            if imported:
                with summarizing() as progress:
                    store.refresh_aggregates(progress)


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(RDF_FORMATS)), default="trig",
              show_default=True)
@click.option("--graph", help="Export one named graph (a communiqué's IRI).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to a file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, graph: str | None, output: Path | None) -> None:
    """Export the dataset or one graph as Turtle, TriG, N-Triples, N-Quads or JSON-LD."""
    with open_store(ctx, read_only=True) as store:
        target = NamedNode(graph) if graph else None
        try:
            if output is None:
                store.export(sys.stdout.buffer, rdf_format(fmt), target)
            else:
                with output.open("wb") as out:
                    store.export(out, rdf_format(fmt), target)
        except StoreError as error:
            fail(str(error))


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the saved query; repeat for several.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "tsv", "xml",
              "turtle", "nt", "jsonld"]), default="table", show_default=True)
@click.pass_context
def query(ctx: click.Context, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a saved query (by name, see `bilat queries`) or a .rq file."""
    from bilat.queries.catalogue import ParameterError, load_catalogue, read_query
    from bilat.queries.paging import reader, rows_query, whole_rows

    try:
        saved = read_query(Path(name)) if name.endswith(".rq") else load_catalogue()[name]
    except KeyError:
        fail(f"no saved query {name!r}; `bilat queries` lists them")
    except (OSError, ValueError) as error:
        fail(str(error))
    raw = dict(p.split("=", 1) for p in params if "=" in p)
    if len(raw) != len(params):
        fail("parameters are given as --param NAME=VALUE")
    with open_store(ctx, read_only=True) as store:
        try:
            bound = saved.bind(raw)
            found = whole_rows(saved, bound, reader(store.query), text_search(store))
            # rows read through the full-text index, as a result of their own
            result = Store().query(*rows_query(*found)) if found else store.query(
                saved.sparql, bound)
            if fmt == "table":
                print_table(result)
            else:
                write_result(result, sys.stdout.buffer, fmt)
        except (ParameterError, StoreError, ValueError, KeyError) as error:
            fail(str(error))


def text_search(store: Store | RemoteStore) -> Search | None:
    """The store's full-text index lookup (queries/paging.py); a SPARQL server has none."""
    index = store.text_index() if isinstance(store, Store) else None
    return index.first if index is not None else None


def print_table(result: object) -> None:
    """A SELECT result as aligned columns; ASK as yes/no; graphs as N-Triples lines."""
    if isinstance(result, QueryBoolean):
        click.echo("yes" if bool(result) else "no")
        return
    if isinstance(result, QueryTriples):
        for triple in result:
            click.echo(f"{triple} .")
        return
    names = [v.value for v in result.variables]
    rows = [[show(row[name]) for name in names] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    click.echo(f"({len(rows)} rows)", err=True)


def show(term: object) -> str:
    return "" if term is None else getattr(term, "value", str(term))


@main.command()
def queries() -> None:
    """List the saved queries and their parameters."""
    from bilat.queries.catalogue import load_catalogue

    for name, saved in sorted(load_catalogue().items()):
        params = " ".join(f"{p}=<{spec.type}>" for p, spec in saved.params.items())
        click.echo(f"{name:32} {saved.title}  {params}")


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--public", is_flag=True, help="Allow a --host other than this machine's loopback.")
@click.option("--timeout", default=10.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Seconds a /sparql query may run before it is stopped.")
@click.option("--write-token-file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file holding the token that uploads and SPARQL updates must carry "
                   "(or set BILAT_WRITE_TOKEN); without one the server is read-only.")
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE queries and LOAD updates make the server fetch URLs.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, public: bool, timeout: float,
          write_token_file: Path | None, allow_service: bool) -> None:
    """Serve the web page of canned questions."""
    from bilat.webapp import create_app

    if host not in LOOPBACK and not public:
        fail(f"--host {host} would let other machines in: add --public if that is meant")
    # the token is read from a file or the environment, never taken as an argument:
    # every user of the machine can read a command line (ps)
    token = read_token(write_token_file) if write_token_file else os.environ.get(
        "BILAT_WRITE_TOKEN"
    )
    store = open_store(ctx)
    app = create_app({"STORE": store, "QUERY_TIMEOUT": timeout, "WRITE_TOKEN": token or None,
                      "ALLOW_SERVICE": allow_service})
    access = "uploads and updates with the write token" if token else "read-only"
    click.echo(f"bilat on http://{host}:{port}/  (store {ctx.obj}, {access})", err=True)
    try:
        app.run(host=host, port=port, threaded=True)
    finally:
        store.close()


def read_token(path: Path) -> str:
    """The write token: the file's content without surrounding white space."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read the write token file {path}: {getattr(error, 'strerror', error)}")
    if not token:
        fail(f"the write token file {path} is empty")
    return token


STATS_BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?count) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(bilat:)))
} GROUP BY ?class ORDER BY ?class"""

STATS_BY_COMMUNIQUE = """
SELECT ?communique ?date
  (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?event) AS ?events)
  (COUNT(DISTINCT ?commitment) AS ?commitments)
WHERE {
  GRAPH ?communique { ?communique a bilat:Communique ; dcterms:date ?date .
    OPTIONAL { ?claim a bilat:Claim } OPTIONAL { ?event a bilat:Event }
    OPTIONAL { ?commitment a bilat:Commitment } }
} GROUP BY ?communique ?date ORDER BY ?date ?communique"""


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Counts per class and per communiqué."""
    with open_store(ctx, read_only=True) as store:
        click.echo(f"{len(store)} quads in {len(store.named_graphs())} named graphs\n")
        print_table(store.query(STATS_BY_CLASS))
        click.echo()
        print_table(store.query(STATS_BY_COMMUNIQUE))


@main.command()
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Check the store against the SHACL shapes; exit 1 on any violation."""
    from bilat.graph.validate import validate_store

    with open_store(ctx, read_only=True) as store:
        violations = validate_store(store)
    for v in violations:
        click.echo(f"{v.severity}: {v.focus}\n  {v.path or '(node)'}: {v.message}")
        click.echo(f"  shape {v.shape}")
    if violations:
        click.echo(f"{len(violations)} results: the store does not conform", err=True)
        sys.exit(1)
    click.echo("the store conforms to ontology/shapes.ttl")


@main.command()
@click.argument("gold_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--verbose", "-v", is_flag=True,
              help="List per communiqué each gold item missed and each false extraction.")
def evaluate(gold_dir: Path, as_json: bool, verbose: bool) -> None:
    """Score the loaders against gold annotations (NAME.txt beside NAME.gold.json)."""
    import json

    from bilat import evaluation

    try:
        result = evaluation.evaluate_folder(gold_dir)
    except evaluation.EvaluationError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(evaluation.as_json(result, verbose), ensure_ascii=False, indent=2))
        return
    if verbose:
        click.echo(evaluation.details(result) + "\n")
    click.echo(evaluation.table(result))
