"""Saved SPARQL queries (.rq files with a #+ YAML header), offered as canned questions."""
