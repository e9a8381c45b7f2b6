"""``bricskg load`` (validated bulk load: the whole file or nothing) and ``bricskg backup``."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bricskg.cli import main
from test_write_validation import EX, G1, make_home

AUDIT = ox.NamedNode("https://w3id.org/bricskg/graph/audit")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRICSKG_HOME", str(make_home(tmp_path / "home")))
    monkeypatch.delenv("BRICSKG_STORE", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def quads(store_path: Path) -> set[str]:
    store = ox.Store(str(store_path))
    try:
        return {str(quad) for quad in store if quad.graph_name != AUDIT}
    finally:
        del store


def test_load_adds_a_valid_file_and_records_it_in_the_audit_graph(home: Path) -> None:
    data = home / "more.ttl"
    data.write_text(f'@prefix ex: <{EX}> . ex:gina a ex:Person ; ex:name "Gina" ; ex:knows ex:alice .', encoding="utf-8")
    result = run("load", str(data), "--store", str(home / "store"), "--graph", G1)
    assert result.exit_code == 0, result.output
    assert "3 new quad(s)" in result.output
    store = ox.Store(str(home / "store"))
    assert ox.Quad(ox.NamedNode(EX + "gina"), ox.NamedNode(EX + "name"), ox.Literal("Gina"), ox.NamedNode(G1)) in store
    agents = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/prov#wasAssociatedWith"), None, AUDIT)}
    assert agents == {"https://w3id.org/bricskg/agent/cli"}


def test_load_refuses_the_whole_file_when_one_statement_violates_the_shapes(home: Path) -> None:
    store_path = home / "store"
    assert run("load", str(_valid(home)), "--store", str(store_path), "--graph", G1).exit_code == 0
    before = quads(store_path)
    bad = home / "bad.trig"
    bad.write_text(
        f'@prefix ex: <{EX}> . <{G1}> {{ ex:hal a ex:Person ; ex:name "Hal" . ex:ivy a ex:Person . }}', encoding="utf-8"
    )
    result = run("load", str(bad), "--store", str(store_path))
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output and "ivy" in result.output
    assert quads(store_path) == before  # not even the valid half (ex:hal)


def test_load_names_the_file_and_position_of_a_syntax_error(home: Path) -> None:
    bad = home / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    result = run("load", str(bad), "--store", str(home / "store"))
    assert result.exit_code == 2
    assert "broken.ttl" in result.output and "2" in result.output
    assert "Traceback" not in result.output


def test_backup_copies_the_store_and_the_copy_serves_the_same_quads(home: Path) -> None:
    store_path = home / "store"
    assert run("load", str(_valid(home)), "--store", str(store_path), "--graph", G1).exit_code == 0
    result = run("backup", str(home / "backup"), "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert quads(home / "backup") == quads(store_path)
    again = run("backup", str(home / "backup"), "--store", str(store_path))
    assert again.exit_code == 2 and "already exists" in again.output


def test_backup_refuses_a_store_that_a_server_holds_open(home: Path) -> None:
    store_path = home / "store"
    assert run("load", str(_valid(home)), "--store", str(store_path), "--graph", G1).exit_code == 0
    holder = ox.Store(str(store_path))  # stands in for a running server's writer
    try:
        result = run("backup", str(home / "backup"), "--store", str(store_path))
    finally:
        del holder
    assert result.exit_code == 2
    assert "open in another process" in result.output
    assert not (home / "backup").exists()


def _valid(home: Path) -> Path:
    path = home / "valid.ttl"
    path.write_text(f'@prefix ex: <{EX}> . ex:gina a ex:Person ; ex:name "Gina" .', encoding="utf-8")
    return path
