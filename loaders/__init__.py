"""Text -> triples: reading a communiqué and extracting actors, statements, events,
commitments and topics into its own named graph. Loaders never touch the store."""

from bilat.loaders.pipeline import Loaded, extract, load_file
from bilat.loaders.reader import ReadError, read_communique

__all__ = ["Loaded", "ReadError", "extract", "load_file", "read_communique"]
