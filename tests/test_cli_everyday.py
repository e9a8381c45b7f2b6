"""The command line as people use it: files keep the umask, what export writes the other commands
read, errors name the file once and point at the mistake, a taken port is one line."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bricskg.cli import main
from test_write_validation import EX, G1, make_home

HERE = Path(__file__).parent
SAMPLE = HERE / "checks" / "sample.trig"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def test_export_to_a_new_file_gets_the_mode_the_umask_allows(tmp_path, umask_027):
    target = tmp_path / "claims.ttl"
    assert run("export", "--no-bundled", "--data", str(SAMPLE), "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # 0666 less 027, not mkstemp's 0600


def test_export_over_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "claims.nt"
    target.write_text("")
    target.chmod(0o664)
    assert run("export", "--no-bundled", "--data", str(SAMPLE), "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o664
    assert target.stat().st_size > 0


def test_validate_reads_the_json_ld_that_export_writes_as_it_reads_the_trig(tmp_path):
    outcomes = {}
    for suffix in (".trig", ".jsonld"):  # both keep the named graphs
        exported = tmp_path / f"claims{suffix}"
        assert run("export", "--no-bundled", "--data", str(SAMPLE), "--all", "-o", str(exported)).exit_code == 0
        result = run("validate", "--no-reasoner", "--no-bundled", "--data", str(exported), "--format", "json")
        assert result.exit_code in (0, 1), result.output
        outcomes[suffix] = (result.exit_code, result.output.count('"focusNode"'))
    assert outcomes[".jsonld"] == outcomes[".trig"]


def test_load_accepts_the_json_ld_that_export_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("BRICSKG_HOME", str(make_home(tmp_path / "home")))
    monkeypatch.delenv("BRICSKG_STORE", raising=False)
    valid = tmp_path / "valid.ttl"
    valid.write_text(f'@prefix ex: <{EX}> . ex:gina a ex:Person ; ex:name "Gina" .', encoding="utf-8")
    exported = tmp_path / "valid.jsonld"
    assert run("export", "--no-bundled", "--data", str(valid), "-o", str(exported)).exit_code == 0
    result = run("load", str(exported), "--store", str(tmp_path / "store"), "--graph", G1)
    assert result.exit_code == 0, result.output
    assert "2 new quad(s)" in result.output


def test_a_load_syntax_error_names_the_file_once_with_line_and_column(tmp_path, monkeypatch):
    monkeypatch.setenv("BRICSKG_HOME", str(make_home(tmp_path / "home")))
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ;;\n", encoding="utf-8")
    result = run("load", str(bad), "--store", str(tmp_path / "store"))
    assert result.exit_code == 2
    line = result.output.strip()
    assert line.count("broken.ttl") == 1, line
    assert f"{bad}:3:" in line or f"{bad}:2:" in line, line


@pytest.mark.parametrize(
    "query, where, wanted",
    [
        ("SELEC ?x WHERE {", "query:1:1:", "expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'"),
        ("PREFIX ex: <http://example.org/>\n  SELCT ?x WHERE { ?x ?p ?o }", "query:2:3:", "found 'SELCT'"),
        ("SELECT ?x WHERE { ?x ?p ?o", "query:1:27:", "1 '{' not closed"),
    ],
)
def test_a_query_syntax_error_points_at_the_mistake(query, where, wanted):
    result = run("query", "--no-bundled", "--data", str(SAMPLE), query)
    assert result.exit_code == 2
    assert where in result.output and wanted in result.output, result.output
    assert "expected CONSTRUCT" not in result.output


def test_serve_on_a_taken_port_says_so_in_one_line_at_once():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        process = subprocess.run(
            [sys.executable, "-c", "from bricskg.cli import main; main()", "serve", "--port", str(port), "--no-bundled"],
            capture_output=True, text=True, timeout=120,
        )
        elapsed = time.monotonic() - started
    assert process.returncode == 3, process.stderr
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"port {port}" in lines[0] and "already in use" in lines[0], process.stderr
    assert "gunicorn" not in process.stderr.lower() and "Retrying" not in process.stderr
    print(f"serve on a taken port exited after {elapsed:.2f} s")


def test_export_writes_compact_json_ld_that_reads_as_the_trig():
    """JSON-LD keeps the claim graphs, as TriG does; compact, with the server's context embedded."""
    import json

    import rdflib
    from rdflib.compare import isomorphic

    from bricskg.jsonld_compact import context_document

    def graphs(body: bytes, syntax: str) -> dict:
        dataset = rdflib.Dataset()
        dataset.parse(data=body, format=syntax)
        found: dict = {}
        for s, p, o, g in dataset.quads((None, None, None, None)):
            found.setdefault(str(getattr(g, "identifier", g)), rdflib.Graph()).add((s, p, o))
        return found

    trig = run("export", "--no-bundled", "--data", str(SAMPLE), "--format", "trig").stdout_bytes
    jsonld = run("export", "--no-bundled", "--data", str(SAMPLE), "--format", "jsonld").stdout_bytes
    assert json.loads(jsonld)["@context"] == context_document()["@context"]
    expected, got = graphs(trig, "trig"), graphs(jsonld, "json-ld")
    assert expected and set(got) == set(expected)
    assert all(isomorphic(got[name], graph) for name, graph in expected.items())


@pytest.mark.parametrize("command", ["load", "validate"])
def test_a_json_ld_file_naming_a_remote_context_is_refused_without_fetching_it(tmp_path, monkeypatch, command):
    import json

    from loopback_listener import LoopbackListener

    monkeypatch.setenv("BRICSKG_HOME", str(make_home(tmp_path / "home")))
    listener = LoopbackListener()
    try:
        document = tmp_path / "remote.jsonld"
        document.write_text(json.dumps({"@context": listener.url + "/context.jsonld", "@id": EX + "gina", "name": "Gina"}))
        args = ["load", str(document), "--store", str(tmp_path / "store")] if command == "load" else ["validate", "--no-reasoner", "--data", str(document)]
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.output.count("remote.jsonld") == 1 and "Traceback" not in result.output
        assert "no context is ever fetched" in result.output
        listener.assert_untouched(f"bricskg {command} of a JSON-LD file with a remote context")
    finally:
        listener.close()
