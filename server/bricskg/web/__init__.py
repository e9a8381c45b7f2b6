"""The Flask application: SPARQL 1.1 Protocol, Graph Store Protocol, linked-data pages and dumps."""
