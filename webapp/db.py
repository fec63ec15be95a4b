"""The web app's store: opened once per application and shared by every request."""

from __future__ import annotations

import atexit
import os

from flask import Flask, current_app

from bilat.graph import RemoteStore, Store, open_store

EXTENSION = "bilat.store"


def init_app(app: Flask) -> None:
    """Open the store named by STORE (a folder, a SPARQL server's URL, a .toml file naming
    one; or take the store object given) for the app's life.

    Unlike the per-request connection of Flask's tutorial (flaskr/db.py), the store is
    opened once: pyoxigraph's Store is thread-safe, so requests share it, and an on-disk
    store can be opened read-write by only one process at a time, so opening it on each
    request would find it locked (or replay its write-ahead log every time).
    """
    store = app.config["STORE"]
    if isinstance(store, str | os.PathLike):
        store = open_store(store, read_only=app.config["READ_ONLY"])
        atexit.register(store.close)
    app.extensions[EXTENSION] = store


def get_store() -> Store | RemoteStore:
    """The current app's store."""
    return current_app.extensions[EXTENSION]
