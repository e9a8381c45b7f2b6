"""``bricskg load FILE --store PATH [--graph IRI]``: a validated bulk load into an on-disk store.

The file goes through the same gate as every write of the server: its quads are validated, with
the store's existing data around them, against shapes/; one violation refuses the whole file
(the report is printed, nothing is written). Accepted files are added in one transaction and
recorded in the audit graph (agent ``cli``).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from bricskg.cli.backup import _open_store
from bricskg.cli.errors import UsageProblem
from bricskg.cli.inputs import syntax_message


class Rejected(click.ClickException):
    """The file would make the data invalid; exit 1 with the report."""

    exit_code = 1

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(self.message, err=True)


def read_quads(path: Path, graph: str | None) -> list:
    """The file's statements (syntax from the suffix), placed in ``graph`` when given."""
    import pyoxigraph as ox

    from bricskg.dataset import SourceFile, UnsupportedFile

    if not path.is_file():
        raise UsageProblem(f"{path}: no such file")
    try:
        rdf_format, _, carries_graphs = SourceFile(path, None).formats()
    except UnsupportedFile as error:
        raise UsageProblem(str(error)) from None
    target = ox.NamedNode(graph) if graph else None
    try:
        parsed = list(ox.parse(path=str(path), format=rdf_format, rename_blank_nodes=True))
    except SyntaxError as error:  # its str() repeats the file name: "… (FILE, line 4)"
        raise UsageProblem(syntax_message(path, error)) from None
    except OSError as error:
        raise UsageProblem(f"{path}: {error.strerror or error}") from None
    except ValueError as error:
        raise UsageProblem(f"{path}: {' '.join(str(error).split())}") from None
    quads = []
    for item in parsed:
        if isinstance(item, ox.Quad):
            if target is not None and not isinstance(item.graph_name, ox.DefaultGraph):
                raise UsageProblem(f"{path}: --graph is given but the file names its own graphs")
            quads.append(ox.Quad(item.subject, item.predicate, item.object, target) if target else item)
        else:
            quads.append(ox.Quad(item.subject, item.predicate, item.object, target or ox.DefaultGraph()))
    return quads


@click.command("load")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, file_okay=False),
    default=lambda: os.environ.get("BRICSKG_STORE"),
    help="The on-disk store to load into (default: $BRICSKG_STORE); created with the bundled data when new.",
)
@click.option("--graph", default=None, metavar="IRI", help="Put the file's triples into this named graph.")
def command(file: Path, store_path: Path | None, graph: str | None) -> None:
    """Validate FILE against the shapes and add it to the store: all of it, or nothing."""
    import pyoxigraph as ox

    from bricskg.store.base import ValidationFailed

    if store_path is None:
        raise UsageProblem("give the store to load into: --store PATH (or set BRICSKG_STORE)")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise UsageProblem(f"--graph {graph!r}: not an absolute IRI") from None
    quads = read_quads(file, graph)
    outcome, problem = _load(Path(store_path), quads)
    if isinstance(problem, ValidationFailed):
        raise Rejected(f"{file}: refused, nothing was loaded. {problem}\n\n{problem.report.to_text()}")  # type: ignore[attr-defined]
    if problem is not None:
        raise UsageProblem(f"{file}: {problem}")
    assert outcome is not None
    click.echo(
        f"Loaded {file}: {outcome.added} new quad(s) ({len(quads) - outcome.added} already present); "
        f"{outcome.focus_nodes} node(s) validated."
    )


def _load(store_path: Path, quads: list) -> tuple[object | None, Exception | None]:
    """Run the validated load and close the store before returning (RocksDB holds a lock while open,
    and an exception raised from here would keep the handle alive in its traceback)."""
    from bricskg.store.base import BackendError
    from bricskg.store.writer import EmbeddedTarget, Writer

    store = _new_store(store_path) if not (store_path / "CURRENT").exists() else _open_store(store_path)
    try:
        outcome = Writer(EmbeddedTarget(store)).load(quads, agent="cli")
        store.flush()
        return outcome, None
    except BackendError as error:
        return None, error.with_traceback(None)  # its frames would keep the store open
    finally:
        del store


def _new_store(path: Path):
    """A new on-disk store starts with the bundled ontology and data, as `bricskg serve --store` does."""
    import pyoxigraph

    from bricskg.dataset import bundled_sources, load_into_store

    path.mkdir(parents=True, exist_ok=True)
    store = pyoxigraph.Store(str(path))
    load_into_store(store, bundled_sources())
    return store
