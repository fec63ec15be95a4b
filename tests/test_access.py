"""Access: read-only by default; with a write token, SPARQL UPDATE and uploads need it."""

import json
import shutil

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

from bilat.cli import main
from bilat.webapp import create_app

from conftest import REPO
from servers import serve_app

TOKEN = "correct-horse-battery-staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SEED = REPO / "examples" / "seed-2026-01-16-us-mx-soberania.txt"
SEED_GRAPH = NamedNode("https://w3id.org/bilat/id/communique/seed-2026-01-16-us-mx-soberania")
NEW = "<https://w3id.org/bilat/id/test/thing>"
INSERT = f'INSERT DATA {{ GRAPH {NEW} {{ {NEW} rdfs:label "a new thing" }} }}'
ASK_NEW = f'ASK {{ {NEW} rdfs:label "a new thing" }}'


@pytest.fixture
def writable(fixture_store):
    """The app on the fixture store, started with a write token."""
    return create_app({"TESTING": True, "STORE": fixture_store, "WRITE_TOKEN": TOKEN})


@pytest.fixture
def writer(writable):
    return writable.test_client()


def asks(client, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    return json.loads(response.data)["boolean"]


def update(client, text: str, headers=None, how: str = "direct"):
    if how == "form":
        return client.post("/sparql", data={"update": text}, headers=headers)
    return client.post(
        "/sparql", data=text, content_type="application/sparql-update", headers=headers
    )


def upload(client, name: str, data: bytes, token: str | None = TOKEN, headers=None):
    import io

    form = {"communique": (io.BytesIO(data), name)}
    if token is not None:
        form["token"] = token
    return client.post("/upload", data=form, content_type="multipart/form-data", headers=headers)


# --- read-only by default --------------------------------------------------------------


def test_without_a_token_every_write_is_a_403(client, fixture_store):
    before = set(fixture_store.quads())
    for response in (
        update(client, INSERT, AUTH),
        update(client, INSERT, AUTH, how="form"),
        client.get("/upload"),
        upload(client, SEED.name, SEED.read_bytes()),
    ):
        assert response.status_code == 403
        assert "read-only" in response.get_data(as_text=True)
    assert set(fixture_store.quads()) == before
    assert 'href="/upload"' not in client.get("/").get_data(as_text=True)


# --- the token -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [None, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
     {"Authorization": f"Bearer {TOKEN}x"}],
)
@pytest.mark.parametrize("how", ["direct", "form"])
def test_an_update_without_the_right_token_is_a_401(writer, fixture_store, headers, how):
    before = set(fixture_store.quads())
    response = update(writer, INSERT, headers, how)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="bilat"'
    assert response.get_data(as_text=True).count("\n") == 1
    assert set(fixture_store.quads()) == before


@pytest.mark.parametrize("how", ["direct", "form"])
def test_an_update_with_the_token_changes_the_store(writer, how):
    assert not asks(writer, ASK_NEW)
    response = update(writer, INSERT, AUTH, how)
    assert response.status_code == 204
    assert asks(writer, ASK_NEW)
    delete = f"DELETE WHERE {{ GRAPH {NEW} {{ ?s ?p ?o }} }}"
    assert update(writer, delete, AUTH, how).status_code == 204
    assert not asks(writer, ASK_NEW)


def test_a_malformed_update_is_a_400_with_the_parsers_message(writer, fixture_store):
    before = set(fixture_store.quads())
    response = update(writer, "INSERT DATA { <urn:a> <urn:b> ", AUTH)
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert message.startswith("bad SPARQL update (bilat checks every update with rdflib first)")
    assert message.count("\n") == 1
    assert set(fixture_store.quads()) == before


def test_with_service_allowed_the_stores_parser_answers(fixture_store):
    app = create_app(
        {"TESTING": True, "STORE": fixture_store, "WRITE_TOKEN": TOKEN, "ALLOW_SERVICE": True}
    )
    response = update(app.test_client(), "INSERT DATA { <urn:a> <urn:b> ", AUTH)
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("bad SPARQL update: error at 1:")


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://127.0.0.1:1/data.ttl>",
        "LOAD SILENT <http://127.0.0.1:1/data.ttl> INTO GRAPH <urn:g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    ],
)
def test_load_and_service_in_updates_are_off(writer, fixture_store, text):
    before = set(fixture_store.quads())
    response = update(writer, text, AUTH)
    assert response.status_code == 403
    assert "LOAD and SERVICE are off" in response.get_data(as_text=True)
    assert set(fixture_store.quads()) == before


def test_an_update_sent_as_a_query_is_a_400_when_writes_are_on(writer):
    response = writer.post("/sparql", data={"query": INSERT}, headers=AUTH)
    assert response.status_code == 400
    assert "send it as update=" in response.get_data(as_text=True)
    assert not asks(writer, ASK_NEW)


