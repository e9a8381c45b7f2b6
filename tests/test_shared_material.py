"""Tests that need the article or the W3C suites find them in one place and, without them, skip
with one message that says what is missing and how to get it (never a silent or ad-hoc skip)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from shared_material import SOURCES, missing

from bricskg.paths import SHARED_ENV, article_path, project_root, shared_dir

TESTS = Path(__file__).parent
W3C_MODULES = ["test_w3c_query_suite.py", "test_w3c_protocol.py", "test_w3c_protocol_updates.py", "test_w3c_graph_store.py"]


def test_the_shared_folder_comes_from_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(SHARED_ENV, str(tmp_path))
    assert shared_dir() == tmp_path.resolve()
    assert article_path() == tmp_path.resolve() / "source" / "article.txt"
    monkeypatch.delenv(SHARED_ENV)
    assert shared_dir() == project_root().parent / "shared"


def test_no_test_builds_a_shared_path_or_words_its_skip_on_its_own():
    offenders = []
    for path in sorted(TESTS.glob("*.py")):
        if path.name in ("shared_material.py", Path(__file__).name):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r'/ "shared"|"\.\./shared|w3c-rdf-tests"|w3c-shacl-tests"', text):
            offenders.append(f"{path.name}: builds a shared path (use shared_material)")
        for reason in re.findall(r"(?:pytest\.skip|skipif)\((.*)", text):
            if re.search(r"test suite|suite not found|not found at|the article|\.\./shared|no manifest", reason, re.IGNORECASE) and not re.search(r"missing\(|require\(", reason):
                offenders.append(f"{path.name}: own skip wording: {reason.strip()[:80]}")
    assert offenders == []


def test_the_skip_message_names_the_path_the_variable_the_source_and_the_readme():
    message = missing("sparql11", Path("/nowhere/w3c-rdf-tests/sparql/sparql11"))
    assert "/nowhere/w3c-rdf-tests/sparql/sparql11" in message and SHARED_ENV in message
    assert "w3c/rdf-tests @ ad541a5" in message and "README.md, 'Test material'" in message


def test_the_readme_says_what_each_part_is_and_where_to_get_it():
    readme = (project_root() / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Test material outside the repository.**"):]
    assert SHARED_ENV in section
    for repository, commit in (("w3c/rdf-tests", "ad541a5"), ("w3c/data-shapes", "ff9edb9")):
        assert repository in section and commit in section
        assert any(repository in source and commit in source for source in SOURCES.values())


def test_without_the_material_the_w3c_modules_skip_with_the_one_message(tmp_path):
    env = {**os.environ, SHARED_ENV: str(tmp_path / "absent")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *(str(TESTS / name) for name in W3C_MODULES)],
        capture_output=True, text=True, timeout=600, env=env, cwd=project_root(),
    )
    skips = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and "failed" not in run.stdout.splitlines()[-1], run.stdout[-2000:]
    expected_start = f"shared test material missing: {tmp_path / 'absent'}"
    for line in skips:
        assert expected_start in line and SHARED_ENV in line and "README.md, 'Test material'" in line, line
