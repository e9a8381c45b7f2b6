"""``bricskg serve``: the SPARQL endpoint and the linked-data site under gunicorn.

The data is loaded once, in the gunicorn master, before the workers fork, so an in-memory store is
shared copy-on-write by every worker and executor. An on-disk store is never opened in the master
(RocksDB's thread pools do not survive a fork): a short-lived subprocess loads it and publishes the
first read checkpoint (``bricskg.store.startup``, ``bricskg.store.snapshots``). Each worker starts
its query executors in ``post_fork``, while it is still single-threaded (see
``bricskg.store.executor``); the writer worker then opens the store read-write.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bricskg.cli.errors import UsageProblem
from bricskg.config import Config

GUNICORN_MAX_REQUEST_LINE = 8190  # gunicorn's hard maximum; longer GET URLs get 414 → use POST


def build_options(config: Config, *, access_log: bool) -> dict[str, Any]:
    """gunicorn settings for ``config`` (also used by tests and by ``bricskg.wsgi``)."""
    return {
        "bind": [f"{config.host}:{config.port}"],
        "workers": config.workers,
        # gthread with a front that reads each request completely, with deadlines, before a thread
        # sees it (slowloris), and admits a bounded number (bricskg.front.worker)
        "worker_class": "bricskg.front.worker.BufferingWorker",
        "threads": config.threads,
        "preload_app": True,
        # gthread workers heartbeat from their main loop, not from request threads; a query is cut
        # by its own deadline, this only catches a wedged worker.
        "timeout": int(max(60, config.query_timeout * 2 + 10, config.update_timeout * 2 + 10)),
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": GUNICORN_MAX_REQUEST_LINE,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "bricskg",
        # gunicorn ≥ 24 opens a control socket at one fixed path per user: parallel servers (tests)
        # would fight over it, and nothing here uses it.
        "control_socket_disable": True,
        "post_fork": post_fork,
        "when_ready": when_ready,
    }


def post_fork(server: Any, worker: Any) -> None:
    """Start this worker's executor pool while it is single-threaded (forking later is unsafe), then
    (writes on, on disk) open the read-write store — after the executors' zygote is forked."""
    backend = worker.app.wsgi().extensions["bricskg.backend"]
    start = getattr(backend, "start_executors", None)
    if start is not None:
        start(on_supervisor_lost=lambda: _retire_worker(worker))


def _retire_worker(worker: Any) -> None:
    """The worker's executor supervisor died: finish the requests in flight and exit; gunicorn's
    master starts a replacement with a fresh supervisor (self-healing instead of a dead worker)."""
    import os
    import signal

    worker.log.error("bricskg: the query executor supervisor died; restarting this worker")
    os.kill(os.getpid(), signal.SIGTERM)  # the worker's own graceful-exit path


def when_ready(server: Any) -> None:
    """Print where the server listens (the real port when ``--port 0`` asked for any free one), and
    fix the server's public URL (``--base-url``, else this address) before the workers fork."""
    from bricskg.web.request_context import PUBLIC_URL

    app = server.app.wsgi()
    config = app.extensions.get("bricskg.config")
    if config is not None and server.LISTENERS:
        app.extensions[PUBLIC_URL] = config.public_url(server.LISTENERS[0].sock.getsockname()[1])
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"bricskg serving on http://{shown}:{port}/  (SPARQL endpoint: http://{shown}:{port}/sparql)")
    click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()


def make_gunicorn_application(app: Any, options: dict[str, Any]) -> Any:
    from gunicorn.app.base import BaseApplication

    class BricskgApplication(BaseApplication):  # type: ignore[misc]
        def __init__(self) -> None:
            self.application = app
            super().__init__()

        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings and (value is not None or key == "accesslog"):
                    self.cfg.set(key, value)  # settings this gunicorn version lacks are skipped

        def load(self) -> Any:
            return self.application

    return BricskgApplication()


def _backend_urls(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    query_url, _, update_url = value.partition(",")
    return query_url.strip() or None, update_url.strip() or None


def _build_config(**options: Any) -> Config:
    query_url, update_url = _backend_urls(options.pop("backend"))
    store = options.pop("store")
    data = options.pop("data")
    overrides: dict[str, Any] = {
        "store_path": Path(store) if store else None,
        "data_files": tuple(Path(path) for path in data),
        "backend_url": query_url,
        "backend_update_url": update_url,
        **options,
    }
    return Config.from_environment(**overrides)


def check_port_free(host: str, port: int) -> None:
    """Refuse, in one line, a host:port another process listens on — before the data is loaded and
    before any server front starts (gunicorn would retry for seconds, printing a trace each time).

    A trial bind with SO_REUSEADDR, as every server front sets it: a port left in TIME_WAIT by a
    stopped server is free, one with a listener is not. Port 0 (any free port) needs no check."""
    import errno
    import socket

    if port == 0:
        return
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UsageProblem(f"--host {host}: cannot resolve it ({error.strerror})") from None
    family, kind, protocol, _, address = addresses[0]
    with socket.socket(family, kind, protocol) as trial:
        trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            trial.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"port {port} on {host} is already in use by another program: stop it, or choose "
                    "another --port (--port 0 picks a free one)"
                ) from None
            if error.errno in (errno.EACCES, errno.EPERM):
                raise PortInUse(f"port {port} on {host}: permission denied (ports below 1024 need privileges)") from None
            if error.errno == errno.EADDRNOTAVAIL:
                raise UsageProblem(f"--host {host}: not an address of this machine") from None
            raise


