"""CSV and JSON Lines fact files, for datasets too large to curate by hand.

What a file holds is told by its name: ``entities.csv``, ``bench.relations.jsonl``
(the last dotted part before the extension is the section). JSON Lines rows have
the same shape as YAML records; CSV rows are flat: aliases are separated by
``|`` and a relation row carries one piece of evidence in ``source``/``quote``
(several rows for the same edge add evidence).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from graph.models import ENTITY_MODELS, RELATION_MODELS, Source

from .problems import Problem, did_you_mean
from .records import SECTIONS, Record

ALIAS_SEPARATOR = "|"
_RELATION_CSV = ("type", "from", "to", "credibility", "valid_from", "valid_to", "source", "quote")


def section_of(path: Path) -> str | None:
    parts = path.name.split(".")
    return parts[-2] if len(parts) >= 2 and parts[-2] in SECTIONS else None


def _known_columns(section: str) -> set[str]:
    if section == "sources":
        return set(Source.model_fields)
    models = ENTITY_MODELS if section == "entities" else RELATION_MODELS
    cols = {f.alias or name for m in models.values() for name, f in m.model_fields.items()}
    if section == "relations":
        cols = (cols - {"evidence"}) | set(_RELATION_CSV)
    return cols


# Progress is told in steps of this many bytes: a call per line would cost seconds a million lines.
PROGRESS_STEP = 1 << 20
_BOM = b"\xef\xbb\xbf"


def read_jsonl(path: Path, label: str, section: str, progress=None) -> Iterator[Record | Problem]:
    pending = 0
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if progress:
                pending += len(raw)
                if pending >= PROGRESS_STEP:
                    progress(pending)
                    pending = 0
            if n == 1 and raw.startswith(_BOM):  # what spreadsheet programs write as "UTF-8"
                raw = raw[len(_BOM):]
            if not raw.isspace():
                yield Record(section, raw, label, n)
    if progress and pending:
        progress(pending)


def _csv_row(section: str, row: dict[str, str]) -> dict:
    data = {k: v for k, v in row.items() if v not in ("", None)}
    if section == "entities" and "aliases" in data:
        data["aliases"] = [a.strip() for a in data["aliases"].split(ALIAS_SEPARATOR) if a.strip()]
    if section == "relations":
        ev = {k: data.pop(k) for k in ("source", "quote") if k in data}
        data["evidence"] = [ev] if ev else []
    return data


def read_csv(path: Path, label: str, section: str, progress=None) -> Iterator[Record | Problem]:
    try:
        fh = path.open(newline="", encoding="utf-8-sig")  # a leading BOM ("CSV UTF-8") is not a column name
    except OSError as e:
        yield Problem(label, 1, f"cannot read: {e.strerror}")
        return
    with fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                return
            known = _known_columns(section)
            keep = []
            for i, col in enumerate(header):
                if col in known:
                    keep.append((i, col))
                else:
                    yield Problem(label, 1, f"unknown column {col!r}{did_you_mean(col, known)}")
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if progress:
                    progress(sum(len(c) + 1 for c in row))
                if not any(row):
                    continue
                if len(row) != len(header):
                    yield Problem(label, line, f"row has {len(row)} cells, the header {len(header)}")
                    continue
                yield Record(section, _csv_row(section, {c: row[i] for i, c in keep}), label, line)
        except csv.Error as e:
            yield Problem(label, reader.line_num or 1, f"CSV syntax error: {e}")
        except UnicodeDecodeError as e:
            yield Problem(label, reader.line_num + 1, f"not UTF-8 text: {e.reason}")
