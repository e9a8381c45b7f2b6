"""The ``bricskg`` command line: a thin click group that delegates to the library.

Each command lives in its own module and is imported only when it runs, so ``bricskg --help``
and a quick ``bricskg query`` do not pay for the web server or the reasoner.
"""

from __future__ import annotations

import importlib

import click

from bricskg import __version__

# command name -> "module:attribute" of its click.Command
COMMANDS: dict[str, str] = {
    "validate": "bricskg.cli.validate:command",
    "export": "bricskg.cli.export:command",
    "query": "bricskg.cli.query:command",
    "serve": "bricskg.cli.serve:command",
    "backup": "bricskg.cli.backup:command",
    "load": "bricskg.cli.load:command",
    "bench": "bricskg.cli.bench:command",
    "author": "bricskg.cli.author:command",
}

SHORT_HELP: dict[str, str] = {
    "validate": "Check ontology and data with SHACL and the HermiT reasoner.",
    "export": "Write the graph as Turtle, N-Triples, JSON-LD, TriG or RDF/XML.",
    "query": "Run a SPARQL query against the bundled data.",
    "serve": "Serve SPARQL 1.1, linked-data pages and dumps over HTTP.",
    "backup": "Copy an on-disk store to a backup folder.",
    "load": "Validate a file and load it into an on-disk store.",
    "bench": "Benchmark bricskg against Oxigraph server and rdflib-endpoint.",
    "author": "Start a claim from a source text: selectors computed, TriG skeleton.",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            return None
        return getattr(module, attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from SHORT_HELP so that --help imports none of them."""
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bricskg")
def main() -> None:
    """bricskg: the claims of "Putin's BRICS AI Alliance" as a validated linked-data graph.

    Every fact is traced to the sentence of the article that states it. Run
    `bricskg COMMAND --help` for the options of each command.
    """
