"""Quad stores the application reads and writes through: embedded Oxigraph or any SPARQL 1.1 endpoint."""
