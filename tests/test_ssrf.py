"""No request can make the server open a connection or read a file (server-side request forgery).

A listener on a free loopback port records every connection it receives; each case sends a request
that a naive server would answer by fetching the listener's URL — SERVICE (any case, nesting,
escape), FROM / FROM NAMED, ``default-graph-uri`` / ``named-graph-uri``, LOAD, USING / WITH,
JSON-LD remote ``@context`` (plain, in an array, scoped, ``@import``), RDF/XML external entities
(general, parameter, external DTD) — and the listener must have received nothing. File-reading
variants (``file:///etc/passwd``) must not leak the file into a response or into the store.

The server runs with writes enabled (admin token, on-disk store), so upload and update paths are
reached past authentication: a refusal for lack of a token would prove nothing.
"""

from __future__ import annotations

import socket
import time

import pytest
from loopback_listener import LoopbackListener
from oxigraph_engine import OxigraphServer
from virtuoso_engine import virtuoso_param
import requests

ADMIN_TOKEN = "ssrf-test-token"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TIMEOUT = 30
SECRET_FILE = "/etc/passwd"
SECRET_MARKER = "root:"


@pytest.fixture(scope="module")
def listener():
    active = LoopbackListener()
    yield active
    active.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    from live_server import running_server

    store = tmp_path_factory.mktemp("ssrf-store")
    with running_server(["--store", str(store)], env={"BRICSKG_ADMIN_TOKEN": ADMIN_TOKEN}) as running:
        yield running.url


@pytest.fixture
def clean_listener(listener: LoopbackListener) -> LoopbackListener:
    listener.reset()
    return listener


def assert_alive(server: str) -> None:
    assert requests.get(f"{server}/health", timeout=TIMEOUT).status_code == 200


def query(server: str, text: str, params: list[tuple[str, str]] | None = None) -> requests.Response:
    return requests.post(
        f"{server}/sparql", data=[("query", text), *(params or [])], headers={"Accept": "*/*"}, timeout=TIMEOUT
    )


def update(server: str, text: str, params: list[tuple[str, str]] | None = None) -> requests.Response:
    return requests.post(f"{server}/sparql", data=[("update", text), *(params or [])], headers=AUTH, timeout=TIMEOUT)


# ------------------------------------------------------------------------------------- SERVICE

