"""SHACL compiled to SPARQL and evaluated set-at-a-time by Oxigraph.

pySHACL (like every engine measured on this project) evaluates a constraint once per focus node;
at a million triples that is hundreds of thousands of small queries per constraint. Here each
constraint of each targeted shape becomes ONE SPARQL query that returns every violating focus node
(with its value), run by Oxigraph over the whole store -- or, for a write, over a ``VALUES`` set of
the affected focus nodes. This is the technique of Trav-SHACL and SHACL2SPARQL.

- ``compiler``: the SHACL Core constructs the shapes use -> violation patterns (``Check``).
- ``sparql_rules``: SHACL-SPARQL ``sh:select`` constraints, rewritten so ``$this`` ranges over a set.
- ``engine``: runs the checks and builds the same ``ValidationResult`` pySHACL's report gives.

A shape using a construct the compiler does not know raises ``Uncompilable`` at compile time; the
caller (bricskg.validation.shacl) then validates that shape with pySHACL -- never a silent pass.
"""

from bricskg.validation.compiled.compiler import Uncompilable
from bricskg.validation.compiled.engine import CompiledRun, run_compiled

__all__ = ["CompiledRun", "Uncompilable", "run_compiled"]
