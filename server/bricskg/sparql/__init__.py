"""SPARQL-level policy of the endpoint: what a query may do (safety), which media types exist (formats)
and which one a client gets (negotiation)."""