class PortInUse(UsageProblem):
    """The port cannot be bound (in use, or privileged): exit 3, so scripts can tell it from bad options."""

    exit_code = 3


def _check(config: Config) -> Config:
    """Refuse combinations that would lose data or break the single-writer rule."""
    if config.base_url is not None and not config.base_url.startswith(("http://", "https://")):
        raise UsageProblem(f"--base-url must be an http:// or https:// URL, got {config.base_url!r}.")
    if config.writes_enabled and config.store_path is None and config.backend_url is None:
        raise UsageProblem(
            "writes are enabled (BRICSKG_ADMIN_TOKEN is set) but the store is in memory: every write would be lost "
            "at exit. Use --store PATH for a durable on-disk store, or unset BRICSKG_ADMIN_TOKEN."
        )
    # one writer process: the write path's lock serialises validation and commit (also over --backend)
    if config.writes_enabled and (config.store_path is not None or config.backend_url) and config.workers != 1:
        click.echo(
            f"note: writes are enabled on an on-disk store, so one worker holds the store (asked for {config.workers}); "
            "reads still run in parallel in its executor processes.",
            err=True,
        )
        from dataclasses import replace

        config = replace(config, workers=1)
    return config


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), help="On-disk Oxigraph store (created and loaded with the bundled data when empty); default: in memory.")
@click.option("--data", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Extra RDF file to load (Turtle, N-Triples, RDF/XML, TriG, N-Quads); repeatable.")
@click.option("--no-bundled", "load_bundled", flag_value=False, default=True, help="Do not load the bundled ontology and data.")
@click.option("--query-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds before a query is stopped and answered with 503, counted from when the request was received (time queued counts).")
@click.option("--update-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds a write's evaluation (an update's WHERE clause) may take; past it the write is answered 503 and nothing changes.")
@click.option("--query-memory", default=1024, show_default=True, type=click.IntRange(min=0), metavar="MIB", help="Memory one query may allocate (MiB, beyond the shared store) before it is stopped with 503; 0: no limit.")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds a client has to send a request's line and headers, from its first byte (else 408).")
@click.option("--body-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds a client has to send a request's body, from the end of its headers (else 408).")
@click.option("--base-url", default=None, metavar="URL", help="The server's public URL, used in the service description and Graph Store Location headers (never the request's Host header). Default: http://HOST:PORT of the bind address.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="gunicorn worker processes.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1), help="Queries run at once per worker: its executors (at most 8); at most half of them run queries longer than 0.5 s (a further long one gets 503 then). A query finding every executor busy waits at most 1 s, then 503 with Retry-After. Each worker has 2×N+4 request threads and queues at most 64 more requests (then 503 at once).")
@click.option("--max-result-bytes", default=64 * 1024 * 1024, show_default=True, type=click.IntRange(min=1024), help="Largest serialised query answer; larger answers get 400 asking for a LIMIT.")
@click.option("--backend", default=None, metavar="URL[,UPDATE_URL]", help="Serve over an external SPARQL 1.1 endpoint instead of the embedded store (docs/deploy.md). Credentials for an update endpoint that asks for them (Basic or Digest): BRICSKG_BACKEND_USER and BRICSKG_BACKEND_PASSWORD.")
@click.option("--backend-engine", default="auto", show_default=True, type=click.Choice(["auto", "generic", "virtuoso"]), help="The external engine's dialect (default graph, atomicity, blank nodes); auto reads it from the engine's Server header.")
@click.option("--no-inference", "inference", flag_value=False, default=True, help="Serve only the stated triples: no inferred graph (RDFS + OWL 2 RL entailments), no maintenance on writes.")
@click.option("--hermit", is_flag=True, default=None, help="Also add the class memberships HermiT entails beyond the OWL 2 RL rules (needs Java; seconds at start and after writes that touch defined classes).")
@click.option("--access-log/--no-access-log", default=False, show_default=True, help="Log every request to stdout.")
def command(access_log: bool, **options: Any) -> None:
    """Serve SPARQL 1.1 (/sparql), the linked-data pages and dumps over HTTP with gunicorn.

    The bundled ontology and data are loaded (plus any --data files); the default graph of a query
    is the union of all graphs. In memory (the default) that union is copied once at load into the
    default graph, so a triple stated in several graphs counts once; with --store it is formed per
    query and repeats such a triple once per graph (use DISTINCT). /health says which. Stop with
    Ctrl-C. Exits 3 at once when the port is taken (or privileged), 2 on bad options or data.
    """
    config = _check(_build_config(**options))
    check_port_free(config.host, config.port)
    from bricskg.dataset import UnsupportedFile
    from bricskg.store.base import BackendError
    from bricskg.store.factory import DataLoadError
    from bricskg.web.app import create_app

    try:
        app = create_app(config)
    except (UnsupportedFile, DataLoadError) as error:
        raise UsageProblem(str(error)) from None
    except OSError as error:  # e.g. an on-disk store that is locked or unreadable
        raise UsageProblem(f"could not open the store: {' '.join(str(error).split())}") from None
    except BackendError as error:  # --backend: the engine refused or missed the inferred graph's start-up
        raise UsageProblem(str(error)) from None
    make_gunicorn_application(app, build_options(config, access_log=access_log)).run()
