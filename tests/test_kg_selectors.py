"""Quotes and offsets are checked against the source text and against each other: a quote edited from
"Iran" to "Iraq" no longer conforms, with or without the text at hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bricskg.cli import main
from bricskg.paths import article_path, data_dir
from shared_material import require

SENTENCE = "Similarly, Russia and Iran signed a Comprehensive Strategic Partnership Agreement"
EDITED = SENTENCE.replace("Iran", "Iraq")


def validate(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["validate", "--no-reasoner", *args], env=env)


def data_with(tmp_path: Path, old: str, new: str) -> list[str]:
    """--no-bundled --data for a copy of data/ with one edit in article.trig."""
    article = (data_dir() / "article.trig").read_text(encoding="utf-8")
    assert article.count(old) == 1
    (tmp_path / "article.trig").write_text(article.replace(old, new), encoding="utf-8")
    shutil.copy(data_dir() / "reference.trig", tmp_path / "reference.trig")
    return ["--no-bundled", "--data", str(tmp_path / "article.trig"), "--data", str(tmp_path / "reference.trig")]


@pytest.fixture(scope="module")
def article_text() -> str:
    require("article", article_path())  # a fresh clone without ../shared skips with the shared message
    return article_path().read_text(encoding="utf-8")


def test_the_shipped_selectors_match_the_article_found_by_default(article_text: str) -> None:
    result = validate()
    assert result.exit_code == 0, result.output
    assert "text checked for 1" in result.output


def test_a_quote_changed_from_iran_to_iraq_fails_against_the_source(tmp_path: Path, article_text: str) -> None:
    result = validate(*data_with(tmp_path, f'oa:exact "{SENTENCE}', f'oa:exact "{EDITED}'), "--source", str(article_path()))
    assert result.exit_code == 1, result.output
    assert "bkgsh:SelectorsMatchTheSource" in result.output
    assert "Iraq" in result.output


def test_an_edited_quote_fails_against_a_source_file_found_in_the_source_folder(tmp_path: Path, article_text: str) -> None:
    """The default: <source folder>/<name>.txt, here a folder whose article.txt says Iraq."""
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "article.txt").write_text(article_text.replace(SENTENCE, EDITED), encoding="utf-8")
    result = validate(env={"BRICSKG_SOURCE_DIR": str(folder)})
    assert result.exit_code == 1, result.output
    assert "bkgsh:SelectorsMatchTheSource" in result.output


def test_offsets_that_disagree_with_the_neighbouring_selectors_fail_without_any_text(tmp_path: Path) -> None:
    """No source at hand (an empty source folder): the edited word lies within the suffix that the
    previous segment's quote selector records, so the two selectors name different characters."""
    args = data_with(tmp_path, f'oa:exact "{SENTENCE}', f'oa:exact "{EDITED}')
    empty = tmp_path / "no-sources"
    empty.mkdir()
    result = validate(*args, env={"BRICSKG_SOURCE_DIR": str(empty)})
    assert result.exit_code == 1, result.output
    assert "bkgsh:SelectorsAgree" in result.output
    assert "no text for <https://w3id.org/bricskg/source/article>" in result.output


def test_a_quote_whose_length_is_not_its_offsets_fails_without_any_text(tmp_path: Path) -> None:
    empty = tmp_path / "no-sources"
    empty.mkdir()
    args = data_with(tmp_path, f'oa:exact "{SENTENCE}', f'oa:exact "{SENTENCE.replace("Iran", "Iran ")}')
    result = validate(*args, env={"BRICSKG_SOURCE_DIR": str(empty)})
    assert result.exit_code == 1, result.output
    assert "bkgsh:SelectorsAgree" in result.output


def test_a_missing_source_file_is_a_usage_error(tmp_path: Path) -> None:
    result = validate("--source", str(tmp_path / "nowhere.txt"))
    assert result.exit_code == 2
    assert "no such source file" in result.output
