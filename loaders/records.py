"""Raw records read from a fact file, before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The curators' same/different decisions (graph.resolutions) are a section of YAML files only.
TABLE_SECTIONS = ("sources", "entities", "relations")
SECTIONS = TABLE_SECTIONS + ("resolutions",)


@dataclass(slots=True)
class Record:
    section: str  # one of SECTIONS
    data: Any  # a dict from YAML/CSV, or the raw JSON text of a JSON Lines row
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, loc: tuple) -> int:
        """The line of the deepest field an error location points into (else the record's)."""
        line, parts = self.line, []
        for part in loc:
            parts.append("from" if part == "from_" else str(part))
            line = self.field_lines.get(".".join(parts), line)
        return line
