"""How the entailment regime scales over an external engine (``bricskg.store.remote_entailments``).

``python -m bricskg.bench.remote_inference N [N ...]`` loads the bundled data plus a synthetic graph
of N triples into a fresh ``oxigraph serve`` (with ``oxigraph load``, as an operator would; with
``--engine virtuoso``, a throwaway Virtuoso from ``scripts/virtuoso``), then measures, in this process:

* the first start: reading the rule inputs into the mirror, materialising, writing the inferred graph;
* a restart over the same engine (its inferred graph is already right: nothing to write);
* a 1,000-triple insert and the delete of its ground quads through the writer without the SHACL gate
  (``Writer(validate=False)``): the mirror's maintenance and the one update request, against the same
  writes without the regime;
* that the engine's inferred graph then equals a full recompute of its stated quads (``--check``),
  so a fast wrong answer cannot pass.

Prints one JSON object per N.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _oxigraph() -> str:
    candidate = Path(sys.executable).with_name("oxigraph")
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise SystemExit("the oxigraph CLI (pip package 'oxigraph') is not installed")
    return found


def _serve(cli: str, location: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [cli, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).read()  # noqa: S310 (loopback)
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("oxigraph serve did not start")


def _oxigraph_engine(location: Path, files: list[tuple[Path, str | None]]):
    """``oxigraph serve`` over ``files`` (path, target graph): (backend factory, quad reader, stop)."""
    from bricskg.store.remote import RemoteBackend

    cli = _oxigraph()
    for path, graph in files:
        command = [cli, "load", "--location", str(location), "--file", str(path)] + (["--graph", graph] if graph else [])
        subprocess.run(command, check=True, capture_output=True)
    process, url = _serve(cli, location)

    def backend() -> RemoteBackend:
        return RemoteBackend(f"{url}/query?union-default-graph", f"{url}/update", writable=True)

    def quads():
        import pyoxigraph as ox

        request = urllib.request.Request(url + "/store", headers={"Accept": "application/n-quads"})
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (loopback)
            store = ox.Store()
            store.load(response.read(), format=ox.RdfFormat.N_QUADS)
        return store

    def stop() -> None:
        process.terminate()
        process.wait(30)

    return backend, quads, stop


def _virtuoso_engine(folder: Path, files: list[tuple[Path, str | None]]):
    """A throwaway Virtuoso (``scripts/virtuoso``) over ``files``: (backend factory, quad reader, stop)."""
    import pyoxigraph as ox

    from bricskg.paths import project_root
    from bricskg.store.remote import RemoteBackend

    script = str(project_root() / "scripts" / "virtuoso")
    started = subprocess.run([script, "start", str(folder)], capture_output=True, text=True, check=True, timeout=300)
    settings = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)

    def stop() -> None:
        subprocess.run([script, "stop", str(folder)], capture_output=True, timeout=120)

    try:
        combined = folder / "load.nq"
        store = ox.Store()
        for path, graph in files:
            if graph:
                store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
            elif path.suffix == ".trig":
                store.load(path=str(path), format=ox.RdfFormat.TRIG)
        store.dump(output=str(combined), format=ox.RdfFormat.N_QUADS)
        nquads = [str(combined)] + [str(path) for path, graph in files if path.suffix == ".nq"]
        subprocess.run([script, "load", str(folder), *nquads], capture_output=True, check=True, timeout=3600)
    except BaseException:
        stop()
        raise
    credentials = (settings["VIRTUOSO_USER"], settings["VIRTUOSO_PASSWORD"])

    def backend() -> RemoteBackend:
        return RemoteBackend(settings["VIRTUOSO_QUERY_URL"], settings["VIRTUOSO_UPDATE_URL"], writable=True, credentials=credentials)

    def quads():
        """Every quad, one answer per predicate (Virtuoso cuts an answer near 2^20 rows; its blank-node
        names hold across answers), each checked against the engine's count."""
        reader = backend()
        found = ox.Store()
        for row in reader._select("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"):
            pattern = f"WHERE {{ GRAPH ?g {{ ?s {row['p']} ?o }} }}"
            rows = reader._select(f"SELECT ?s ?g ?o {pattern}")
            count = int(reader._select(f"SELECT (COUNT(*) AS ?n) {pattern}")[0]["n"].value)
            if count != len(rows):
                raise RuntimeError(f"Virtuoso answered {len(rows)} of {count} rows")
            found.extend(ox.Quad(r["s"], row["p"], r["o"], r["g"]) for r in rows)
        return found

    return backend, quads, stop


