"""The store: embedded Oxigraph; load, query, export, named graphs."""

from bilat.graph.store import Store, StoreError, write_result

__all__ = ["Store", "StoreError", "write_result"]
