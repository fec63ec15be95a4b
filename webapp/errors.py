"""Error pages: what went wrong, with the status a client can act on."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from bilat.graph import StoreError
from bilat.queries.catalogue import ParameterError


def init_app(app: Flask) -> None:
    """Register the handlers: bad parameters and bad queries are the client's (400)."""
    app.register_error_handler(ParameterError, bad_request)
    app.register_error_handler(StoreError, bad_request)
    app.register_error_handler(HTTPException, http_error)


def bad_request(error: Exception) -> tuple[str, int]:
    """A parameter or query the store refused: 400 with its message."""
    return render_template("error.html", status=400, title="Bad request", message=str(error)), 400


def http_error(error: HTTPException) -> tuple[str, int]:
    """Not found and the other HTTP errors, on the site's own page."""
    status = error.code or 500
    return render_template(
        "error.html", status=status, title=error.name, message=error.description
    ), status
