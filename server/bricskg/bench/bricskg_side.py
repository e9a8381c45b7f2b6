"""The bricskg code paths the scale series measures, each reached through its public interface.

Kept in one module so the benchmark measures exactly what the server, the validator and the write
path run (``open_backend`` as ``bricskg serve`` calls it, ``validate`` as ``bricskg validate`` does,
the writer as ``POST /sparql`` updates use it), and so a change in one of those interfaces shows up
here in one place.
"""

from __future__ import annotations

from pathlib import Path

from bricskg.bench.load_client import N_TRIPLES, RESULTS_JSON, query_form
from bricskg.config import Config
from bricskg.store.base import Backend, QueryRequest
from bricskg.store.factory import open_backend  # imported here so no timed region pays for the import


def open_loaded_backend(store_dir: Path, synthetic: Path) -> Backend:
    """Create the on-disk store as ``bricskg serve --store DIR --data FILE --no-inference`` does at
    startup: raw pyoxigraph does not reason, and the entailments have their own phase
    (``bricskg.bench.inference``), so that this one keeps measuring what loading costs."""
    config = Config(store_path=store_dir, data_files=(synthetic,), cache_entries=0, inference=False)
    return open_backend(config, isolate=False)


def open_query_backend(store_dir: Path) -> Backend:
    """The loaded store opened as the server opens it: executor processes, but the cache off.

    With the cache on, every repeat of a query would measure a dict lookup, not the engine. Without
    the inferred graph, like raw pyoxigraph, so both answer the same queries over the same triples.
    """
    return open_backend(Config(store_path=store_dir, cache_entries=0, load_bundled=True, inference=False), isolate=True)


_FORMS: dict[str, str] = {}


def query_through_backend(backend: Backend, text: str) -> int:
    """Answer ``text`` through the backend in the format /sparql would negotiate; returns body size."""
    media_type = _FORMS.get(text)
    if media_type is None:
        media_type = _FORMS[text] = N_TRIPLES if query_form(text) == "graph" else RESULTS_JSON
    return len(backend.query(QueryRequest(query=text, media_type=media_type)).body)


def validate_everything(synthetic: Path) -> dict[str, object]:
    """Full SHACL validation (as ``bricskg validate`` runs it, without HermiT) of everything loaded.

    Only the ``validate_dataset`` call is timed (``seconds``); reading the files is ``load_seconds``.
    """
    import time

    from bricskg.dataset import bundled_sources, extra_sources, open_memory_store
    from bricskg.validation import validate_dataset

    began = time.perf_counter()
    store = open_memory_store(bundled_sources() + extra_sources([synthetic]))
    load_seconds = time.perf_counter() - began
    began = time.perf_counter()
    report = validate_dataset(store)
    seconds = time.perf_counter() - began
    violations = report.violations
    return {
        "seconds": seconds,
        "load_seconds": load_seconds,
        "quads": len(store),
        "conforms": report.conforms,
        "violations": len(violations),
        "first_violation": violations[0].to_dict() if violations else None,
    }


def validated_write(store_dir: Path, quads: list) -> dict[str, object]:
    """One SPARQL ``INSERT DATA`` of ``quads`` through the write path ``POST /sparql`` uses.

    The writer computes the delta, validates the affected focus nodes against the shapes, and
    commits data + audit record in one transaction. Only ``Writer.update`` is timed (``seconds``);
    opening the store is ``open_seconds``.
    """
    import time

    from bricskg.store.writer import Writer, insert_data, target_for

    began = time.perf_counter()
    backend = open_backend(Config(store_path=store_dir, admin_token="benchmark", cache_entries=0), isolate=False)
    writer = Writer(target_for(backend))
    before = backend.quad_count()
    open_seconds = time.perf_counter() - began
    update = insert_data(quads)
    began = time.perf_counter()
    outcome = writer.update(update)
    seconds = time.perf_counter() - began
    after = backend.quad_count()
    backend.close()
    return {
        "seconds": seconds,
        "open_seconds": open_seconds,
        "added": outcome.added,
        "focus_nodes": outcome.focus_nodes,
        "quads_before": before,
        "quads_after": after,
        "update_bytes": len(update.encode("utf-8")),
    }
