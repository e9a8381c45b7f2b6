"""The mapping between the graph's IRIs and the paths this server answers them at.

Every IRI under ``config.base_iri`` (``https://w3id.org/bricskg/``) is served at the same path below
the server's root: ``…/id/russia`` at ``/id/russia``. A w3id.org redirect of the whole namespace to
the server therefore makes every IRI dereferenceable, and a test server on 127.0.0.1 answers the
same IRIs at the same paths. The descriptions live beside them (Cool URIs, 303 recipe):
``/page/<rest>`` is the HTML document about ``<base><rest>``, ``/data/<rest>.<ext>`` the RDF one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

# The first path segments that name things in the graph (not documents about them).
THING_SEGMENTS: tuple[str, ...] = ("id", "ontology", "claim", "source", "graph")

# File extension of a /data/ document -> (media type, rdflib serialiser name, keeps named graphs)
DATA_EXTENSIONS: dict[str, tuple[str, str, bool]] = {
    "ttl": ("text/turtle", "turtle", False),
    "nt": ("application/n-triples", "nt", False),
    "rdf": ("application/rdf+xml", "xml", False),
    "jsonld": ("application/ld+json", "json-ld", True),
    "trig": ("application/trig", "trig", True),
    "nq": ("application/n-quads", "nquads", True),
}

MEDIA_TYPE_EXTENSIONS: dict[str, str] = {media: ext for ext, (media, _, _) in DATA_EXTENSIONS.items()}


@dataclass(frozen=True)
class IriSpace:
    """Translate between IRIs in one namespace and local paths."""

    base: str  # ends with "/"

    def contains(self, iri: str) -> bool:
        return iri.startswith(self.base) and self.rest_of(iri) is not None

    def rest_of(self, iri: str) -> str | None:
        """``id/russia`` for ``<base>id/russia``; None for IRIs outside the served segments."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        head = rest.split("/", 1)[0].split("#", 1)[0]
        return rest if head in THING_SEGMENTS else None

    def iri_for(self, rest: str) -> str:
        """The IRI a request path names; paths arrive percent-decoded, IRIs keep unreserved UTF-8."""
        return self.base + rest

    def thing_path(self, iri: str) -> str | None:
        """The local path that resolves ``iri`` (fragment dropped: the browser keeps it)."""
        rest = self.rest_of(iri)
        if rest is None:
            return None
        path, _, fragment = rest.partition("#")
        local = "/" + quote(path, safe="/:@!$&'()*+,;=-._~")
        return local + ("#" + quote(fragment, safe="") if fragment else "")

    def page_path(self, iri: str) -> str | None:
        rest = self.rest_of(iri)
        if rest is None:
            return None
        return "/page/" + quote(rest.partition("#")[0], safe="/:@!$&'()*+,;=-._~")

    def data_path(self, iri: str, extension: str) -> str | None:
        rest = self.rest_of(iri)
        if rest is None:
            return None
        return "/data/" + quote(rest.partition("#")[0], safe="/:@!$&'()*+,;=-._~") + "." + extension


def split_data_path(path: str) -> tuple[str, str] | None:
    """``("id/russia", "ttl")`` for ``id/russia.ttl``; None when the extension names no RDF syntax."""
    stem, dot, extension = unquote(path).rpartition(".")
    if not dot or extension not in DATA_EXTENSIONS:
        return None
    return stem, extension
