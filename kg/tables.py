"""Rows of results on the terminal: a table that fits the width, or one record per row when it cannot.

Values are the plain values of :func:`graph.neo4j.values.to_plain` (nodes, relationships and paths as
small tagged objects without the store's bookkeeping); :func:`cell_text` makes them readable. Every
cell is a :class:`rich.text.Text`: data is never read as markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

# Narrowest width a layout is drawn at (a terminal narrower than this still gets records this wide).
MIN_WIDTH = 20


def cell_text(value: Any) -> str:
    """A plain value as readable text: lists joined with "; ", nodes and relationships as short records.

    >>> cell_text(["a", 1, None])
    'a; 1; '
    >>> print(cell_text({"node": {"labels": ["Entity", "Site"], "properties": {"id": "h", "name": "Hospital"}}}))
    Site h
    name: Hospital
    >>> cell_text({"relationship": {"type": "OCCUPIES", "from": "g", "to": "h", "properties": {}}})
    'g -OCCUPIES-> h'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        parts = [cell_text(v) for v in value]
        return ("\n" if any("\n" in p for p in parts) else "; ").join(parts)
    if isinstance(value, dict) and len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "node" and isinstance(body, dict):
            return _node(body)
        if tag == "relationship" and isinstance(body, dict):
            return _relationship(body)
        if tag == "path" and isinstance(body, dict):
            return _path(body)
    return json.dumps(value, ensure_ascii=False)


def _properties(props: dict, skip: tuple[str, ...] = ()) -> list[str]:
    first = [k for k in ("name",) if k in props]
    keys = first + [k for k in props if k not in first and k not in skip]
    return [f"{k}: {cell_text(props[k])}" for k in keys]


def _node(body: dict) -> str:
    props = body.get("properties") or {}
    labels = [label for label in body.get("labels") or [] if label != "Entity"] or body.get("labels") or ["node"]
    head = ":".join(labels) + (f" {props['id']}" if props.get("id") is not None else "")
    return "\n".join([head, *_properties(props, skip=("id", "type"))])


def _relationship(body: dict) -> str:
    head = f"{body.get('from')} -{body.get('type')}-> {body.get('to')}"
    return "\n".join([head, *_properties(body.get("properties") or {})])


def _path(body: dict) -> str:
    ids = [((n.get("node") or {}).get("properties") or {}).get("id") for n in body.get("nodes") or []]
    if not ids:
        return ""
    text = str(ids[0])
    for i, r in enumerate(body.get("relationships") or []):
        rel = r.get("relationship") or {}
        nxt = ids[i + 1] if i + 1 < len(ids) else "?"
        forward = rel.get("from") == ids[i]
        text += f" -{rel.get('type')}-> {nxt}" if forward else f" <-{rel.get('type')}- {nxt}"
    return text


def csv_cell(value: Any) -> str:
    """A plain value as one CSV cell: scalars as text, lists of scalars joined with "; ", the rest as JSON.

    >>> csv_cell(["a", "b"]), csv_cell({"node": {"labels": ["Site"], "properties": {}}})
    ('a; b', '{"node": {"labels": ["Site"], "properties": {}}}')
    """
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "; ".join(cell_text(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[str] = ()) -> Table:
    """The rows as a table whose cells wrap (never cut off with an ellipsis)."""
    t = Table(title_justify="left")
    for col in columns:
        t.add_column(Text(col), overflow="fold", justify="right" if col in right else "left")
    for row in rows:
        t.add_row(*(Text(cell_text(v)) for v in row))
    return t


def records(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Group:
    """One record per row: ``-- row 1 --``, then ``column: value`` lines (values wrap under themselves)."""
    parts: list[RenderableType] = []
    for n, row in enumerate(rows, start=1):
        parts.append(Text(f"-- row {n} --", style="bold"))
        for col, value in zip(columns, row, strict=True):
            field = Table.grid(padding=(0, 1))  # one per field: "name: value", long values wrap under the value
            field.add_column(no_wrap=True, style="dim")
            field.add_column(overflow="fold")
            field.add_row(Text(f"{col}:"), Text(cell_text(value)))
            parts.append(field)
    return Group(*parts)


def layout(
    console: Console,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    width: int | None,
    *,
    right: Sequence[str] = (),
) -> tuple[RenderableType, int]:
    """What to draw and at which width: the table at its natural width when ``width`` is None (a pipe)
    or it fits; the table with wrapped cells when every column can keep its longest word; else records."""
    t = table(columns, rows, right=right)
    measure = Measurement.get(console, console.options.update(max_width=1_000_000), t)
    if width is None or measure.maximum <= width:
        return t, max(measure.maximum, MIN_WIDTH)
    if measure.minimum <= width:
        return t, max(width, MIN_WIDTH)
    return records(columns, rows), max(width, MIN_WIDTH)


def print_rows(
    console: Console, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[str] = ()
) -> None:
    """Draw rows on ``console``: fitted to the terminal, or at natural width into a pipe or a file."""
    width = console.size.width if console.is_terminal else None
    renderable, at = layout(console, columns, rows, width, right=right)
    Console(
        file=console.file,
        width=at,
        markup=False,
        emoji=False,
        highlight=False,
        force_terminal=console.is_terminal,
        color_system=console.color_system,
        no_color=console.no_color,
    ).print(renderable)
    console.file.flush()
