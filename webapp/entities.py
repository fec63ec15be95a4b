"""Entity pages: what the graph says about one of bilat's IRIs, in both directions."""

from __future__ import annotations

from itertools import islice

from flask import Blueprint, abort, current_app, render_template
from pyoxigraph import NamedNode

from bilat.ontology import ID
from bilat.webapp.db import get_store

bp = Blueprint("entities", __name__)

# The bound ?entity is projected: pyoxigraph binds only projected variables.
OUTGOING = "SELECT DISTINCT ?entity ?p ?o WHERE { ?entity ?p ?o } ORDER BY ?p ?o"
INCOMING = "SELECT DISTINCT ?entity ?s ?p WHERE { ?s ?p ?entity } ORDER BY ?p ?s"


@bp.get("/id/<path:rest>")
def entity(rest: str) -> str:
    """The facts about https://w3id.org/bilat/id/<rest>: as subject and as object."""
    try:
        node = NamedNode(f"{ID}{rest}")
    except ValueError:
        abort(404, description=f"{rest!r} is not a bilat IRI.")
    most = current_app.config["ENTITY_FACTS"]
    store = get_store()
    outgoing = list(islice(store.query(OUTGOING, {"entity": node}), most))
    incoming = list(islice(store.query(INCOMING, {"entity": node}), most))
    if not outgoing and not incoming:
        abort(404, description=f"The graph says nothing about {node.value}.")
    return render_template(
        "entity.html", node=node, outgoing=outgoing, incoming=incoming, most=most
    )
