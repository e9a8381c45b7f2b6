"""Which representation of a described thing a client gets, by its ``Accept`` header (q-values honoured).

Werkzeug's ``MIMEAccept.best_match`` does the RFC 9110 matching (wildcards, q=0 exclusions,
specificity); this module only fixes the server's offers and their order, which decides ties:
a browser's ``text/html,…,*/*;q=0.8`` gets HTML, ``curl`` (``*/*``) gets HTML too, an RDF client
naming any RDF syntax gets that syntax.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

HTML = "text/html"

# media type offered -> file extension of the /data/ document (None: the HTML page)
OFFERS: dict[str, str | None] = {
    "text/html": None,
    "application/xhtml+xml": None,
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/trig": "trig",
    "application/n-quads": "nq",
    "application/json": "jsonld",  # JSON clients get JSON-LD, which is JSON
    "application/x-turtle": "ttl",
    "text/n3": "ttl",  # Turtle is a subset of N3
    "text/plain": "nt",  # N-Triples' former media type; rdflib asks "text/plain, */*;q=0.1" for it
}


def parse_accept(header: str | None) -> MIMEAccept:
    """A missing or empty header accepts anything (RFC 9110 §12.5.1). Media-type parameters other
    than q (a JSON-LD ``profile``) select a variant of the same type, not another type: they are
    left out here (``wants_graphs_profile`` reads the profile) so that the type still matches."""
    return parse_accept_header(_without_type_parameters(header or "*/*"), MIMEAccept)


def _without_type_parameters(header: str) -> str:
    items = []
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kept = [param for param in params if param.partition("=")[0].strip().lower() == "q"]
        items.append(";".join([media, *kept]))
    return ",".join(items)


def choose(header: str | None, offers: list[str] | None = None) -> str | None:
    """The best offered media type, or None (→ 406)."""
    return parse_accept(header).best_match(offers or list(OFFERS))


def wants_html(header: str | None) -> bool:
    """For error pages: HTML if the client takes it at all, plain text otherwise."""
    return choose(header, [HTML, "text/plain"]) == HTML


def wants_graphs_profile(header: str | None) -> bool:
    """Whether ``Accept`` asks JSON-LD with the named-graphs profile (``profile`` is a space-separated
    list of IRIs, JSON-LD 1.1 §9.1)."""
    from bricskg.jsonld_compact import GRAPHS_PROFILE

    for item in (header or "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if media.lower() not in ("application/ld+json", "application/json"):
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "profile" and GRAPHS_PROFILE in value.strip().strip('"').split():
                return True
    return False
