"""The maintainers' loop: author a claim from a source text (selectors computed), validate the file
(TriG or JSON-LD) or a store, and write a store's claims back to the data/ files byte-reproducibly."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from bricskg.authoring import segment_spans
from bricskg.cli import main
from bricskg.dataset import open_memory_store
from bricskg.paths import article_path, data_dir
from bricskg.split import split_files
from bricskg.validation.selectors import segments
from shared_material import require

NOTES = "Field notes on BRICS\nBrazil and India are members of BRICS. Nothing else was said.\n"
NOTES_IRI = "https://w3id.org/bricskg/source/notes"
CLAIM_TRIPLES = """    bkgr:brazil a bkg:State ; rdfs:label "Brazil"@en .
    bkgr:india a bkg:State ; rdfs:label "India"@en ."""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def graphs(trig: str | Path) -> dict[str, rdflib.Graph]:
    dataset = rdflib.Dataset()
    if isinstance(trig, Path):
        dataset.parse(trig, format="trig")
    else:
        dataset.parse(data=trig, format="trig")
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def article() -> Path:
    """The article's text file; a clone without ../shared skips with the shared-material message."""
    return require("article", article_path())


def test_the_segmenter_finds_the_articles_thirty_segments_at_their_recorded_offsets() -> None:
    text = article().read_text(encoding="utf-8")
    recorded = {(s.start, s.end) for s in segments(open_memory_store())}
    assert {(s.start, s.end) for s in segment_spans(text)} == recorded


def test_author_claim_writes_the_shipped_selectors_of_sentence_17() -> None:
    result = run("author", "claim", "--source", str(article()), "--sentence", "17",
                 "--slug", "brics-ai-value-forecast", "--modality", "forecast")
    assert result.exit_code == 0, result.output
    authored = graphs(result.output)["https://w3id.org/bricskg/graph/provenance"]
    segment = rdflib.URIRef("https://w3id.org/bricskg/source/article/s17")
    shipped = graphs(data_dir() / "article.trig")["https://w3id.org/bricskg/graph/provenance"]

    def describe(graph: rdflib.Graph) -> rdflib.Graph:
        out = rdflib.Graph()
        for triple in graph.triples((segment, None, None)):
            out.add(triple)
            if isinstance(triple[2], rdflib.BNode):
                out += graph.triples((triple[2], None, None))
        return out

    assert isomorphic(describe(authored), describe(shipped))
    record = rdflib.URIRef("https://w3id.org/bricskg/claim/brics-ai-value-forecast")
    assert (record, rdflib.URIRef("https://w3id.org/bricskg/ontology/modality"),
            rdflib.URIRef("https://w3id.org/bricskg/ontology/modalityForecast")) in authored


def test_a_quote_that_occurs_twice_or_never_is_a_usage_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    for quote in ("BRICS", "Argentina"):
        result = run("author", "claim", "--source", str(notes), "--quote", quote, "--slug", "x")
        assert result.exit_code == 2, result.output


def authored_notes_claim(folder: Path) -> tuple[Path, Path]:
    notes = folder / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    claim = folder / "claim.trig"
    result = run("author", "claim", "--source", str(notes), "--quote", "Brazil and India are members of BRICS.",
                 "--slug", "notes-brazil-and-india", "--title", "Field notes on BRICS", "-o", str(claim))
    assert result.exit_code == 0, result.output
    text = claim.read_text(encoding="utf-8")
    claim.write_text(text.replace('    # bkgr:… a bkg:… ; rdfs:label "…"@en ; bkg:… bkgr:… .', CLAIM_TRIPLES), encoding="utf-8")
    return notes, claim


