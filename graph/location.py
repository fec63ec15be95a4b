"""Where the store is: a folder (embedded Oxigraph) or a SPARQL 1.1 server, and its settings.

A location is one of
- a folder: the embedded store;
- an http(s) URL: the server's query endpoint (or an Oxigraph server's base URL);
- a .toml file whose [store] table names the server (see RemoteSettings).

The environment variables in ENVIRONMENT override the file, and both override the
defaults derived from the query URL.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bilat.graph.remote import RemoteStore
from bilat.graph.store import Store, StoreError

# setting name -> the environment variable that sets it
ENVIRONMENT: dict[str, str] = {
    "query": "BILAT_STORE",
    "update": "BILAT_UPDATE_URL",
    "gsp": "BILAT_GSP_URL",
    "user": "BILAT_USER",
    "password": "BILAT_PASSWORD",
    "auth": "BILAT_AUTH",
    "token": "BILAT_TOKEN",
    "timeout": "BILAT_TIMEOUT",
    "graphs": "BILAT_GRAPHS",
}
AUTH_SCHEMES = ("basic", "digest")
NO_URL = ("", "none")  # what turns off the Graph Store Protocol (graphs go by SPARQL Update)
DEFAULT_TIMEOUT = 300.0  # seconds: a large import or export can take minutes


@dataclass(frozen=True)
class RemoteSettings:
    """How to reach a SPARQL 1.1 server."""

    query: str  # the SPARQL query endpoint
    update: str  # the SPARQL update endpoint
    gsp: str | None  # the Graph Store Protocol endpoint; None: read and write graphs by SPARQL
    user: str | None = None
    password: str | None = None
    auth: str = "basic"  # or "digest"
    token: str | None = None  # sent as `Authorization: Bearer` (e.g. QLever's access token)
    timeout: float = DEFAULT_TIMEOUT
    # the IRI prefix of the dataset's named graphs; "": every graph and the default graph.
    # Set, the rest of the server is not bilat's (other data, Virtuoso's system graphs).
    graphs: str = ""


def is_url(location: str | os.PathLike) -> bool:
    return str(location).startswith(("http://", "https://"))


def is_remote(location: str | os.PathLike) -> bool:
    """Whether the location names a SPARQL server (a URL, or a .toml file), not a folder."""
    return is_url(location) or str(location).endswith(".toml")


def open_store(location: str | os.PathLike, read_only: bool = False) -> Store | RemoteStore:
    """The store at `location`: an embedded Store for a folder, else a RemoteStore."""
    if is_remote(location):
        return RemoteStore(remote_settings(location), read_only=read_only)
    return Store(location, read_only=read_only)


def remote_settings(
    location: str | os.PathLike, environ: Mapping[str, str] | None = None
) -> RemoteSettings:
    """The settings for a URL or a .toml file, with the environment's overrides."""
    environ = os.environ if environ is None else environ
    from_file = not is_url(location)
    given = read_config(Path(location)) if from_file else {"query": str(location)}
    for name, variable in ENVIRONMENT.items():
        if name != "query" and environ.get(variable):
            given[name] = environ[variable]
    if not given.get("query"):
        raise StoreError(f"{location}: the [store] table has no query URL")
    return settings_from(given, str(location), literal_query=from_file)


def read_config(path: Path) -> dict[str, object]:
    """The [store] table of a TOML file."""
    try:
        with path.open("rb") as file:
            table = tomllib.load(file).get("store")
    except OSError as error:
        raise StoreError(f"cannot read the store settings {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"{path}: not valid TOML: {error}") from error
    if not isinstance(table, dict):
        raise StoreError(f"{path}: no [store] table (it names the SPARQL server)")
    unknown = sorted(set(table) - set(ENVIRONMENT))
    if unknown:
        raise StoreError(
            f"{path}: unknown setting {unknown[0]!r} in [store]; known: {', '.join(ENVIRONMENT)}"
        )
    return dict(table)


def settings_from(
    given: Mapping[str, object], where: str, literal_query: bool = False
) -> RemoteSettings:
    """Check the settings and fill in the defaults derived from the query URL (which a
    settings file gives as it is: a server whose one URL takes everything, like QLever's)."""
    query = str(given["query"])
    if not is_url(query):
        raise StoreError(f"{where}: the query URL {query!r} is not an http(s) URL")
    derived, update, gsp = derived_urls(query)
    query = query if literal_query else derived
    if "update" in given:
        update = str(given["update"])
    if "gsp" in given:
        gsp = None if str(given["gsp"]).lower() in NO_URL else str(given["gsp"])
    for name, url in (("update", update), ("gsp", gsp)):
        if url is not None and not is_url(url):
            raise StoreError(f"{where}: the {name} URL {url!r} is not an http(s) URL")
    auth = str(given.get("auth") or "basic").lower()
    if auth not in AUTH_SCHEMES:
        raise StoreError(f"{where}: auth must be one of {', '.join(AUTH_SCHEMES)}, not {auth!r}")
    try:
        timeout = float(given.get("timeout") or DEFAULT_TIMEOUT)  # type: ignore[arg-type]
    except ValueError:
        raise StoreError(f"{where}: the timeout must be a number of seconds") from None
    if timeout <= 0:
        raise StoreError(f"{where}: the timeout must be a number of seconds above 0")
    return RemoteSettings(
        query=query,
        update=update,
        gsp=gsp,
        user=_text(given.get("user")),
        password=_text(given.get("password")),
        auth=auth,
        token=_text(given.get("token")),
        timeout=timeout,
        graphs=str(given.get("graphs") or ""),
    )


def derived_urls(query: str) -> tuple[str, str, str | None]:
    """The (query, update, GSP) URLs a query URL implies.

    A URL with no path is an Oxigraph server's base: /query, /update and /store. A URL
    ending in /query has /update and /store beside it (Oxigraph's layout). Any other URL
    takes updates itself (Virtuoso, Fuseki's dataset URL, Neptune, QLever) and has no
    Graph Store Protocol unless one is set.
    """
    parts = urlsplit(query)
    path = parts.path.rstrip("/")
    if not path:
        base = urlunsplit(parts._replace(path="", query="", fragment=""))
        return f"{base}/query", f"{base}/update", f"{base}/store"
    if path.endswith("/query") and not parts.query:
        base = urlunsplit(parts._replace(path=path.removesuffix("/query")))
        return query, f"{base}/update", f"{base}/store"
    return query, query, None


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
