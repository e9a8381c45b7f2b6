"""``bricskg serve`` as a command: startup line, clean stop on Ctrl-C/SIGTERM, one-line errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from live_server import descendants
from live_server import start_server

SERVE = [sys.executable, "-c", "from bricskg.cli import main; main()", "serve"]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_with_every_child_process(stop_signal):
    server = start_server("--workers", "2", "--threads", "2")
    try:
        assert server.query("ASK {}").status_code == 200  # executors started
        expected = 2 + 2 * (1 + 2)  # 2 workers, each with a zygote and 2 executors
        deadline = time.monotonic() + 20
        children = descendants(server.process.pid)
        while len(children) < expected and time.monotonic() < deadline:  # the second worker may lag
            time.sleep(0.1)
            children = descendants(server.process.pid)
        assert len(children) >= expected
        server.process.send_signal(stop_signal)
        assert server.process.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        server.stop()


def test_startup_prints_the_url(live_server):
    assert f"bricskg serving on {live_server.url}/" in live_server.log()
    assert requests.get(live_server.url + "/health", timeout=10).status_code == 200


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "BRICSKG_ADMIN_TOKEN"}
    environment.update(env or {})
    return subprocess.run([*SERVE, "--port", "0", *args], capture_output=True, text=True, timeout=120, env=environment)


def test_malformed_data_file_is_one_line_naming_the_file(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/s> <http://e/p> .\n", encoding="utf-8")
    result = _run("--no-bundled", "--data", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "line 1" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_file_type_is_refused(tmp_path: Path):
    odd = tmp_path / "data.xyz"
    odd.write_text("x", encoding="utf-8")
    result = _run("--no-bundled", "--data", str(odd))
    assert result.returncode == 2 and "unknown RDF file type" in result.stderr


def test_writes_on_an_in_memory_store_are_refused_at_startup():
    result = _run("--no-bundled", env={"BRICSKG_ADMIN_TOKEN": "secret"})
    assert result.returncode == 2 and "--store" in result.stderr and "secret" not in result.stderr


def test_on_disk_store_is_created_loaded_and_served_like_memory(tmp_path: Path, live_server):
    store = tmp_path / "store"
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    server = start_server("--store", str(store))
    try:
        assert any(store.iterdir())  # created on first start
        on_disk = server.query(query).json()["results"]["bindings"][0]["n"]["value"]
        in_memory = live_server.query(query).json()["results"]["bindings"][0]["n"]["value"]
        assert on_disk == in_memory
        assert requests.get(server.url + "/health", timeout=10).json()["store"] == "disk"
    finally:
        server.stop()


def test_wsgi_module_runs_under_plain_gunicorn_with_executors(tmp_path: Path):
    """``gunicorn -c python:bricskg.wsgi bricskg.wsgi:application``: same app, same timeout design."""
    import re

    log = tmp_path / "gunicorn.log"
    env = {key: value for key, value in os.environ.items() if key != "BRICSKG_ADMIN_TOKEN"}
    env.update(BRICSKG_BIND="127.0.0.1:0", BRICSKG_WORKERS="1", BRICSKG_THREADS="2", BRICSKG_QUERY_TIMEOUT="1")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(gunicorn), "-c", "python:bricskg.wsgi", "bricskg.wsgi:application"],
            stdout=output, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True,
        )
    try:
        deadline, url = time.monotonic() + 90, None
        while url is None and time.monotonic() < deadline and process.poll() is None:
            match = re.search(r"serving on (http://\S+?)/\s", log.read_text(errors="replace"))
            url = match.group(1) if match else None
            time.sleep(0.2)
        assert url, log.read_text(errors="replace")
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        assert requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=10).json()["boolean"] is True
        runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        assert requests.get(url + "/sparql", params={"query": runaway}, timeout=30).status_code == 503
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
