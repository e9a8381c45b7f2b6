"""A store that fails under a write is a 503 with a retry hint — never an unexplained 500."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask import Flask

from bricskg.store.base import BackendError, BackendUnavailable
from bricskg.store.writer import EmbeddedTarget, Writer
from bricskg.web.update import error_response

EX = "http://example.org/"


class FailingStore:
    """A pyoxigraph store whose disk gave up: reads work, the commit fails as RocksDB reports it."""

    def __init__(self, error: Exception):
        self.inner = ox.Store()
        self.error = error

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __contains__(self, quad) -> bool:
        return quad in self.inner

    def update(self, *args, **kwargs):
        raise self.error

    def extend(self, *args, **kwargs):
        raise self.error


@pytest.mark.parametrize(
    "error",
    [OSError("IO error: No space left on device"), RuntimeError("Corruption: block checksum mismatch in 000042.sst")],
)
def test_a_commit_the_store_refuses_is_unavailable_and_changes_nothing(error: Exception) -> None:
    store = FailingStore(error)
    writer = Writer(EmbeddedTarget(store), validate=False)  # type: ignore[arg-type]
    with pytest.raises(BackendUnavailable, match="nothing was changed"):
        writer.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    assert len(store.inner) == 0


def test_a_backend_error_without_a_status_of_its_own_is_a_503_with_retry_after() -> None:
    class Unforeseen(BackendError):
        pass

    with Flask("probe").test_request_context("/sparql", method="POST"):
        response = error_response(Unforeseen("the engine said something new"))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
