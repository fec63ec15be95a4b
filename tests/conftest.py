"""Shared fixtures: a real in-memory Oxigraph store holding the vocabulary and a fixture dataset."""

from pathlib import Path

import pytest

from bilat.graph import Store

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def fixture_store() -> Store:
    """An in-memory store with the vocabulary graph and tests/data/fixture.trig."""
    store = Store()
    store.load_vocabulary()
    store.import_file(DATA / "fixture.trig")
    return store


@pytest.fixture
def app(fixture_store):
    """The web app on the fixture store."""
    from bilat.webapp import create_app

    return create_app({"TESTING": True, "STORE": fixture_store})


@pytest.fixture
def client(app):
    """A test client of the web app."""
    return app.test_client()