SERVICE_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "lower-case": "select * where { service <{url}/sparql> { ?s ?p ?o } }",
    "mixed-case": "SeLeCt * WhErE { SeRvIcE <{url}/sparql> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}/sparql> { ?s ?p ?o } }",
    "in-optional": "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <{url}/x> { ?s ?p ?o } } } LIMIT 1",
    "in-union": "SELECT * WHERE { { ?a ?b ?c } UNION { SERVICE <{url}/x> { ?s ?p ?o } } } LIMIT 1",
    "in-minus": "SELECT * WHERE { ?a ?b ?c MINUS { SERVICE <{url}/x> { ?a ?p ?o } } } LIMIT 1",
    "in-subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/x> { ?s ?p ?o } } } }",
    "in-filter-exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}/x> { ?s ?p ?o } } } LIMIT 1",
    "in-filter-not-exists": "ASK { ?s ?p ?o FILTER NOT EXISTS { SERVICE <{url}/x> { ?s ?q ?r } } }",
    "in-bind-exists": "SELECT * WHERE { BIND(EXISTS { SERVICE <{url}/x> { ?s ?p ?o } } AS ?e) }",
    "in-graph": "SELECT * WHERE { GRAPH ?g { SERVICE <{url}/x> { ?s ?p ?o } } }",
    "deeply-nested": "SELECT * WHERE { { { OPTIONAL { { SERVICE <{url}/x> { ?s ?p ?o } } } } } }",
    "variable-endpoint": "SELECT * WHERE { VALUES ?e { <{url}/x> } SERVICE ?e { ?s ?p ?o } }",
    "prefixed-endpoint": "PREFIX l: <{url}/> SELECT * WHERE { SERVICE l:sparql { ?s ?p ?o } }",
    "relative-endpoint": "BASE <{url}/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "comment-between": "SELECT * WHERE { SERVICE # a comment\n <{url}/x> { ?s ?p ?o } }",
    "codepoint-escaped": "SELECT * WHERE { \\u0053ERVICE <{url}/x> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}/x> { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE <{url}/x> { ?s ?p ?o } }",
    "ask": "ASK { SERVICE <{url}/x> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("case", sorted(SERVICE_QUERIES))
def test_service_clause_is_refused_with_400_and_never_fetched(server, clean_listener, case) -> None:
    response = query(server, SERVICE_QUERIES[case].replace("{url}", clean_listener.url))
    clean_listener.assert_untouched(f"SERVICE {case}")
    assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"
    assert "federation" in response.text.lower() or "service" in response.text.lower()
    assert_alive(server)


@pytest.mark.parametrize("method", ["get", "post-form", "post-direct"])
def test_service_clause_is_refused_on_every_protocol_binding(server, clean_listener, method) -> None:
    text = f"SELECT * WHERE {{ SERVICE <{clean_listener.url}/x> {{ ?s ?p ?o }} }}"
    if method == "get":
        response = requests.get(f"{server}/sparql", params={"query": text}, timeout=TIMEOUT)
    elif method == "post-form":
        response = requests.post(f"{server}/sparql", data={"query": text}, timeout=TIMEOUT)
    else:
        response = requests.post(
            f"{server}/sparql", data=text, headers={"Content-Type": "application/sparql-query"}, timeout=TIMEOUT
        )
    clean_listener.assert_untouched(f"SERVICE via {method}")
    assert response.status_code == 400


# ------------------------------------------------------------------------------ dataset clauses

DATASET_QUERIES = {
    "from": "SELECT * FROM <{url}/g> WHERE { ?s ?p ?o }",
    "from-named": "SELECT * FROM NAMED <{url}/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from-lower-case": "select * from <{url}/g> where { ?s ?p ?o }",
    "from-and-named": "SELECT * FROM <{url}/a> FROM NAMED <{url}/b> WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
    "construct-from": "CONSTRUCT { ?s ?p ?o } FROM <{url}/g> WHERE { ?s ?p ?o }",
    "ask-from-named": "ASK FROM NAMED <{url}/g> { GRAPH <{url}/g> { ?s ?p ?o } }",
    "describe-iri": "DESCRIBE <{url}/resource>",
    "graph-iri": "SELECT * WHERE { GRAPH <{url}/g> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("case", sorted(DATASET_QUERIES))
def test_dataset_clause_selects_only_stored_graphs_and_fetches_nothing(server, clean_listener, case) -> None:
    response = query(server, DATASET_QUERIES[case].replace("{url}", clean_listener.url))
    clean_listener.assert_untouched(case)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert_alive(server)


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_protocol_dataset_parameters_fetch_nothing(server, clean_listener, parameter) -> None:
    text = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    for method in ("get", "post"):
        params = {"query": text, parameter: f"{clean_listener.url}/graph"}
        if method == "get":
            response = requests.get(f"{server}/sparql", params=params, timeout=TIMEOUT)
        else:
            response = requests.post(f"{server}/sparql", data=params, timeout=TIMEOUT)
        clean_listener.assert_untouched(f"{parameter} via {method}")
        assert response.status_code < 500


def test_from_file_iri_reads_no_local_file(server) -> None:
    for text in (
        f"SELECT * FROM <file://{SECRET_FILE}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <file://{SECRET_FILE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ):
        response = query(server, text)
        assert response.status_code < 500
        assert SECRET_MARKER not in response.text
    response = requests.get(
        f"{server}/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": f"file://{SECRET_FILE}"},
        timeout=TIMEOUT,
    )
    assert response.status_code < 500 and SECRET_MARKER not in response.text


# ---------------------------------------------------------------------------------- update paths

UPDATES = {
    "load": "LOAD <{url}/data.ttl>",
    "load-silent": "LOAD SILENT <{url}/data.ttl>",
    "load-into-graph": "LOAD <{url}/data.ttl> INTO GRAPH <urn:x-test:g>",
    "load-lower-case": "load <{url}/data.ttl>",
    "load-after-insert": "INSERT DATA { <urn:x-test:s> <urn:x-test:p> <urn:x-test:o> } ; LOAD <{url}/data.ttl>",
    "load-codepoint-escaped": "\\u004cOAD <{url}/data.ttl>",
    "load-relative": "BASE <{url}/> LOAD <data.ttl>",
    "service-in-where": "INSERT { ?s ?p ?o } WHERE { SERVICE <{url}/x> { ?s ?p ?o } }",
    "service-nested": "DELETE { ?s ?p ?o } WHERE { OPTIONAL { { SERVICE SILENT <{url}/x> { ?s ?p ?o } } } }",
    "using": "INSERT { <urn:x-test:a> <urn:x-test:b> ?o } USING <{url}/g> WHERE { ?s ?p ?o }",
    "using-named": "INSERT { <urn:x-test:a> <urn:x-test:b> ?o } USING NAMED <{url}/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "with": "WITH <{url}/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "load-file": f"LOAD <file://{SECRET_FILE}>",
}


def store_fingerprint(server: str) -> str:
    """Every quad of the store, sorted: equal fingerprints mean an unchanged store."""
    response = requests.post(
        f"{server}/sparql",
        data={"query": "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"},
        headers={"Accept": "text/tab-separated-values"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text[:300]
    lines = response.text.splitlines()
    return "\n".join(lines[:1] + sorted(line for line in lines[1:] if "w3id.org/bricskg/graph/audit" not in line))


@pytest.mark.parametrize("case", sorted(UPDATES))
def test_update_fetching_a_url_is_refused_and_changes_nothing(server, clean_listener, case) -> None:
    before = store_fingerprint(server)
    response = update(server, UPDATES[case].replace("{url}", clean_listener.url))
    clean_listener.assert_untouched(case)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if case.startswith("load"):
        assert response.status_code == 400, f"LOAD not refused: {response.status_code} {response.text[:300]}"
        assert store_fingerprint(server) == before, "a refused update changed the store"
    if case.startswith("service"):
        assert response.status_code == 400, f"SERVICE in an update not refused: {response.status_code}"
    assert SECRET_MARKER not in response.text


@pytest.mark.parametrize("parameter", ["using-graph-uri", "using-named-graph-uri"])
def test_update_protocol_graph_parameters_fetch_nothing(server, clean_listener, parameter) -> None:
    response = update(
        server,
        "INSERT { <urn:x-test:a> <urn:x-test:b> ?o } WHERE { ?s ?p ?o }",
        [(parameter, f"{clean_listener.url}/g")],
    )
    clean_listener.assert_untouched(parameter)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"


# ------------------------------------------------------------------------------ upload payloads


def upload(server: str, body: str | bytes, content_type: str, graph: str = "urn:x-test:upload") -> requests.Response:
    return requests.post(
        f"{server}/store",
        params={"graph": graph},
        data=body.encode("utf-8") if isinstance(body, str) else body,
        headers={"Content-Type": content_type, **AUTH},
        timeout=TIMEOUT,
    )


JSONLD_PAYLOADS = {
    "remote-context": '{"@context": "{url}/context.jsonld", "@id": "urn:x-test:s", "name": "x"}',
    "remote-context-in-array": '{"@context": [{"ex": "urn:x-test:"}, "{url}/c.jsonld"], "@id": "urn:x-test:s", "ex:p": "x"}',
    "scoped-remote-context": (
        '{"@context": {"ex": "urn:x-test:", "ex:p": {"@id": "ex:p", "@context": "{url}/scoped.jsonld"}},'
        ' "@id": "urn:x-test:s", "ex:p": {"name": "x"}}'
    ),
    "import": '{"@context": {"@version": 1.1, "@import": "{url}/import.jsonld"}, "@id": "urn:x-test:s"}',
    "nested-node-context": '{"@id": "urn:x-test:s", "urn:x-test:p": {"@context": "{url}/inner.jsonld", "name": "x"}}',
    "remote-document-id": '{"@context": {"@base": "{url}/"}, "@id": "doc", "@type": "{url}/Type"}',
    "graph-with-context": '{"@context": "{url}/c.jsonld", "@graph": [{"@id": "urn:x-test:s"}]}',
}


@pytest.mark.parametrize("case", sorted(JSONLD_PAYLOADS))
def test_jsonld_upload_never_fetches_a_remote_context(server, clean_listener, case) -> None:
    before = store_fingerprint(server)
    response = upload(server, JSONLD_PAYLOADS[case].replace("{url}", clean_listener.url), "application/ld+json")
    clean_listener.assert_untouched(f"JSON-LD {case}")
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if case != "remote-document-id":  # a context that cannot be loaded changes the data's meaning: refuse
        assert response.status_code == 400, f"remote context not refused: {response.status_code}"
    if response.status_code >= 400:
        assert store_fingerprint(server) == before, "a rejected upload changed the store"
    assert_alive(server)


XML_PAYLOADS = {
    "external-general-entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}/entity.xml">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-test:">'
        '<rdf:Description rdf:about="urn:x-test:s"><ex:p>&ext;</ex:p></rdf:Description></rdf:RDF>'
    ),
    "external-parameter-entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    ),
    "external-dtd": (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{url}/doc.dtd">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    ),
    "public-dtd": (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF PUBLIC "-//X//Y//EN" "{url}/public.dtd">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    ),
    "entity-in-attribute": (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}/a.xml">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-test:">'
        '<rdf:Description rdf:about="urn:x-test:s" ex:p="&ext;"/></rdf:RDF>'
    ),
    "xinclude": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:ex="urn:x-test:">'
        '<rdf:Description rdf:about="urn:x-test:s"><ex:p rdf:parseType="Literal">'
        '<xi:include href="{url}/inc.xml"/></ex:p></rdf:Description></rdf:RDF>'
    ),
    "file-entity": (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file://{SECRET_FILE}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-test:">'
        '<rdf:Description rdf:about="urn:x-test:leak"><ex:p>&secret;</ex:p></rdf:Description></rdf:RDF>'
    ),
}


@pytest.mark.parametrize("case", sorted(XML_PAYLOADS))
def test_rdfxml_upload_never_resolves_external_entities(server, clean_listener, case) -> None:
    before = store_fingerprint(server)
    response = upload(server, XML_PAYLOADS[case].replace("{url}", clean_listener.url), "application/rdf+xml")
    clean_listener.assert_untouched(f"RDF/XML {case}")
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert SECRET_MARKER not in response.text
    after = store_fingerprint(server)
    assert SECRET_MARKER not in after, "the content of a local file reached the store"
    if response.status_code >= 400:
        assert after == before, "a rejected upload changed the store"
    assert_alive(server)


def test_turtle_upload_with_listener_iris_fetches_nothing(server, clean_listener) -> None:
    """IRIs are names, not links: storing them must never dereference them."""
    body = f"@base <{clean_listener.url}/> .\n@prefix l: <{clean_listener.url}/> .\n<s> l:p <o> ; l:q l:r .\n"
    response = upload(server, body, "text/turtle")
    clean_listener.assert_untouched("Turtle upload")
    assert response.status_code < 500


# ------------------------------------------------------------------ over an external SPARQL engine


@pytest.fixture(scope="module", params=["oxigraph", virtuoso_param()])
def backend_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """bricskg over an external engine (Oxigraph server, Virtuoso 7): whatever it forwards, the
    engine would fetch. Yields bricskg's URL, the engine's own query URL and a query that makes the
    engine fetch ``{url}`` when sent to it directly."""
    from live_server import running_server

    if request.param == "virtuoso":
        from virtuoso_engine import VirtuosoServer

        engine = VirtuosoServer(tmp_path_factory.mktemp("ssrf-virtuoso"))
        backend, direct = engine.backend, engine.query_url
        env = {"BRICSKG_ADMIN_TOKEN": ADMIN_TOKEN, **engine.credentials_env}
        fetching = 'SELECT (<bif:http_get>("{url}/direct") AS ?x) WHERE { }'
    else:
        engine = OxigraphServer(required=True)  # in memory, empty: an engine that DOES fetch SERVICE URLs
        backend, direct = engine.backend, engine.query_url
        env = {"BRICSKG_ADMIN_TOKEN": ADMIN_TOKEN}
        fetching = SERVICE_QUERIES["plain"]
    try:
        with running_server(["--backend", backend], env=env) as running:
            yield running.url, direct, fetching
    finally:
        engine.stop()


BACKEND_CASES = ["plain", "lower-case", "in-optional", "in-subquery", "variable-endpoint", "codepoint-escaped", "silent"]


@pytest.mark.parametrize("case", BACKEND_CASES)
def test_service_is_refused_over_an_external_engine_too(backend_server, clean_listener, case) -> None:
    response = query(backend_server[0], SERVICE_QUERIES[case].replace("{url}", clean_listener.url))
    clean_listener.assert_untouched(f"SERVICE {case} over --backend")
    assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"


@pytest.mark.parametrize("case", ["bif-by-iri", "bif-by-prefix", "sponger-pragma", "function-in-filter"])
def test_an_engines_own_fetching_function_is_refused_over_an_external_engine(backend_server, clean_listener, case) -> None:
    text = {
        "bif-by-iri": 'SELECT (<bif:http_get>("{url}/a") AS ?x) WHERE { }',
        "bif-by-prefix": 'PREFIX bif: <bif:> SELECT (bif:http_get("{url}/b") AS ?x) WHERE { }',
        "sponger-pragma": 'DEFINE get:soft "soft" SELECT * FROM <{url}/c> WHERE { ?s ?p ?o }',
        "function-in-filter": 'SELECT * WHERE { ?s ?p ?o FILTER(<bif:http_get>("{url}/d") != "") } LIMIT 1',
    }[case]
    response = query(backend_server[0], text.replace("{url}", clean_listener.url))
    clean_listener.assert_untouched(f"{case} over --backend")
    assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"


@pytest.mark.parametrize("case", ["load", "load-silent", "load-codepoint-escaped", "service-nested"])
def test_update_fetching_a_url_is_refused_over_an_external_engine_too(backend_server, clean_listener, case) -> None:
    response = update(backend_server[0], UPDATES[case].replace("{url}", clean_listener.url))
    clean_listener.assert_untouched(f"{case} over --backend")
    assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"


def test_the_external_engine_would_fetch_what_bricskg_refuses(backend_server, clean_listener) -> None:
    """Sent to the engine directly, SERVICE (Oxigraph) or bif:http_get (Virtuoso) reaches the listener:
    bricskg's refusal is what protects it."""
    text = backend_server[2].replace("{url}", clean_listener.url)
    try:
        requests.post(backend_server[1], data={"query": text}, timeout=TIMEOUT)
    except requests.RequestException:
        pass  # the listener answers nothing; the engine may give up on it — after connecting
    deadline = time.monotonic() + 5
    while not clean_listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert clean_listener.connections, "the engine did not fetch: the over-the-backend cases above would prove nothing"


def test_the_listener_catches_the_fetch_an_unguarded_engine_makes(clean_listener) -> None:
    """Without the server's guard, the engine it runs on fetches SERVICE URLs: the listener sees that."""
    import pyoxigraph

    try:
        pyoxigraph.Store().query(f"SELECT * WHERE {{ SERVICE <{clean_listener.url}/sparql> {{ ?s ?p ?o }} }}")
    except Exception:
        pass  # the listener answers nothing, so the engine's request fails — after connecting
    deadline = time.monotonic() + 5
    while not clean_listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert clean_listener.connections, "pyoxigraph did not reach the listener: the instrument sees nothing"


def test_the_listener_records_a_real_connection(clean_listener) -> None:
    """The instrument itself works: a connection made by us is seen, so silence above means something."""
    with socket.create_connection(("127.0.0.1", clean_listener.port), timeout=2) as connection:
        connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
    deadline = time.monotonic() + 2
    while not clean_listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert clean_listener.connections
