"""Reading a request body whole, or refusing it whole when it is over the limit.

Flask/Werkzeug bound a body by ``MAX_CONTENT_LENGTH``, but a body without a Content-Length
(``Transfer-Encoding: chunked``) was silently *cut* at that many bytes and the prefix handed on as
if it were the whole body: a 24 MB chunked N-Triples upload stored its first 16 MiB with 201, and
a chunked ``DELETE DATA …; INSERT DATA …`` committed the delete and lost the insert. Here the
server's own decoded input stream is read up to one byte past the limit; a longer body -- whatever
its framing -- is refused before anything parses or executes it.
"""

from __future__ import annotations

import io

from flask import request

_CHUNK = 1 << 20


class BodyTooLarge(Exception):
    """The request body is longer than the endpoint accepts (HTTP 413); nothing was done with it."""


def read_body(limit: int) -> bytes:
    """The complete request body, or ``BodyTooLarge`` if it has more than ``limit`` bytes.

    The body read is put back as the request's input, so Werkzeug's form and file parsing (and
    ``request.get_data``) then see exactly these bytes.
    """
    declared = request.content_length
    if declared is not None and declared > limit:
        raise BodyTooLarge(f"The request body ({declared:,} bytes) is larger than the limit of {limit:,} bytes.")
    environ = request.environ
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    remaining = limit + 1 if declared is None else declared  # a Content-Length body ends there (HTTP)
    parts: list[bytes] = []
    while remaining > 0:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    data = b"".join(parts)
    if len(data) > limit:
        raise BodyTooLarge(f"The request body is larger than the limit of {limit:,} bytes.")
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("wsgi.input_terminated", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return data
