"""Settings of one running server, gathered from the command line and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The namespace every IRI of the graph lives under; pages resolve IRIs by stripping it.
BASE_IRI = "https://w3id.org/bricskg/"


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    store_path: Path | None = None  # on-disk Oxigraph store; None = in memory
    data_files: tuple[Path, ...] = ()  # loaded on top of the bundled data
    load_bundled: bool = True
    query_timeout: float = 30.0  # seconds, counted from when the request was completely received
    header_timeout: float = 10.0  # seconds for a request's line and headers to arrive, from its first byte
    body_timeout: float = 30.0  # seconds for a request's body to arrive, from the end of its headers
    base_url: str | None = None  # public URL of the server (service description, GSP Location); None: the bind address
    update_timeout: float = 30.0  # seconds a write's pattern matching may take (then 503, nothing applied)
    workers: int = 2
    threads: int = 8  # per worker
    max_body_bytes: int = 1024 * 1024  # request bodies (queries, form posts)
    max_upload_bytes: int = 16 * 1024 * 1024  # Graph Store Protocol and update bodies
    max_result_bytes: int = 64 * 1024 * 1024
    cache_entries: int = 1024
    query_memory: int = 1024  # MiB one query's executor may allocate beyond the shared store; 0 = no limit
    admin_token: str | None = field(default=None, repr=False)  # BRICSKG_ADMIN_TOKEN; None = writes off
    token_name: str = "admin"
    backend_url: str | None = None  # external SPARQL 1.1 query endpoint
    backend_update_url: str | None = None
    backend_engine: str = "auto"  # the external engine's dialect (bricskg.store.engines): auto, generic, virtuoso
    # BRICSKG_BACKEND_USER / BRICSKG_BACKEND_PASSWORD: for an update endpoint that asks (Basic or Digest)
    backend_credentials: tuple[str, str] | None = field(default=None, repr=False)
    base_iri: str = BASE_IRI
    inference: bool = True  # materialise the entailment regime (bricskg.inference); --no-inference turns it off
    hermit: bool = False  # add HermiT's class memberships beyond the rules to the inferred graph (--hermit)

    def public_url(self, port: int | None = None) -> str:
        """The server's own URL, never taken from a request's ``Host`` header: ``base_url`` when
        configured, else the bind address (a wildcard bind address becomes ``localhost``)."""
        if self.base_url:
            return self.base_url.rstrip("/")
        host = self.host
        if host in ("", "0.0.0.0", "::", "[::]"):
            host = "localhost"
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{port if port is not None else self.port}"

    @property
    def query_memory_bytes(self) -> int | None:
        return self.query_memory * 1024 * 1024 if self.query_memory > 0 else None

    @property
    def writes_enabled(self) -> bool:
        return self.admin_token is not None

    @classmethod
    def from_environment(cls, **overrides: object) -> "Config":
        """Read the secrets from the environment so they never appear on a command line."""
        token = os.environ.get("BRICSKG_ADMIN_TOKEN") or None
        values: dict[str, object] = {"admin_token": token}
        user = os.environ.get("BRICSKG_BACKEND_USER")
        if user:
            values["backend_credentials"] = (user, os.environ.get("BRICSKG_BACKEND_PASSWORD", ""))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
