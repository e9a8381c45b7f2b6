"""Full-text search over the graph: labels, alternative labels and the quoted sentences.

``documents`` says what is searchable and reads it from any ``Backend`` with SPARQL; ``index`` keeps
it in an SQLite FTS5 table (ranked with BM25, faceted by type and language); ``service`` keeps the
index in step with the store by replaying the audit log of writes, graph by graph.
"""
