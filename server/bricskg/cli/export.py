"""``bricskg export``: the graph as Turtle, N-Triples, JSON-LD, TriG, N-Quads or RDF/XML, reproducibly."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import click

from bricskg.cli.errors import UsageProblem
from bricskg.cli.inputs import dataset_options, open_dataset
from bricskg.export import FORMATS, SUFFIXES, Selection, export


@click.command(name="export")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Output syntax. Default: from the -o file suffix, else turtle.",
)
@click.option("--with-provenance", is_flag=True, help="Add the provenance graph: each claim's sentence and exact quote.")
@click.option("--with-reference", is_flag=True, help="Add the reference graph (outside identifiers, with their own sources).")
@click.option("--with-ontology", is_flag=True, help="Add the ontology.")
@click.option("--all", "everything", is_flag=True, help="Same as all three --with-* options.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to FILE (atomically) instead of standard output.",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Export this on-disk store (read-only) instead of the bundled files; not with --data.",
)
@click.option(
    "--split-to",
    "split_to",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIR",
    help="Write the data as the data/ files are cut: one canonical TriG file per source "
    "(article.trig, …) and reference.trig, into DIR (e.g. data/). Not with -o/--format.",
)
@dataset_options
def command(
    format_name: str | None,
    with_provenance: bool,
    with_reference: bool,
    with_ontology: bool,
    everything: bool,
    output: Path | None,
    store_path: Path | None,
    split_to: Path | None,
    data_files: tuple[Path, ...],
    no_bundled: bool,
) -> None:
    """Write the article's claims in an RDF syntax, byte-for-byte reproducibly.

    By default: every claim graph merged as plain triples. TriG, N-Quads and
    JSON-LD keep each claim in its named graph. Blank nodes are canonicalised
    (RDFC-1.0) and statements sorted, so two exports of the same data are
    identical and a diff shows only real changes.

    With --store PATH --split-to data/, a store's claims (an edit made over
    HTTP) are written back as the data/ files, ready for review and commit.
    """
    if store_path is not None and (data_files or no_bundled):
        raise UsageProblem("--store exports a store as it is: leave out --data and --no-bundled")
    from bricskg.cli.validate import open_store_read_only

    dataset = open_store_read_only(store_path) if store_path is not None else open_dataset(data_files, no_bundled)
    if split_to is not None:
        if output is not None or format_name not in (None, "trig") or everything or with_provenance or with_reference or with_ontology:
            raise UsageProblem("--split-to writes TriG files with everything but the ontology: leave out -o, --format and --with-*")
        write_split(dataset, split_to)
        return
    chosen = format_name or format_from_suffix(output)
    selection = (
        Selection.everything()
        if everything
        else Selection(provenance=with_provenance, reference=with_reference, ontology=with_ontology)
    )
    body = export(dataset, chosen, selection)
    if output is None:
        stdout = click.get_text_stream("stdout")
        stdout.flush()
        stdout.buffer.write(body)
        stdout.buffer.flush()
    else:
        write_atomically(output, body)


def write_split(store: object, folder: Path) -> None:
    from bricskg.split import split_files

    if not folder.is_dir():
        raise UsageProblem(f"{folder}: no such folder")
    for name, body in split_files(store).items():  # type: ignore[arg-type]
        target = folder / name
        changed = not target.exists() or target.read_bytes() != body
        write_atomically(target, body)
        click.echo(f"{target}: {'written' if changed else 'unchanged'}")


def format_from_suffix(output: Path | None) -> str:
    if output is None:
        return "turtle"
    try:
        return SUFFIXES[output.suffix.lower()]
    except KeyError:
        raise UsageProblem(
            f"{output}: cannot tell the format from the suffix {output.suffix!r}; pass --format"
        ) from None


def write_atomically(path: Path, body: bytes) -> None:
    """Replace ``path`` only once the whole export is written: never a half-written file.

    The temporary file is created private (0600, ``mkstemp``) and given, before it takes the name,
    the mode a plain ``open`` would have given: the replaced file's mode, or 0666 less the umask."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageProblem(f"{path}: folder {folder} does not exist")
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
            os.fchmod(stream.fileno(), mode)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageProblem(f"{path}: {error.strerror or error}") from None


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The process umask (read by setting it and setting it back: POSIX has no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
