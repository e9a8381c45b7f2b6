"""The dataset the validate, export and query commands work on, and the one-line errors for bad files.

All three commands read the same thing the server serves by default: the bundled ontology and data/,
plus any ``--data FILE`` on top (``--no-bundled`` leaves out data/ but keeps the ontology, which the
shapes, the reasoner and most queries need). A file that is missing, of an unknown type or malformed
becomes a ``UsageProblem`` naming the file and, for syntax errors, the line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import click
import pyoxigraph as ox

from bricskg.cli.errors import UsageProblem
from bricskg.dataset import (
    ONTOLOGY_GRAPH,
    SourceFile,
    UnsupportedFile,
    bundled_sources,
    extra_sources,
    load_into_store,
)

F = TypeVar("F", bound=Callable[..., object])

_POSITION_PREFIX = re.compile(r"^(?:Parser )?error at (?:line \d+ column \d+|\d+:\d+):\s*", re.IGNORECASE)
_POSITION = re.compile(r"(?:line (\d+) column (\d+))|(?:at (\d+):(\d+))")


def dataset_options(function: F) -> F:
    """--data and --no-bundled, shared by the commands that read the dataset."""
    function = click.option(
        "--no-bundled",
        is_flag=True,
        help="Leave out the bundled data/ files (the ontology is still loaded).",
    )(function)
    function = click.option(
        "--data",
        "data_files",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="An RDF file (.ttl .nt .rdf .owl .trig .nq) to load on top; repeatable.",
    )(function)
    return function  # type: ignore[return-value]


def chosen_sources(data_files: Iterable[Path], no_bundled: bool) -> list[SourceFile]:
    sources = bundled_sources_or_problem()
    if no_bundled:
        sources = [source for source in sources if source.graph == ONTOLOGY_GRAPH]
    extras = extra_sources(data_files)
    for source in extras:
        check_readable(source.path)
        try:
            source.formats()
        except UnsupportedFile as error:
            raise UsageProblem(str(error)) from None
    return sources + extras


def bundled_sources_or_problem() -> list[SourceFile]:
    try:
        return bundled_sources()
    except OSError as error:
        raise UsageProblem(f"cannot read the bundled files: {error}") from None


def check_readable(path: Path) -> None:
    if not path.exists():
        raise UsageProblem(f"{path}: no such file")
    if path.is_dir():
        raise UsageProblem(f"{path}: is a folder, not an RDF file")


def load_store(sources: Iterable[SourceFile]) -> ox.Store:
    """Every source in a fresh in-memory store; a parse error names file:line:column."""
    store = ox.Store()
    for source in sources:
        try:
            load_into_store(store, [source])
        except SyntaxError as error:
            raise UsageProblem(syntax_message(source.path, error)) from None
        except UnsupportedFile as error:
            raise UsageProblem(str(error)) from None
        except OSError as error:
            raise UsageProblem(f"{source.path}: {error.strerror or error}") from None
    return store


def syntax_message(path: Path | str, error: SyntaxError) -> str:
    """``FILE:LINE:COLUMN: message`` from a pyoxigraph parse error."""
    text = " ".join(str(error.msg if error.msg else error).split())
    if "LoadDocumentCallback" in text:  # pyoxigraph's words for a JSON-LD context given by URL
        text = "the JSON-LD @context is a URL, and no context is ever fetched: embed it in the file (as `bricskg export` does)"
    line, column = error.lineno, error.offset
    if line is None:
        match = _POSITION.search(text)
        if match:
            groups = [g for g in match.groups() if g is not None]
            line, column = int(groups[0]), int(groups[1])
    if line is not None:
        text = _POSITION_PREFIX.sub("", text, count=1) or text
    where = f"{path}:{line}:{column}" if line is not None else f"{path}"
    return f"{where}: {text}"


def open_dataset(data_files: Iterable[Path], no_bundled: bool) -> ox.Store:
    return load_store(chosen_sources(data_files, no_bundled))

