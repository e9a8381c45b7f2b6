"""Open the backend a ``Config`` describes: embedded Oxigraph (memory or disk) or an external engine.

The result is always wrapped in the result cache. Call ``open_backend`` once per server, in the
gunicorn master (so an in-memory store is loaded once and shared by the forked workers), then
``start_executors()`` in each worker (gunicorn ``post_fork``). An on-disk store is never opened in
the master: a subprocess loads it and publishes its first read snapshot.
"""

from __future__ import annotations

import shutil

from bricskg.config import Config
from bricskg.dataset import bundled_sources, extra_sources, load_into_store
from bricskg.store.base import Backend
from bricskg.store.cache import CachedBackend, ResultCache

MAX_EXECUTORS = 8


class DataLoadError(ValueError):
    """A data file that cannot be loaded; the message names the file and the parser's position."""


def load_sources(store, sources) -> None:
    """Load file by file so that an error names the file it comes from."""
    for source in sources:
        try:
            load_into_store(store, [source])
        except (SyntaxError, ValueError, OSError) as error:
            detail = " ".join(str(error).split())
            raise DataLoadError(f"{source.path}: {detail}") from None


def executor_count(config: Config) -> int:
    """One executor per request thread, bounded: more would only compete for the same cores."""
    return max(1, min(config.threads, MAX_EXECUTORS))


def open_backend(config: Config, *, isolate: bool = True) -> Backend:
    """The backend for ``config``; ``isolate=False`` evaluates in-thread (tests, tools; no timeout)."""
    inner = _open_inner(config, isolate=isolate)
    return CachedBackend(inner, ResultCache(max_entries=config.cache_entries))


def _open_inner(config: Config, *, isolate: bool) -> Backend:
    if config.backend_url:
        # An external SPARQL 1.1 engine: bricskg.store.remote.open_remote_backend.
        from bricskg.store.remote import open_remote_backend  # type: ignore[import-not-found]
        from bricskg.store.remote_entailments import attach_entailments

        remote = open_remote_backend(config)
        attach_entailments(remote, inference=config.inference, hermit=config.hermit)  # the inferred graph, before the workers fork
        return remote
    from bricskg.store.embedded import EmbeddedBackend

    sources = (bundled_sources() if config.load_bundled else []) + extra_sources(config.data_files)
    if config.store_path is not None:
        return _open_disk(config, sources, isolate=isolate)
    import pyoxigraph

    store = pyoxigraph.Store()
    load_sources(store, sources)
    if config.inference:
        _materialise(store, hermit=config.hermit)
    return EmbeddedBackend(
        memory_store=store, isolate=isolate, executors=executor_count(config), inference=config.inference,
        hermit=config.inference and config.hermit, query_memory=config.query_memory_bytes,
    )


def _materialise(store, *, hermit: bool) -> None:
    """The inferred graph, computed before the union is copied and before any executor forks."""
    import logging

    from bricskg.inference import materialise

    report = materialise(store, hermit=hermit)
    logging.getLogger("bricskg.store").info(
        "inferred graph: %d triples from %d stated ones in %.2f s (%s)",
        report.inferred, report.explicit_inputs, report.seconds, report.hermit,
    )


def _open_disk(config: Config, sources: list, *, isolate: bool) -> Backend:
    """An on-disk store: created and loaded with the bundled data (and ``--data``) when new.

    This runs in the gunicorn master, which must never open RocksDB (its background thread pools
    do not survive a fork): loading and the first read snapshot are done by a short-lived
    subprocess (``bricskg.store.startup``). Afterwards the single writer worker opens the store
    read-write after the fork, and executors read checkpoints of it (``bricskg.store.snapshots``).
    """
    from bricskg.store.embedded import EmbeddedBackend, open_shelf
    from bricskg.store.snapshots import RETENTION_MARGIN

    path = config.store_path
    assert path is not None
    existed = path.exists()
    is_new = not existed or not any(path.iterdir())
    to_load = sources if is_new else extra_sources(config.data_files)
    retention = config.query_timeout + RETENTION_MARGIN
    try:
        shelf = open_shelf(path, to_load, retention=retention, infer=config.inference, hermit=config.hermit)
    except DataLoadError:
        if is_new:  # a half-loaded new store would be taken for a loaded one at the next start
            shutil.rmtree(path, ignore_errors=True)
            if existed:
                path.mkdir()
        raise
    return EmbeddedBackend(
        store_path=path,
        writable=config.writes_enabled,
        isolate=isolate,
        executors=executor_count(config),
        snapshots=shelf,
        query_memory=config.query_memory_bytes,
        inference=config.inference,
        hermit=config.inference and config.hermit,
    )
