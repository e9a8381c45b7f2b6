"""``--source [IRI=]FILE``: which text each source's selectors are checked against.

Shared by ``validate`` (which checks every selector against its text) and ``author`` (which computes
selectors from a text). A plain FILE names the text of the one source the data has segments of; with
several, each must be named ``IRI=FILE``. Without ``--source``, a source's text is looked up in the
source folder (``BRICSKG_SOURCE_DIR``, by default ``../shared/source``) as ``<name>.txt``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

import click
import pyoxigraph as ox

from bricskg.cli.errors import UsageProblem
from bricskg.validation.report import ValidationReport
from bricskg.validation.selectors import (
    check_selectors,
    default_source_file,
    read_source_text,
    source_folder,
    sources_with_segments,
)

F = TypeVar("F", bound=Callable[..., object])


def source_option(function: F) -> F:
    return click.option(  # type: ignore[return-value]
        "--source",
        "sources",
        multiple=True,
        metavar="[IRI=]FILE",
        help="The text of a source, to check every quote and offset against (repeatable). "
        "Default: SOURCE_DIR/<name>.txt for each source <…/source/name> "
        "(SOURCE_DIR: $BRICSKG_SOURCE_DIR or ../shared/source).",
    )(function)


def read_text(path: Path) -> str:
    if not path.is_file():
        raise UsageProblem(f"{path}: no such source file")
    try:
        return read_source_text(path)
    except UnicodeDecodeError as error:
        raise UsageProblem(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def source_texts(store: ox.Store, given: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """IRI -> text for the sources to check, and notes on the sources left unchecked."""
    known = sources_with_segments(store)
    texts: dict[str, str] = {}
    for item in given:
        iri, separator, file_name = item.rpartition("=")
        if not separator or "://" not in iri:
            if len(known) != 1:
                raise UsageProblem(
                    f"--source {item}: the data has segments of {len(known)} sources; name one as --source IRI=FILE"
                )
            iri, file_name = known[0], item
        texts[iri] = read_text(Path(file_name))
    notes = []
    for iri in known:
        if iri not in texts:
            path = default_source_file(iri)
            if path.is_file():
                texts[iri] = read_text(path)
            else:
                notes.append(f"no text for <{iri}> (give --source, or put {path.name} in {source_folder()})")
    return texts, notes


def selector_report(store: ox.Store, given: tuple[str, ...]) -> ValidationReport:
    texts, notes = source_texts(store, given)
    report = check_selectors(store, texts)
    if notes:
        report.checks["selectors"] += "; " + "; ".join(notes)
    return report
