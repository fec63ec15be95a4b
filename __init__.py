"""bilat: a knowledge graph of bilateral relations, built from communiqués."""

__version__ = "0.1.0"
