"""/upload: add a communiqué through the page, for a client holding the write token.

The file goes through the same reader and extraction as `bilat load`, and its graph is
written in one transaction (replace_graph), so a bad file leaves the store as it was and a
file uploaded again replaces its own graph. spaCy's models load on the first upload.
"""

from __future__ import annotations

import threading
from pathlib import PurePosixPath

from flask import Blueprint, Response, redirect, render_template, request, url_for

from bilat.graph import StoreError
from bilat.loaders.pipeline import extract
from bilat.loaders.reader import MAX_BYTES, ReadError, parse_communique
from bilat.ontology import ID
from bilat.webapp.access import AccessDenied, check_write_access, writes_allowed
from bilat.webapp.db import get_store
from bilat.webapp.deadline import get_runner

bp = Blueprint("upload", __name__)

FIELD = "communique"  # the form's file field
# spaCy pipelines are not shared safely between threads: one extraction at a time.
EXTRACTING = threading.Lock()


class UploadRefused(Exception):
    """An upload that stores nothing: its status and a one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(UploadRefused)
def refused(error: UploadRefused) -> tuple[str, int]:
    """The form again, with the reason above it."""
    return form(error.message, error.status), error.status


@bp.errorhandler(AccessDenied)
def denied(error: AccessDenied) -> tuple[str, int, dict[str, str]]:
    """401 (the form again, with the challenge) or 403 on a read-only server."""
    if error.status == 403:
        page = render_template("error.html", status=403, title="Forbidden", message=error.message)
        return page, 403, {}
    return form(error.message, error.status), error.status, error.headers


@bp.get("/upload")
def upload_form() -> str:
    """The form: a communiqué file and the write token."""
    if not writes_allowed():
        check_write_access()  # raises the read-only 403
    return form()


@bp.post("/upload")
def upload() -> Response:
    """Read, extract and store the uploaded communiqué; then show its page."""
    check_write_access()
    file = request.files.get(FIELD)
    if file is None or not file.filename:
        raise UploadRefused(400, "choose a communiqué file (.txt) to upload")
    # the name alone, as `bilat load` records it: the same file gives the same IRIs
    name = PurePosixPath(file.filename.replace("\\", "/")).name
    raw = file.read(MAX_BYTES + 1)
    try:
        communique = parse_communique(raw, name)
        with EXTRACTING:
            loaded = extract(communique)
    except ReadError as error:
        raise UploadRefused(400, f"{name}: {error}") from error
    store = get_store()
    try:
        store.load_vocabulary()
        store.replace_graph(loaded.graph, loaded.quads)
        # the questions find rows through the aggregates graph (queries/aggregates/)
        store.refresh_aggregates()
    except StoreError as error:
        raise UploadRefused(500, f"{name} was not stored: {error}") from error
    finally:
        get_runner().bump()
    rest = loaded.graph.value[len(str(ID)) :]
    return redirect(url_for("entities.entity", rest=rest), code=303)


def form(message: str | None = None, status: int = 200) -> str:
    """The upload page, with an error message when there is one."""
    return render_template("upload.html", message=message, status=status, field=FIELD)
