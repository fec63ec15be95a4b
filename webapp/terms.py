"""RDF terms on a page: a short text, and a link (local for bilat's own IRIs)."""

from __future__ import annotations

from flask import Flask, url_for
from pyoxigraph import BlankNode, Literal, NamedNode

from bilat.ontology import ID, PREFIXES

ID_BASE = str(ID)
# Longest namespace first, so topic: wins over id: for a topic IRI.
NAMESPACES = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
LINKED_SCHEMES = ("http://", "https://")


def show(term: NamedNode | BlankNode | Literal | None) -> str:
    """A term's text: a literal's value, an IRI as prefix:name where a prefix fits."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in NAMESPACES:
            if term.value.startswith(namespace) and len(term.value) > len(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


def href(term: NamedNode | BlankNode | Literal | None) -> str | None:
    """Where a term links to: /id/... for bilat's instances, the IRI for web IRIs."""
    if not isinstance(term, NamedNode):
        return None
    if term.value.startswith(ID_BASE):
        return url_for("entities.entity", rest=term.value[len(ID_BASE) :])
    if term.value.startswith(LINKED_SCHEMES):
        return term.value
    return None


def language(term: object) -> str | None:
    """A literal's language tag, if any."""
    return term.language if isinstance(term, Literal) else None


def init_app(app: Flask) -> None:
    """Make the helpers template filters: {{ term|show }}, {{ term|href }}."""
    app.add_template_filter(show)
    app.add_template_filter(href)
    app.add_template_filter(language)
