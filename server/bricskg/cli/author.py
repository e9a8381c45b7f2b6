"""``bricskg author``: start a claim from a source text, with its selectors computed.

``author segments --source FILE`` numbers the segments of a text (as ``bricskg.authoring`` cuts
them); ``author claim --source FILE --sentence N --slug SLUG`` (or ``--quote "…"``) writes the claim's
provenance record -- the segment with its quote selector (prefix, exact, suffix) and position
selector (start, end) -- and an empty claim graph to fill in, as TriG. The maintainer adds the
claim's triples, then runs ``bricskg validate --data FILE --source FILE`` (docs/graph.md,
"Authoring loop").
"""

from __future__ import annotations

from pathlib import Path

import click

from bricskg.authoring import MODALITIES, AuthoringError, ClaimDraft, claim_trig, locate, segment_spans
from bricskg.cli.errors import UsageProblem
from bricskg.cli.export import write_atomically
from bricskg.cli.sources import read_text
from bricskg.config import BASE_IRI


@click.group(name="author")
def command() -> None:
    """Start claims from a source text: numbered segments, computed selectors, a TriG skeleton."""


source_file = click.option(
    "--source",
    "source",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The source text (UTF-8), e.g. ../shared/source/article.txt.",
)


@command.command(name="segments")
@source_file
def segments(source: Path) -> None:
    """Number the segments of SOURCE: what --sentence N refers to."""
    text = read_text(source)
    for span in segment_spans(text):
        click.echo(f"{span.position:3d}  {span.start:6d}..{span.end:<6d}  {text[span.start:span.end]}")


@command.command(name="claim")
@source_file
@click.option("--sentence", type=click.IntRange(min=1), default=None, help="The segment number (see `author segments`).")
@click.option("--quote", default=None, help="The quoted text instead of a number (must occur once in the source).")
@click.option("--slug", required=True, help="The claim graph's name: https://w3id.org/bricskg/claim/SLUG.")
@click.option(
    "--source-iri",
    default=None,
    metavar="IRI",
    help="The source's IRI. Default: https://w3id.org/bricskg/source/<file name without .txt>.",
)
@click.option("--modality", type=click.Choice(MODALITIES), default="asserted", show_default=True)
@click.option(
    "--attributed-to",
    default=BASE_IRI + "id/article-author",
    show_default=True,
    metavar="IRI",
    help="Who holds the claim (prov:wasAttributedTo).",
)
@click.option("--heading", is_flag=True, help="The segment is a heading (bkg:Heading), not a sentence.")
@click.option("--title", default=None, help="Describe the source too (a new source): its title.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Write to FILE instead of standard output.")
def claim(
    source: Path,
    sentence: int | None,
    quote: str | None,
    slug: str,
    source_iri: str | None,
    modality: str,
    attributed_to: str,
    heading: bool,
    title: str | None,
    output: Path | None,
) -> None:
    """Write the provenance record and an empty claim graph for one sentence of SOURCE."""
    if (sentence is None) == (quote is None):
        raise UsageProblem("give exactly one of --sentence N and --quote TEXT")
    text = read_text(source)
    iri = source_iri or BASE_IRI + "source/" + source.name.removesuffix(".txt")
    try:
        span = locate(text, sentence=sentence, quote=quote)
        body = claim_trig(ClaimDraft(
            source_iri=iri, span=span, text=text, slug=slug, modality=modality,
            attributed_to=attributed_to, kind="Heading" if heading else "Sentence", source_title=title,
        ))
    except AuthoringError as error:
        raise UsageProblem(str(error)) from None
    if output is None:
        click.echo(body, nl=False)
    else:
        write_atomically(output, body.encode("utf-8"))
