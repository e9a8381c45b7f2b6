"""``bricskg validate``: SHACL shapes, the selectors against their source texts, and the HermiT reasoner.

What is validated: the bundled ontology and data/ plus any ``--data FILE`` (TriG, N-Quads, JSON-LD as
``bricskg export`` writes it, or a triples syntax -- whose statements land in the default graph,
which the shapes refuse: claims live in named graphs), or an on-disk store (``--store PATH``, as
``bricskg serve --store`` and ``bricskg load`` keep it; opened read-only, so a running server may
hold it).

Exit status: 0 when the data conforms and is consistent, 1 on any violation or inconsistency,
2 on usage errors (a missing or malformed file, an unknown format, no Java for the reasoner).
"""

from __future__ import annotations

from pathlib import Path

import click
import rdflib

from bricskg.cli.errors import UsageProblem
from bricskg.cli.inputs import dataset_options, open_dataset
from bricskg.cli.sources import selector_report, source_option
from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.validation.report import REASONER_COMPONENT, REASONER_SHAPE
from bricskg.validation import (
    ReasonerFailed,
    ReasonerUnavailable,
    ShapesError,
    ValidationReport,
    ValidationResult,
    reason,
    validate_dataset,
)

def reasoner_report(store: object) -> ValidationReport:
    """HermiT's verdict; input it cannot process is a failed check (exit 1), not a usage error."""
    try:
        return reason(store).to_report()  # type: ignore[arg-type]
    except ReasonerFailed as error:
        return ValidationReport(
            [
                ValidationResult(
                    focus_node=rdflib.URIRef(ONTOLOGY_GRAPH),
                    message=f"HermiT could not process ontology and data: {error}",
                    source_shape=REASONER_SHAPE,
                    constraint_component=REASONER_COMPONENT,
                    checker="reasoner",
                )
            ],
            {"reasoner": "HermiT: FAILED"},
        )


def open_store_read_only(path: Path) -> object:
    """An on-disk store, read-only (a running server may have it open for writing)."""
    import pyoxigraph

    if not path.is_dir() or not (path / "CURRENT").exists():
        raise UsageProblem(f"{path}: not an Oxigraph store (no CURRENT file)")
    try:
        return pyoxigraph.Store.read_only(str(path))
    except OSError as error:
        raise UsageProblem(f"{path}: cannot open the store: {' '.join(str(error).split())}") from None


RENDERERS = {
    "text": ValidationReport.to_text,
    "json": ValidationReport.to_json,
    "turtle": ValidationReport.to_turtle,
}


@click.command(name="validate")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="Report format: text for people, json or turtle (a sh:ValidationReport) for machines.",
)
@dataset_options
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Validate this on-disk store (read-only) instead of the bundled files; not with --data.",
)
@source_option
@click.option("--no-reasoner", is_flag=True, help="Run the SHACL shapes only (HermiT needs Java and takes seconds).")
@click.option(
    "--shapes",
    "shapes_directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A folder of SHACL Turtle files to use instead of the bundled shapes/.",
)
def command(
    output_format: str,
    data_files: tuple[Path, ...],
    no_bundled: bool,
    store_path: Path | None,
    sources: tuple[str, ...],
    no_reasoner: bool,
    shapes_directory: Path | None,
) -> None:
    """Check the ontology and data with the SHACL shapes, the source texts and the HermiT reasoner.

    Validates the bundled ontology and data/ (plus any --data FILE: .trig .nq
    .jsonld keep their named graphs), or an on-disk store with --store PATH,
    against shapes/; checks every quote and position selector against the text
    of its source (--source, or SOURCE_DIR/<name>.txt) and against the other
    selectors; then runs HermiT over all of it: an inconsistency (for example an
    individual in two disjoint classes) is reported with the clashing axioms.
    Exits 1 on any violation or inconsistency, 0 when everything conforms.
    """
    if store_path is not None and (data_files or no_bundled):
        raise UsageProblem("--store validates a store as it is: leave out --data and --no-bundled")
    store = open_store_read_only(store_path) if store_path is not None else open_dataset(data_files, no_bundled)
    try:
        report = validate_dataset(store, shapes_directory=shapes_directory)
        report = report.merged(selector_report(store, sources))
        if not no_reasoner:
            report = report.merged(reasoner_report(store))
    except ShapesError as error:
        raise UsageProblem(f"shapes: {error}") from None
    except ReasonerUnavailable as error:
        raise UsageProblem(f"reasoner: {error}") from None
    click.echo(RENDERERS[output_format](report), nl=False)
    raise SystemExit(0 if report.conforms else 1)
