"""The Flask front end: canned questions over the graph, each with JSON and CSV twins."""

from __future__ import annotations

from typing import Any

from flask import Flask

from bilat.webapp import (
    db,
    deadline,
    entities,
    errors,
    questions,
    sparql,
    terms,
    upload,
    views,
    why,
)

# Every setting and its default; a test (or `bilat serve`) overrides them with a dict.
DEFAULTS: dict[str, Any] = {
    "STORE": "data/store",  # a store folder, or an already opened bilat.graph.Store
    "READ_ONLY": False,  # open the store folder read-only
    "QUERIES": None,  # the folder of saved .rq queries; None: the bilat.queries package
    "PAGE_SIZE": 50,  # rows on one page of an answer, unless the URL says ?limit=
    "MAX_PAGE_SIZE": 1000,  # the largest ?limit= a page accepts
    "ENTITY_FACTS": 500,  # facts shown in each direction on an entity page
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # a larger request body gets 413: no query is that long
    "QUERY_TIMEOUT": 10,  # seconds a /sparql query may run before it is stopped (503)
    "QUERY_WORKERS": 2,  # processes that run /sparql queries on an on-disk store
    "QUEUE_TIMEOUT": 60,  # seconds a query may wait for a free worker before a 503
    "WRITE_TOKEN": None,  # None: read-only; else the token updates and uploads must carry
    "ALLOW_SERVICE": False,  # let SERVICE (and LOAD in updates) make the server fetch URLs
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app: settings, then the store, the catalogue and the blueprints."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("BILAT")  # e.g. BILAT_STORE=/srv/bilat/store
    else:
        app.config.from_mapping(test_config)
    db.init_app(app)
    deadline.init_app(app)
    questions.init_app(app)
    terms.init_app(app)
    errors.init_app(app)
    app.register_blueprint(questions.bp)
    app.register_blueprint(entities.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(why.bp)
    return app
