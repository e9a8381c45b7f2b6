"""The HTTP front of ``bricskg serve``: how requests are read, admitted and handed to the app.

``worker`` is the gunicorn worker class (requests read completely, with deadlines, before a thread
sees them); ``request_reader`` decides when a request is complete; ``replies`` writes the answers
the front gives itself (plain text). See docs/endpoint.md ("The front") for why this front.
"""
