"""Open the backend a ``Config`` describes: embedded Oxigraph (memory or disk) or an external engine.

The result is always wrapped in the result cache. Call ``open_backend`` once per server, in the
gunicorn master (so an in-memory store is loaded once and shared by the forked workers), then
``start_executors()`` in each worker (gunicorn ``post_fork``).
"""

from __future__ import annotations

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
        # External SPARQL 1.1 engine (issue 5, engineer E): bricskg.store.remote.open_remote_backend.
        from bricskg.store.remote import open_remote_backend  # type: ignore[import-not-found]

        return open_remote_backend(config)
    from bricskg.store.embedded import EmbeddedBackend

    sources = (bundled_sources() if config.load_bundled else []) + extra_sources(config.data_files)
    if config.store_path is not None:
        return _open_disk(config, sources, isolate=isolate)
    import pyoxigraph

    store = pyoxigraph.Store()
    load_sources(store, sources)
    return EmbeddedBackend(memory_store=store, isolate=isolate, executors=executor_count(config))


def _open_disk(config: Config, sources: list, *, isolate: bool) -> Backend:
    """An on-disk store: created and loaded with the bundled data (and ``--data``) when new.

    The loading handle is closed before returning: RocksDB handles must not cross a fork, so each
    process opens its own (read-write in the single writer worker, read-only elsewhere).
    """
    import pyoxigraph

    from bricskg.store.embedded import EmbeddedBackend

    path = config.store_path
    assert path is not None
    is_new = not path.exists() or not any(path.iterdir())
    if is_new or config.data_files:
        store = pyoxigraph.Store(str(path))
        load_sources(store, sources if is_new else extra_sources(config.data_files))
        store.flush()
        del store
    return EmbeddedBackend(
        store_path=path, writable=config.writes_enabled, isolate=isolate, executors=executor_count(config)
    )
