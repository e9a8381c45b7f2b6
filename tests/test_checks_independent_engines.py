"""The published dumps conform to the published shapes in engines that share nothing with bricskg's.

bricskg validates with SHACL compiled to SPARQL on Oxigraph; a conformance that held only there
(Oxigraph's literal rewriting, its union default graph) would not be conformance. So the dumps
``bricskg export --all`` writes (the /dumps/ files are the same export) are validated again:

- the Turtle dump with Jena SHACL, Debian's ``libapache-jena-java`` (a Java engine, its own parser);
  Jena SHACL validates one graph, so the rules about *named* graphs (SPARQL constraints using
  ``GRAPH``: claim graphs are non-empty, no triple sits in the default graph, ...) cannot hold on a
  merged file -- those, and only those, may report;
- the TriG dump, named graphs and all, with pySHACL over a plain rdflib Dataset (rdflib's parser
  and SPARQL engine, no Oxigraph).

Skipped, with the reason, when Java or the Jena package is missing (scripts/install-system-deps
installs them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyshacl
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF, SH

from bricskg.cli import main
from bricskg.validation import load_shapes
from bricskg.validation.shapes_graph import shape_files

JAVA_DIR = Path("/usr/share/java")
# The jars Jena's command line needs: Jena's own and those of the Debian packages it depends on
# (the unversioned names, which Debian keeps pointing at the installed version).
# (Taking every jar in /usr/share/java puts two SLF4J bindings on the class path, which aborts.)
JARS = (
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3", "dexx.collection",
    "gson", "guava", "httpclient", "httpcore", "jackson-annotations", "jackson-core", "jackson-databind",
    "jakarta.json-api", "jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index",
    "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri", "jena-rdfconnection",
    "jena-shacl", "jena-shex", "jena-tdb", "jena-tdb2", "jsonld-java", "protobuf", "protobuf-util", "slf4j-api",
    "thrift", "titanium-json-ld",
)


def jena_classpath(scratch: Path) -> str:
    """The class path for ``shacl.shacl_validate``, plus a folder with the message bundles Debian's
    Jena 4.5 build looks up under ``xerces/`` while shipping them under ``org/apache/jena/ext/xerces/``
    (without them every XSD datatype fails to initialise with "internal error")."""
    bundles = scratch / "jena-bundles"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = bundles / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([str(bundles), *(str(JAVA_DIR / f"{name}.jar") for name in JARS)])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dumps")
    files = {}
    for syntax, suffix in (("turtle", "ttl"), ("trig", "trig")):
        path = folder / f"bricskg.{suffix}"
        result = CliRunner().invoke(main, ["export", "--all", "--format", syntax, "-o", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        files[syntax] = path
    shapes = folder / "shapes.ttl"
    shapes.write_text("\n".join(p.read_text(encoding="utf-8") for p in shape_files()), encoding="utf-8")
    files["shapes"] = shapes
    return files


def rules_reading_named_graphs() -> set[rdflib.term.Node]:
    """The SPARQL constraints of shapes/ that use GRAPH: not checkable on one merged graph."""
    graph = load_shapes()
    return {c for c, text in graph.subject_objects(SH.select) if "GRAPH" in str(text).upper()}


def test_turtle_dump_conforms_in_jena_shacl(exported: dict[str, Path], tmp_path: Path) -> None:
    if shutil.which("java") is None or not (JAVA_DIR / "jena-shacl.jar").is_file():
        pytest.skip("Jena SHACL not installed: Debian's libapache-jena-java and a Java runtime "
                    "(scripts/install-system-deps installs both)")
    done = subprocess.run(
        ["java", "-cp", jena_classpath(tmp_path), "shacl.shacl_validate",
         "--shapes", str(exported["shapes"]), "--data", str(exported["turtle"])],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = rdflib.Graph().parse(data=done.stdout, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in report, done.stdout[:2000]
    named_graph_rules = rules_reading_named_graphs()
    unexpected = []
    shapes = load_shapes()
    # Jena's report does not name the SPARQL constraint: recognise its results by their message
    templates = [re.compile("^" + ".*".join(map(re.escape, re.split(r"\{[?$]\w+\}", str(m)))) + "$", re.DOTALL)
                 for rule in named_graph_rules for m in shapes.objects(rule, SH.message)]
    for result in report.subjects(RDF.type, SH.ValidationResult):
        message = str(report.value(result, SH.resultMessage))
        if report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent and any(
            t.match(message) for t in templates
        ):
            continue
        unexpected.append({str(p): str(o) for p, o in report.predicate_objects(result)})
    assert not unexpected, unexpected[:5]


def test_trig_dump_conforms_in_pyshacl_over_plain_rdflib(exported: dict[str, Path]) -> None:
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(exported["trig"], format="trig")
    assert len(list(dataset.graphs())) > 10, "the TriG dump keeps the claim graphs"
    conforms, _, text = pyshacl.validate(dataset, shacl_graph=load_shapes(), inference="none", allow_warnings=True)
    assert conforms, text[:4000]
