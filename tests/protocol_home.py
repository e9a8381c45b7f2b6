"""A project home for suites that write opaque test data: bricskg's shapes without the dataset rules.

The W3C protocol suites and the HTTP load test write FOAF-style or ``urn:`` statements into the
default graph and into graphs of their own naming; shapes/dataset.ttl rightly refuses those (no
claim, no provenance, undeclared vocabulary). These suites test the protocol, atomicity and load,
so their server runs on a home whose shapes folder holds every bundled shape file but that one:
every write still goes through the same gate and the same per-node shapes as before.
``test_write_bundled_shapes.py`` and ``test_kg_validation_holes.py`` test the dataset rules.
"""

from __future__ import annotations

from pathlib import Path

from bricskg.paths import data_dir, ontology_dir, shapes_dir

DATASET_RULES = "dataset.ttl"


def protocol_home(root: Path, *, with_data: bool = False) -> Path:
    home = root / "protocol-home"
    shapes = home / "shapes"
    shapes.mkdir(parents=True, exist_ok=True)
    for path in sorted(shapes_dir().glob("*.ttl")):
        if path.name != DATASET_RULES and not (shapes / path.name).exists():
            (shapes / path.name).symlink_to(path)
    if not (home / "ontology").exists():
        (home / "ontology").symlink_to(ontology_dir(), target_is_directory=True)
    if not (home / "data").exists():
        if with_data:
            (home / "data").symlink_to(data_dir(), target_is_directory=True)
        else:
            (home / "data").mkdir()
    return home
