"""A static SVG of the network (for the README and for browsers without JavaScript).

Layout: Fruchterman–Reingold force-directed placement in pure Python with a fixed seed, so the
same data always gives the same picture (a diff of docs/img/network.svg means the data changed).
A few hundred iterations over tens of nodes take milliseconds.
"""

from __future__ import annotations

import math
import random
from html import escape
from typing import Protocol, Sequence

GROUP_COLOURS: dict[str, str] = {
    "state": "#2b6cb0",
    "bloc": "#c05621",
    "agreement": "#2f855a",
    "AI initiative": "#805ad5",
    "relation": "#718096",
}
WIDTH = 1100
HEIGHT = 760
MARGIN = 60
ITERATIONS = 400
SEED = 20241122


class NodeLike(Protocol):
    id: str
    label: str
    group: str
    href: str


class EdgeLike(Protocol):
    source: str
    target: str
    label: str


def force_layout(node_ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]²; connected nodes pull together, all nodes push apart."""
    rng = random.Random(SEED)
    positions = {node: [rng.random(), rng.random()] for node in node_ids}
    if len(node_ids) < 2:
        return {node: (0.5, 0.5) for node in node_ids}
    k = math.sqrt(1.0 / len(node_ids))
    temperature = 0.1
    for _ in range(ITERATIONS):
        shift = {node: [0.0, 0.0] for node in node_ids}
        for i, a in enumerate(node_ids):
            for b in node_ids[i + 1 :]:
                dx = positions[a][0] - positions[b][0]
                dy = positions[a][1] - positions[b][1]
                distance = max(math.hypot(dx, dy), 1e-4)
                force = k * k / distance
                shift[a][0] += dx / distance * force
                shift[a][1] += dy / distance * force
                shift[b][0] -= dx / distance * force
                shift[b][1] -= dy / distance * force
        for a, b in edges:
            dx = positions[a][0] - positions[b][0]
            dy = positions[a][1] - positions[b][1]
            distance = max(math.hypot(dx, dy), 1e-4)
            force = distance * distance / k
            shift[a][0] -= dx / distance * force
            shift[a][1] -= dy / distance * force
            shift[b][0] += dx / distance * force
            shift[b][1] += dy / distance * force
        for node in node_ids:
            # A weak pull to the centre keeps unconnected nodes on the canvas.
            shift[node][0] += (0.5 - positions[node][0]) * k
            shift[node][1] += (0.5 - positions[node][1]) * k
            length = max(math.hypot(*shift[node]), 1e-9)
            step = min(length, temperature)
            positions[node][0] += shift[node][0] / length * step
            positions[node][1] += shift[node][1] / length * step
        temperature *= 0.985
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = max(max(xs) - min(xs), 1e-9)
    span_y = max(max(ys) - min(ys), 1e-9)
    return {n: ((p[0] - min(xs)) / span_x, (p[1] - min(ys)) / span_y) for n, p in positions.items()}


LABEL_CHAR_WIDTH = 6.8  # of the 12px labels
LABEL_HEIGHT = 16
OVERLAP_PASSES = 120


def separate_labels(place: dict[str, list[float]], labels: dict[str, str]) -> None:
    """Nudge nodes apart until no two centred labels (drawn under their nodes) overlap."""
    ids = sorted(place)
    for _ in range(OVERLAP_PASSES):
        moved = False
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                half_width = (len(labels[a]) + len(labels[b])) * LABEL_CHAR_WIDTH / 2 + 6
                dx = place[b][0] - place[a][0]
                dy = place[b][1] - place[a][1]
                if abs(dx) >= half_width or abs(dy) >= LABEL_HEIGHT + 12:
                    continue
                push = (LABEL_HEIGHT + 12 - abs(dy)) / 2 + 0.5
                direction = 1 if dy > 0 or (dy == 0 and a < b) else -1
                place[a][1] -= push * direction
                place[b][1] += push * direction
                moved = True
        for node in ids:  # keep everything on the canvas
            half = len(labels[node]) * LABEL_CHAR_WIDTH / 2
            place[node][0] = min(max(place[node][0], MARGIN + half - 40), WIDTH - MARGIN - half + 40)
            place[node][1] = min(max(place[node][1], MARGIN + 30), HEIGHT - MARGIN + 20)
        if not moved:
            return


def network_svg(nodes: Sequence[NodeLike], edges: Sequence[EdgeLike], groups: Sequence[str]) -> str:
    layout = force_layout([n.id for n in nodes], [(e.source, e.target) for e in edges])
    place = {
        node: [MARGIN + x * (WIDTH - 2 * MARGIN), MARGIN + 30 + y * (HEIGHT - 2 * MARGIN - 30)]
        for node, (x, y) in layout.items()
    }
    separate_labels(place, {n.id: n.label for n in nodes})
    parts = []
    for edge in edges:
        (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
        parts.append(
            f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"><title>{escape(edge.label)}</title></line>'
        )
    for node in nodes:
        x, y = place[node.id]
        colour = GROUP_COLOURS.get(node.group, "#555")
        radius = 9 if node.group in ("state", "bloc") else 7
        parts.append(
            f'<a href="{escape(node.href)}"><g class="node"><title>{escape(node.label)} ({escape(node.group)})</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}"/>'
            f'<text x="{x:.1f}" y="{y + radius + 13:.1f}" text-anchor="middle">{escape(node.label)}</text></g></a>'
        )
    legend = []
    for index, group in enumerate(groups):
        x = MARGIN + index * 170
        legend.append(
            f'<circle cx="{x}" cy="28" r="7" fill="{GROUP_COLOURS.get(group, "#555")}"/>'
            f'<text class="legend" x="{x + 12}" y="32">{escape(group)}</text>'
        )
    style = (
        "<style>"
        ".edge{stroke:#9aa5b1;stroke-width:1.2}"
        ".node text{font:12px sans-serif;fill:#1a202c;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        ".legend{font:13px sans-serif;fill:#1a202c}"
        "</style>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="Network of states, blocs, agreements and AI initiatives">'
        f'{style}<rect width="100%" height="100%" fill="#ffffff"/>{"".join(legend)}{"".join(parts)}</svg>'
    )
