"""``bricskg serve`` with its result cache switched off, for the benchmark's engine-to-engine line.

The benchmark cycles through a fixed query mix, which is the best case for bricskg's result cache:
after the warm-up every answer is a dictionary hit, while Oxigraph server and rdflib-endpoint
evaluate every request. To show what the server costs when it has to evaluate too, the
benchmark also runs this variant: the very same command, gunicorn settings and code path, except
that the cache stores nothing (``max_entries=0``; a lookup is still made, and always misses).

Usage (as the benchmark runs it): ``python -m bricskg.bench.uncached_serve serve --host ... --port ...``
"""

from __future__ import annotations

import sys


def disable_result_cache() -> None:
    """Make every cache the server builds hold nothing."""
    from bricskg.store import cache, factory

    original = cache.ResultCache

    def empty_cache(max_entries: int = 0, **options: object) -> cache.ResultCache:
        return original(max_entries=0, **options)  # type: ignore[arg-type]

    factory.ResultCache = empty_cache  # type: ignore[assignment, misc]


if __name__ == "__main__":
    disable_result_cache()
    from bricskg.cli import main

    sys.exit(main())
