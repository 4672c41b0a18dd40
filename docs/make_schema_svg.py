"""Draw the Neo4j graph model from the schema registry: docs/neo4j-schema.svg.

    python docs/make_schema_svg.py            # rewrites docs/neo4j-schema.svg

No graphviz, no mermaid: plain SVG text, so the picture always matches
graph/schema.yaml (tests check that it is up to date). Left: the node labels
with their properties; right: one line per relationship type, from its
allowed start labels to its allowed end labels, with its own properties.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.schema import REGISTRY, Registry  # noqa: E402

OUT = ROOT / "docs" / "neo4j-schema.svg"

ENTITY_PROPS = ["id", "type", "name", "aliases", "names", "description", "location (point)", "dataset", "hash"]
SOURCE_PROPS = [
    "id",
    "title",
    "publisher",
    "author",
    "published",
    "published_date (date)",
    "reliability",
    "document",
    "url",
    "dataset",
    "hash",
]
RELATION_PROPS = [
    "sources",
    "quotes",
    "credibilities",
    "credibility",
    "reliability",
    "valid_from",
    "valid_to",
    "valid_from_date (date)",
    "valid_to_date (date)",
    "dataset",
    "hash",
]

FONT = "font-family='DejaVu Sans, Verdana, sans-serif'"
CHAR = 6.6  # approximate width of a character at 10.5-11px
BOLD_CHAR = 8.0  # of a bold capital at 11px
ROW = 26


def _text(
    x: float, y: float, s: str, size: int = 11, weight: str = "normal", fill: str = "#222", anchor: str = "start"
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' {FONT} font-size='{size}' font-weight='{weight}' "
        f"fill='{fill}' text-anchor='{anchor}'>{escape(s)}</text>"
    )


def _chip(x: float, y: float, label: str, color: str) -> tuple[str, float]:
    w = len(label) * CHAR + 14
    return (
        f"<rect x='{x:.1f}' y='{y - 12:.1f}' width='{w:.1f}' height='17' rx='8' fill='{color}' "
        f"fill-opacity='0.85'/>" + _text(x + w / 2, y + 1, label, 10.5, "bold", "#fff", "middle")
    ), w


def _ends(types: frozenset[str], registry: Registry) -> list[str]:
    """Allowed endpoint types, written as a registry group when they are exactly one."""
    for gname, members in registry.groups.items():
        if set(members) == set(types):
            return [gname]
    return [t for t in registry.entities if t in types]


def render(registry: Registry = REGISTRY) -> str:
    parts: list[str] = []
    colors = {name: t.color for name, t in registry.entities.items()}
    group_color = "#555"

    # --- left column: nodes
    x0, y = 20, 48
    parts.append(_text(x0, 28, "Nodes", 15, "bold"))
    parts.append(_text(x0, y, ":Entity:<Type> — every entity", 11.5, "bold"))
    y += 16
    parts.append(_text(x0 + 8, y, ", ".join(ENTITY_PROPS[:5]) + ",", 10.5, fill="#444"))
    y += 14
    parts.append(_text(x0 + 8, y, ", ".join(ENTITY_PROPS[5:]) + " + the type's attributes:", 10.5, fill="#444"))
    y += 22
    for name, t in registry.entities.items():
        chip, w = _chip(x0 + 8, y, name, t.color)
        parts.append(chip)
        attrs = ", ".join(t.attributes) or "—"
        parts.append(_text(x0 + 8 + w + 8, y + 1, attrs, 10.5, fill="#444"))
        y += 22
    y += 10
    parts.append(_text(x0, y, ":Source — every source document", 11.5, "bold"))
    y += 16
    parts.append(_text(x0 + 8, y, ", ".join(SOURCE_PROPS[:6]) + ",", 10.5, fill="#444"))
    y += 14
    parts.append(_text(x0 + 8, y, ", ".join(SOURCE_PROPS[6:]), 10.5, fill="#444"))
    y += 26
    parts.append(_text(x0, y, "Groups of types used below", 11.5, "bold"))
    y += 18
    for gname, members in registry.groups.items():
        chip, w = _chip(x0 + 8, y, gname, group_color)
        parts.append(chip)
        parts.append(_text(x0 + 8 + w + 8, y + 1, " | ".join(members), 10.5, fill="#444"))
        y += 22
    y += 10
    parts.append(_text(x0, y, "Every relationship carries", 11.5, "bold"))
    y += 16
    parts.append(_text(x0 + 8, y, ", ".join(RELATION_PROPS[:5]) + ",", 10.5, fill="#444"))
    y += 14
    parts.append(_text(x0 + 8, y, ", ".join(RELATION_PROPS[5:9]) + ",", 10.5, fill="#444"))
    y += 14
    parts.append(_text(x0 + 8, y, ", ".join(RELATION_PROPS[9:]) + " + the type's attributes", 10.5, fill="#444"))
    left_bottom = y + 20

    # --- right column: relationship types, as a table: start labels | type | end labels {attributes}
    rx = 470
    ry = 48
    parts.append(_text(rx, 28, "Relationships (start → end)", 15, "bold"))

    def chips_width(types: list[str]) -> float:
        return sum(len(t) * CHAR + 14 + 4 for t in types)

    starts = {name: _ends(rt.sources, registry) for name, rt in registry.relations.items()}
    col_label = rx + max(chips_width(v) for v in starts.values()) + 6
    col_end = col_label + max(len(name) + 3 for name in registry.relations) * BOLD_CHAR + 6
    widest = 0.0
    for name, rt in registry.relations.items():
        x = col_label - chips_width(starts[name]) - 6  # start labels right-aligned against the type
        for t in starts[name]:
            chip, w = _chip(x, ry, t, colors.get(t, group_color))
            parts.append(chip)
            x += w + 4
        parts.append(_text(col_label, ry + 1, f"—{name}→", 11, "bold", "#333"))
        x = col_end
        for t in _ends(rt.targets, registry):
            chip, w = _chip(x, ry, t, colors.get(t, group_color))
            parts.append(chip)
            x += w + 4
        if rt.attributes:
            attrs = "{" + ", ".join(rt.attributes) + "}"
            parts.append(_text(x + 6, ry + 1, attrs, 10.5, fill="#666"))
            x += 6 + len(attrs) * CHAR
        widest = max(widest, x)
        ry += ROW
    width = int(max(widest + 20, 900))
    height = int(max(left_bottom, ry + 10))
    head = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='actorgraph Neo4j graph model'>"
        f"<rect width='100%' height='100%' fill='#fff'/>"
        f"<line x1='450' y1='16' x2='450' y2='{height - 10}' stroke='#ddd'/>"
    )
    return head + "".join(parts) + "</svg>\n"


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
