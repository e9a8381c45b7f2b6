"""Where the tests find the material that is not in the repository, and the one skip message for it.

The article and the W3C suites live in a read-only folder beside the repository (``../shared``) or
wherever ``$BRICSKG_SHARED`` points (``bricskg.paths.shared_dir``). A test that needs a missing part
skips, and every such skip says the same: what is missing, where it was looked for, the variable to
set and where to get it (README.md, "Test material"). ``pytest -rs`` lists them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bricskg.paths import SHARED_ENV, article_path, shared_dir

# What each part is and where a fresh clone gets it (repository @ commit, the folder to copy).
SOURCES = {
    "article": "the article, source/article.txt (not redistributable: ask the maintainers)",
    "sparql11": "w3c/rdf-tests @ ad541a5, folder sparql/sparql11 -> w3c-rdf-tests/sparql/sparql11",
    "shacl": "w3c/data-shapes @ ff9edb9, folder data-shapes-test-suite/tests -> w3c-shacl-tests/data-shapes-test-suite/tests",
}


def sparql11_dir() -> Path:
    """The SPARQL 1.1 folder of the W3C rdf-tests checkout (read in place, never copied)."""
    return shared_dir() / "w3c-rdf-tests" / "sparql" / "sparql11"


def shacl_suite_dir() -> Path:
    return shared_dir() / "w3c-shacl-tests" / "data-shapes-test-suite" / "tests"


def article() -> Path:
    return article_path()


def missing(part: str, path: Path) -> str:
    """The skip reason for a missing part: the same words in every test."""
    return (
        f"shared test material missing: {path} ({SOURCES[part]}). Set {SHARED_ENV} to the folder that holds "
        f"source/, w3c-rdf-tests/ and w3c-shacl-tests/ (default: ../shared beside the repository); "
        f"README.md, 'Test material', says where to get it."
    )


def require(part: str, path: Path, *, module: bool = False) -> Path:
    """``path`` when it exists; otherwise skip the test (or, ``module=True``, the whole module)."""
    if not path.exists():
        pytest.skip(missing(part, path), allow_module_level=module)
    return path


def cases(part: str, path: Path, found: list) -> list:
    """Parameters for a test over the suite's cases: the cases, or one case that skips with the
    shared message when the suite is missing (pytest would say only "got empty parameter set")."""
    if path.exists():
        return found
    return [pytest.param(None, marks=pytest.mark.skip(reason=missing(part, path)), id="material-missing")]
