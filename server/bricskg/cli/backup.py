"""``bricskg backup DEST --store PATH``: a consistent copy of an on-disk store.

Oxigraph's ``Store.backup`` makes a RocksDB checkpoint: immutable table files are hard-linked
when DEST is on the same file system, so a backup is cheap and can be taken often. The copy is
itself a store: ``bricskg serve --store DEST`` serves it.

The store must not be open in a running server: RocksDB allows one writer, and a backup taken
through a read-only handle silently lacks the writes still in the write-ahead log (measured: a
store holding one fresh write backed up to an empty copy), so that path is refused, not offered.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from bricskg.cli.errors import UsageProblem


def _open_store(path: Path):
    import pyoxigraph

    if not path.is_dir() or not (path / "CURRENT").exists():
        raise UsageProblem(f"{path}: not an Oxigraph store (no CURRENT file)")
    try:
        return pyoxigraph.Store(str(path))
    except OSError as error:
        if "lock" in str(error).lower():
            raise UsageProblem(
                f"{path}: the store is open in another process (a running `bricskg serve`?); stop it, then back up"
            ) from None
        raise UsageProblem(f"{path}: cannot open the store: {' '.join(str(error).split())}") from None


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, file_okay=False),
    default=lambda: os.environ.get("BRICSKG_STORE"),
    help="The on-disk store to back up (default: $BRICSKG_STORE).",
)
def command(destination: Path, store_path: Path | None) -> None:
    """Copy the on-disk store at --store to DESTINATION (a new folder), consistently."""
    if store_path is None:
        raise UsageProblem("give the store to back up: --store PATH (or set BRICSKG_STORE)")
    if destination.exists():
        raise UsageProblem(f"{destination}: already exists; a backup goes to a new folder")
    store = _open_store(Path(store_path))
    try:
        store.flush()
        store.backup(str(destination))
    except OSError as error:
        raise UsageProblem(f"{destination}: backup failed: {' '.join(str(error).split())}") from None
    quads = len(store)
    del store
    click.echo(f"Backed up {quads} quads from {store_path} to {destination}")
