"""The mapping between the graph's IRIs and the paths this server answers them at.

Every IRI under ``config.base_iri`` (``https://w3id.org/bricskg/``) is served at the same path below
the server's root: ``…/id/russia`` at ``/id/russia``. A w3id.org redirect of the whole namespace to
the server therefore makes every IRI dereferenceable, and a test server on 127.0.0.1 answers the
same IRIs at the same paths. The descriptions live beside them (Cool URIs, 303 recipe):
``/page/<rest>`` is the HTML document about ``<base><rest>``, ``/data/<rest>.<ext>`` the RDF one.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

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
        local = "/" + iri_to_uri(path)
        return local + ("#" + iri_to_uri(fragment) if fragment else "")

    def page_path(self, iri: str) -> str | None:
        rest = self.rest_of(iri)
        if rest is None:
            return None
        return "/page/" + iri_to_uri(rest.partition("#")[0])

    def data_path(self, iri: str, extension: str) -> str | None:
        rest = self.rest_of(iri)
        if rest is None:
            return None
        return "/data/" + iri_to_uri(rest.partition("#")[0]) + "." + extension


def split_data_path(path: str) -> tuple[str, str] | None:
    """``("id/russia", "ttl")`` for ``id/russia.ttl``; None when the extension names no RDF syntax.

    ``path`` is in IRI form (see ``uri_to_iri``): decoding it again would turn the ``%20`` of an IRI
    into a space and name another IRI."""
    stem, dot, extension = path.rpartition(".")
    if not dot or extension not in DATA_EXTENSIONS:
        return None
    return stem, extension


# --- IRI <-> URI path conversion (RFC 3987 §3.1 and §3.2) -------------------------------------------
#
# An IRI of the data may hold percent-encodings of its own (``…/id/sp%20ace``): they are part of the
# IRI and must reach the wire unchanged, not encoded again (``%2520``). The other direction decodes
# only what an IRI may hold literally (unreserved ASCII, non-ASCII UTF-8), so ``/id/sp%20ace`` names
# ``…/id/sp%20ace`` and ``/id/s%C3%A3o`` names ``…/id/são``.

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# ASCII an IRI path may hold literally (RFC 3987 ipchar and "/"; a "?" would start a query), besides escapes.
_IRI_ASCII = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_ESCAPE_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def iri_to_uri(text: str) -> str:
    """Percent-encode what a URI may not hold (non-ASCII as UTF-8, spaces, quotes …); an existing
    ``%XX`` escape is kept as it is, a ``%`` that starts none is encoded."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%" and _ESCAPE.match(text, index):
            out.append(text[index : index + 3])
            index += 3
            continue
        if char in _IRI_ASCII:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        index += 1
    return "".join(out)


def uri_to_iri(text: str) -> str:
    """Decode the escapes of unreserved ASCII and of well-formed non-ASCII UTF-8; keep every other
    escape (``%20``, ``%2F``, ``%25``) as the IRI's own, with upper-case hex digits."""
    return _ESCAPE_RUN.sub(_decode_escapes, text)


def iri_from_decoded(text: str) -> str:
    """The IRI form of an already percent-decoded path (when the raw request path is unknown):
    characters an IRI cannot hold literally are encoded again, non-ASCII is kept."""
    return "".join(
        char if char in _IRI_ASCII or ord(char) > 0x7F else "".join(f"%{b:02X}" for b in char.encode("utf-8"))
        for char in text
    )


def _utf8_length(lead: int) -> int:
    if lead >> 5 == 0b110:
        return 2
    if lead >> 4 == 0b1110:
        return 3
    if lead >> 3 == 0b11110:
        return 4
    return 0


def _decode_escapes(match: re.Match[str]) -> str:
    data = bytes.fromhex(match.group(0).replace("%", ""))
    out: list[str] = []
    index = 0
    while index < len(data):
        byte = data[index]
        if byte < 0x80:
            out.append(chr(byte) if chr(byte) in _UNRESERVED else f"%{byte:02X}")
            index += 1
            continue
        length = _utf8_length(byte)
        try:
            if not length:
                raise UnicodeDecodeError("utf-8", data, index, index + 1, "not a lead byte")
            out.append(data[index : index + length].decode("utf-8"))
            index += length
        except UnicodeDecodeError:
            out.append(f"%{byte:02X}")
            index += 1
    return "".join(out)
