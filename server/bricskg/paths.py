"""Where the bundled ontology, data and shapes live.

The repository layout (ontology/, data/, shapes/ beside server/) is fixed by the project, so the
package finds them relative to its own source tree; ``BRICSKG_HOME`` points elsewhere for an
installation that keeps them apart from the code.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder that holds ontology/, data/ and shapes/."""
    override = os.environ.get("BRICSKG_HOME")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


def ontology_dir() -> Path:
    return project_root() / "ontology"


def data_dir() -> Path:
    return project_root() / "data"


def shapes_dir() -> Path:
    return project_root() / "shapes"


SHARED_ENV = "BRICSKG_SHARED"


def shared_dir() -> Path:
    """The read-only folder with the article and the W3C test suites (``source/``,
    ``w3c-rdf-tests/``, ``w3c-shacl-tests/``): ``$BRICSKG_SHARED``, else ``../shared`` beside the
    repository. Only tests read it; README.md ("Test material") says where to get each part."""
    override = os.environ.get(SHARED_ENV)
    if override:
        return Path(override).resolve()
    return project_root().parent / "shared"


def article_path() -> Path:
    """The article the graph is about; read by tests that check every quote against it."""
    return shared_dir() / "source" / "article.txt"
