"""The class diagram of the ontology as a self-contained SVG, laid out in pure Python.

Why no graphviz: one more system package for one picture. The hierarchy is a tree read left to
right (each class in its own row, indented by depth, like a file tree), which stays legible for
fifty classes where a layered graph drawing would not; a class with a second superclass of ours
gets a dashed link to it, and superclasses from other vocabularies (schema:, org:, prov:) are
written beside the box. Each box links to the class's entry in the ontology page.
"""

from __future__ import annotations

from html import escape

from bricskg.web.ontology_model import OntologyDoc, TermDoc

ROW = 30
INDENT = 28
BOX_HEIGHT = 22
CHAR_WIDTH = 6.9  # of the 12px sans-serif labels, for sizing boxes
MARGIN = 16


def _layout(classes: list[TermDoc]) -> list[tuple[TermDoc, int, TermDoc | None]]:
    """(class, depth, tree parent) in depth-first order; a class appears under its first parent of ours."""
    by_iri = {c.iri: c for c in classes}
    children: dict[str, list[TermDoc]] = {c.iri: [] for c in classes}
    roots = []
    for cls in classes:
        parents = [ref.iri for ref in cls.supers if ref.iri in by_iri]
        if parents:
            children[parents[0]].append(cls)
        else:
            roots.append(cls)
    rows: list[tuple[TermDoc, int, TermDoc | None]] = []

    def visit(cls: TermDoc, depth: int, parent: TermDoc | None) -> None:
        rows.append((cls, depth, parent))
        for child in sorted(children[cls.iri], key=lambda c: c.local_name):
            visit(child, depth + 1, cls)

    for root in sorted(roots, key=lambda c: c.local_name):
        visit(root, 0, None)
    return rows


def class_diagram_svg(doc: OntologyDoc, link_prefix: str = "#") -> str:
    classes = next((terms for kind, _, terms in doc.sections if kind == "Class"), [])
    rows = _layout(classes)
    position = {cls.iri: (MARGIN + depth * INDENT, MARGIN + index * ROW) for index, (cls, depth, _) in enumerate(rows)}
    box_widths = {cls.iri: 16 + CHAR_WIDTH * len(cls.local_name) for cls, _, _ in rows}
    width = 0.0
    parts: list[str] = []
    for cls, depth, parent in rows:
        x, y = position[cls.iri]
        box_width = box_widths[cls.iri]
        if parent is not None:  # tree line: down from the parent, then right into the box
            px, py = position[parent.iri]
            parts.append(
                f'<path class="tree" d="M{px + 10},{py + BOX_HEIGHT} V{y + BOX_HEIGHT / 2} H{x}"/>'
            )
        for other in cls.supers[1:]:
            if other.iri in position and parent is not None and other.iri != parent.iri:
                ox, oy = position[other.iri]
                parts.append(
                    f'<path class="second" d="M{x + box_width},{y + BOX_HEIGHT / 2} '
                    f'C{x + box_width + 60},{y + BOX_HEIGHT / 2} {ox + 60},{oy + BOX_HEIGHT / 2} {ox + box_widths[other.iri]:.0f},{oy + BOX_HEIGHT / 2}"/>'
                )
        foreign = ", ".join(ref.text for ref in cls.supers if not ref.ours)
        title = escape(f"{cls.label}: {cls.definition or ''}")
        parts.append(
            f'<a href="{escape(link_prefix + cls.local_name)}"><g class="cls">'
            f"<title>{title}</title>"
            f'<rect x="{x}" y="{y}" width="{box_width:.0f}" height="{BOX_HEIGHT}" rx="4"/>'
            f'<text x="{x + 8}" y="{y + 15}">{escape(cls.local_name)}</text></g></a>'
        )
        end = x + box_width
        if foreign:
            parts.append(f'<text class="foreign" x="{end + 8:.0f}" y="{y + 15}">⊑ {escape(foreign)}</text>')
            end += 16 + CHAR_WIDTH * 0.9 * len(foreign)
        width = max(width, end)
    height = MARGIN * 2 + len(rows) * ROW
    style = (
        "<style>"
        ".cls rect{fill:#eef4fb;stroke:#2b5d8a;stroke-width:1.2}"
        ".cls text{font:12px sans-serif;fill:#13324f}"
        ".cls:hover rect{fill:#d7e8f8}"
        ".foreign{font:italic 11px sans-serif;fill:#6b7480}"
        ".tree{fill:none;stroke:#8aa4bd;stroke-width:1.2}"
        ".second{fill:none;stroke:#c2703d;stroke-width:1.1;stroke-dasharray:4 3}"
        "</style>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="class-diagram" width="{width + MARGIN:.0f}" height="{height}" '
        f'viewBox="0 0 {width + MARGIN:.0f} {height}" role="img" aria-label="Class hierarchy of {escape(doc.title)}">'
        f"{style}{''.join(parts)}</svg>"
    )
