"""The WSGI application for running under your own gunicorn (``bricskg serve`` does this for you).

    gunicorn -c python:bricskg.wsgi bricskg.wsgi:application

``-c python:bricskg.wsgi`` matters: it brings the ``post_fork`` hook that starts each worker's query
executors while the worker is single-threaded, the buffering worker class (requests read completely,
with deadlines, before a thread sees them: ``bricskg.front.worker``) and the preload settings. Configuration comes
from the environment: ``BRICSKG_STORE`` (on-disk store path), ``BRICSKG_DATA`` (extra files,
separated by ``os.pathsep``), ``BRICSKG_QUERY_TIMEOUT`` (seconds), ``BRICSKG_WORKERS``,
``BRICSKG_THREADS``, ``BRICSKG_BIND`` (host:port), ``BRICSKG_BASE_URL`` (the public URL, default the
bind address), ``BRICSKG_ADMIN_TOKEN`` (enables writes), ``BRICSKG_QUERY_MEMORY`` (MiB one query may
allocate; 0 = no limit).
"""

from __future__ import annotations

import os
from pathlib import Path

from bricskg.cli.serve import build_options, post_fork, when_ready  # noqa: F401  (gunicorn reads the hooks here)
from bricskg.config import Config
from bricskg.web.app import create_app


def _config_from_environment() -> Config:
    env = os.environ
    host, _, port = env.get("BRICSKG_BIND", "127.0.0.1:8000").rpartition(":")
    data = [Path(item) for item in env.get("BRICSKG_DATA", "").split(os.pathsep) if item]
    return Config.from_environment(
        host=host or "127.0.0.1",
        port=int(port or 8000),
        store_path=Path(env["BRICSKG_STORE"]) if env.get("BRICSKG_STORE") else None,
        data_files=tuple(data),
        query_timeout=float(env["BRICSKG_QUERY_TIMEOUT"]) if env.get("BRICSKG_QUERY_TIMEOUT") else None,
        workers=int(env["BRICSKG_WORKERS"]) if env.get("BRICSKG_WORKERS") else None,
        threads=int(env["BRICSKG_THREADS"]) if env.get("BRICSKG_THREADS") else None,
        query_memory=int(env["BRICSKG_QUERY_MEMORY"]) if env.get("BRICSKG_QUERY_MEMORY") else None,
        base_url=env.get("BRICSKG_BASE_URL") or None,
    )


bricskg_config = _config_from_environment()  # not "config": gunicorn reads that name as a setting
application = create_app(bricskg_config)

_options = build_options(bricskg_config, access_log=False)
bind = _options["bind"]
workers = _options["workers"]
worker_class = _options["worker_class"]
threads = _options["threads"]
preload_app = _options["preload_app"]
timeout = _options["timeout"]
limit_request_line = _options["limit_request_line"]
control_socket_disable = True
