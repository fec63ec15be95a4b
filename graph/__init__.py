"""The store: embedded Oxigraph, or any SPARQL 1.1 server; load, query, export, named graphs."""

from bilat.graph.location import is_remote, open_store
from bilat.graph.remote import RemoteStore
from bilat.graph.store import Store, StoreError, write_result

__all__ = ["RemoteStore", "Store", "StoreError", "is_remote", "open_store", "write_result"]