def _inferred_signature(store) -> tuple[set, Counter]:
    """The inferred graph's ground triples, and how many of each shape name a blank node (``_``):
    blank nodes are named differently in the engine and in a recompute."""
    import pyoxigraph as ox

    from bricskg.inference import INFERRED

    ground: set = set()
    blank: Counter = Counter()
    for q in store.quads_for_pattern(None, None, None, INFERRED):
        s, o = q.subject, q.object
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            blank[("_" if isinstance(s, ox.BlankNode) else str(s), str(q.predicate), "_" if isinstance(o, ox.BlankNode) else str(o))] += 1
        else:
            ground.add((str(s), str(q.predicate), str(o)))
    return ground, blank


def measure(
    triples: int, workdir: Path, *, check: bool, seed: int = 7, engine: str = "oxigraph", write_triples: int = 1000
) -> dict:
    from bricskg.bench import generator
    from bricskg.dataset import bundled_sources
    from bricskg.inference import INFERRED, materialise
    from bricskg.store.base import BackendError
    from bricskg.store.commit import delete_data, has_blank
    from bricskg.store.remote_entailments import attach_entailments
    from bricskg.store.writer import Writer

    synthetic = workdir / f"synthetic-{triples}.nq"
    generator.write_graph(triples, synthetic, seed=seed)
    files = [(source.path, source.graph) for source in bundled_sources()] + [(synthetic, None)]
    start = _virtuoso_engine if engine == "virtuoso" else _oxigraph_engine
    backend, engine_quads, stop = start(workdir / f"{engine}-{triples}", files)
    result: dict = {"engine": engine, "synthetic_triples": triples}
    try:
        remote = backend()
        result["engine_quads"] = remote.quad_count()
        began = time.perf_counter()
        attach_entailments(remote, inference=True)
        result["first_start_seconds"] = time.perf_counter() - began
        result["first_start"] = remote.entailments.last_sync.__dict__
        restarted = backend()
        began = time.perf_counter()
        attach_entailments(restarted, inference=True)
        result["restart_seconds"] = time.perf_counter() - began
        result["restart"] = restarted.entailments.last_sync.__dict__

        batch = generator.write_batch(write_triples, seed + 1)
        result["write_quads"] = len(batch)
        # SPARQL cannot name the batch's stored blank nodes (over most engines): the delete takes its other quads
        ground = [q for q in batch if not has_blank(q)]
        writer = Writer(restarted, validate=False)
        began = time.perf_counter()
        writer.load(batch)
        result["insert_1k_seconds"] = time.perf_counter() - began
        result["insert_1k"] = dict(restarted.entailments.last_write_seconds)
        began = time.perf_counter()
        result["deleted_quads"] = len(ground)
        try:
            writer.update(delete_data(ground))
        except BackendError as error:  # an engine's own limit: reported, the rest still measured
            result["delete_error"] = str(error)[:300]
        else:
            result["delete_1k_seconds"] = time.perf_counter() - began
            result["delete_1k"] = dict(restarted.entailments.last_write_seconds)
        result["mirror_quads"] = len(restarted.entailments.mirror)
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this process: two mirrors
        if check:  # before the writes below, which leave the regime behind
            store = engine_quads()
            held = _inferred_signature(store)
            store.remove_graph(INFERRED)
            materialise(store)
            result["engine_equals_recompute"] = held == _inferred_signature(store)

        plain = backend()  # the same writes without the regime, for comparison (last: they bypass it)
        plain_writer = Writer(plain, validate=False)
        began = time.perf_counter()
        try:
            plain_writer.load(batch)
        except BackendError as error:  # (Virtuoso: the plain bulk commit is INSERT DATA, blank nodes refused)
            result["insert_without_regime_error"] = str(error)[:300]
            return result
        result["insert_1k_without_regime_seconds"] = time.perf_counter() - began
        began = time.perf_counter()
        try:
            plain_writer.update(delete_data(ground))
        except BackendError as error:
            result["delete_without_regime_error"] = str(error)[:300]
        else:
            result["delete_1k_without_regime_seconds"] = time.perf_counter() - began
    finally:
        stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--check", action="store_true", help="compare the engine's inferred graph with a recompute")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--engine", choices=("oxigraph", "virtuoso"), default="oxigraph")
    parser.add_argument(
        "--write-triples", type=int, default=1000,
        help="size of the measured write (Virtuoso refuses one-operation commits of ~1,000 quads: its generated SQL is too long)",
    )
    args = parser.parse_args(argv)
    for size in args.sizes:
        with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
            print(json.dumps(measure(size, Path(folder), check=args.check, engine=args.engine, write_triples=args.write_triples), default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
