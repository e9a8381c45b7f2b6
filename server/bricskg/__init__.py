"""bricskg: the claims of one article on Russia, BRICS and AI as a validated, provenance-traced knowledge graph."""

__version__ = "0.1.0"
