"""Benchmarks: bricskg side by side with Oxigraph server and rdflib-endpoint, and a scale series to a million triples."""