def test_a_claim_of_another_source_is_authored_and_validated_like_the_articles(tmp_path: Path) -> None:
    article()  # validate checks the article's selectors too ("text checked for 2")
    notes, claim = authored_notes_claim(tmp_path)
    result = run("validate", "--no-reasoner", "--data", str(claim), "--source", f"{NOTES_IRI}={notes}")
    assert result.exit_code == 0, result.output
    assert "text checked for 2" in result.output
    claim.write_text(claim.read_text(encoding="utf-8").replace('oa:exact "Brazil and India', 'oa:exact "Brasil and India'))
    result = run("validate", "--no-reasoner", "--data", str(claim), "--source", f"{NOTES_IRI}={notes}")
    assert result.exit_code == 1, result.output
    assert "bkgsh:SelectorsMatchTheSource" in result.output


def test_validate_reads_the_json_ld_that_export_writes(tmp_path: Path) -> None:
    exported = tmp_path / "all.jsonld"
    assert run("export", "--with-provenance", "--with-reference", "-o", str(exported)).exit_code == 0
    result = run("validate", "--no-reasoner", "--no-bundled", "--data", str(exported))
    assert result.exit_code == 0, result.output
    assert "30 segment(s)" in result.output


@pytest.mark.parametrize("edit_is_valid", [True, False])
def test_an_edit_to_a_store_is_written_back_to_data_files_that_validate(tmp_path: Path, edit_is_valid: bool) -> None:
    """A store that took a write (as over HTTP: the same Writer) -> validate --store -> export
    --split-to -> files that hold the edit, validate as data/, and come out byte-identical again."""
    from bricskg.store.writer import EmbeddedTarget, Writer

    article()  # the files are validated against the article's text
    store_path = tmp_path / "store"
    notes, claim = authored_notes_claim(tmp_path)
    assert run("load", str(claim), "--store", str(store_path)).exit_code == 0
    store = ox.Store(str(store_path))
    label = "Brasil" if edit_is_valid else "Brasil\u0001"
    try:
        Writer(EmbeddedTarget(store), validate=edit_is_valid).update(
            "INSERT DATA { GRAPH <https://w3id.org/bricskg/graph/reference> { <https://w3id.org/bricskg/id/brazil> "
            f'<http://www.w3.org/2004/02/skos/core#altLabel> "{label}"@pt }} }}'
        )
        store.flush()
    finally:
        del store
    checked = run("validate", "--no-reasoner", "--store", str(store_path), "--source", f"{NOTES_IRI}={notes}",
                  "--source", f"https://w3id.org/bricskg/source/article={article_path()}")
    assert checked.exit_code == (0 if edit_is_valid else 1), checked.output
    if not edit_is_valid:
        return
    out = tmp_path / "data"
    out.mkdir()
    assert run("export", "--store", str(store_path), "--split-to", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["article.trig", "notes.trig", "reference.trig"]
    assert '"Brasil"@pt' in (out / "reference.trig").read_text(encoding="utf-8")
    assert "notes-brazil-and-india" in (out / "notes.trig").read_text(encoding="utf-8")
    files = [arg for p in sorted(out.iterdir()) for arg in ("--data", str(p))]
    result = run("validate", "--no-reasoner", "--no-bundled", *files, "--source", f"{NOTES_IRI}={notes}",
                 "--source", f"https://w3id.org/bricskg/source/article={article_path()}")
    assert result.exit_code == 0, result.output
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    reloaded = ox.Store()
    for path in sorted(out.iterdir()):
        reloaded.load(path=str(path), format=ox.RdfFormat.TRIG)
    assert split_files(reloaded) == first


def test_the_split_of_the_bundled_data_is_the_data_files_graph_by_graph() -> None:
    files = split_files(open_memory_store())
    assert sorted(files) == sorted(p.name for p in data_dir().glob("*.trig"))
    for name, body in files.items():
        written, shipped = graphs(body.decode()), graphs(data_dir() / name)
        assert written.keys() == shipped.keys(), name
        assert all(isomorphic(written[g], shipped[g]) for g in written), name


def test_export_split_to_needs_an_existing_folder(tmp_path: Path) -> None:
    result = run("export", "--split-to", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "no such folder" in result.output