def test_an_update_by_get_is_a_405(writer):
    response = writer.get("/sparql", query_string={"update": INSERT}, headers=AUTH)
    assert response.status_code == 405
    assert not asks(writer, ASK_NEW)


# --- SERVICE ---------------------------------------------------------------------------


@pytest.fixture
def other_endpoint(app, monkeypatch) -> str:
    """Another bilat app (the read-only fixture app) served on 127.0.0.1: its /sparql URL."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with serve_app(app) as url:
        yield f"{url}/sparql"


def test_service_runs_only_when_allowed(fixture_store, other_endpoint):
    query = (
        f"SELECT DISTINCT ?label WHERE {{ SERVICE <{other_endpoint}> "
        "{ id:actor\\/marco-rubio rdfs:label ?label } }"
    )
    closed = create_app({"TESTING": True, "STORE": fixture_store}).test_client()
    response = closed.get("/sparql", query_string={"query": query})
    assert response.status_code == 403
    assert "--allow-service" in response.get_data(as_text=True)
    opened = create_app({"TESTING": True, "STORE": fixture_store, "ALLOW_SERVICE": True})
    response = opened.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    rows = json.loads(response.data)["results"]["bindings"]
    assert [row["label"]["value"] for row in rows] == ["Marco Rubio"]


# --- upload ----------------------------------------------------------------------------


def test_the_upload_form_and_its_nav_link(writer):
    page = writer.get("/upload").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="communique"' in page and 'name="token"' in page
    assert 'href="/upload"' in writer.get("/").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_an_upload_without_the_right_token_is_a_401(writer, fixture_store, token):
    before = set(fixture_store.quads())
    response = upload(writer, SEED.name, SEED.read_bytes(), token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="bilat"'
    assert set(fixture_store.quads()) == before


def test_an_upload_stores_the_communique_and_shows_its_page(writer, fixture_store, tmp_path):
    copy = tmp_path / SEED.name
    shutil.copy(SEED, copy)
    assert not fixture_store.has_graph(SEED_GRAPH)
    response = upload(writer, copy.name, copy.read_bytes())
    assert response.status_code == 303
    assert response.headers["Location"] == "/id/communique/seed-2026-01-16-us-mx-soberania"
    assert fixture_store.has_graph(SEED_GRAPH)
    quads = set(fixture_store.quads(SEED_GRAPH))
    assert len(quads) > 50
    page = writer.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Marco Rubio" in page.get_data(as_text=True)
    # again, by the Bearer header this time: the same graph, replaced, not doubled
    again = upload(writer, copy.name, copy.read_bytes(), token=None, headers=AUTH)
    assert again.status_code == 303
    assert set(fixture_store.quads(SEED_GRAPH)) == quads


@pytest.mark.parametrize(
    ("name", "data", "status", "says"),
    [
        ("binary.txt", bytes(range(256)) * 4, 400, "binary.txt: "),
        ("empty.txt", b"", 400, "the file is empty"),
        ("nodate.txt", b"Los gobiernos de Mexico y Chile firmaron un acuerdo.", 400,
         "no publication date"),
        ("page.txt", b"<!doctype html><html><body>hi</body></html>", 400, "HTML page"),
        ("huge.txt", b"date 2026-01-01\n" + b"palabra " * 200_000, 413, ""),
        ("", b"date 2026-01-01\nTexto.", 400, "choose a communiqu"),
    ],
)
def test_a_bad_upload_is_refused_and_the_store_unchanged(
    writer, fixture_store, name, data, status, says
):
    before = set(fixture_store.quads())
    response = upload(writer, name, data)
    assert response.status_code == status
    assert says in response.get_data(as_text=True)
    assert set(fixture_store.quads()) == before


def test_html_in_an_uploaded_communique_is_shown_as_text(writer):
    text = (
        "date 2026-01-20\n"
        "El canciller de México, Juan Ramón de la Fuente, afirmó que "
        "<script>alert('x')</script> la cooperación en seguridad debe dar resultados.\n"
    )
    response = upload(writer, "script-test.txt", text.encode())
    assert response.status_code == 303
    body = writer.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body


# --- the command line --------------------------------------------------------------------


def test_serve_refuses_a_missing_or_empty_token_file(tmp_path):
    missing = tmp_path / "nope.token"
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "serve", "--write-token-file", str(missing)]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: cannot read the write token file {missing}: " \
        "No such file or directory\n"
    empty = tmp_path / "empty.token"
    empty.write_text("\n")
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "serve", "--write-token-file", str(empty)]
    )
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "is empty" in result.output


def test_serve_refuses_a_public_host_without_the_flag(tmp_path):
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "serve", "--host", "0.0.0.0"]
    )
    assert result.exit_code == 1 and "--public" in result.output
