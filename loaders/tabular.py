"""CSV and JSON Lines fact files, for datasets too large to curate by hand.

What a file holds is told by its name: ``entities.csv``, ``bench.relations.jsonl``
(the last dotted part before the extension is the section). JSON Lines rows have
the same shape as YAML records; CSV rows are flat: aliases are separated by
``|`` and a relation row carries one piece of evidence in ``source``/``quote``
(with its ``observed``, ``according_to`` and ``via`` when it has them; several
rows for the same edge add evidence).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from graph.models import ENTITY_MODELS, RELATION_MODELS, Source

from .problems import Problem, did_you_mean
from .records import TABLE_SECTIONS, Record

ALIAS_SEPARATOR = "|"
# A relation row's columns of its one piece of evidence.
EVIDENCE_CSV = ("source", "quote", "observed", "according_to", "via")
_RELATION_CSV = ("type", "from", "to", "credibility", "valid_from", "valid_to") + EVIDENCE_CSV


def section_of(path: Path) -> str | None:
    """The section a table file holds, told by its name (case ignored).

    >>> section_of(Path("bench.relations.jsonl")), section_of(Path("x.Entities.JSONL")), section_of(Path("a.csv"))
    ('relations', 'entities', None)
    """
    parts = path.name.lower().split(".")
    return parts[-2] if len(parts) >= 2 and parts[-2] in TABLE_SECTIONS else None


def _known_columns(section: str) -> set[str]:
    if section == "sources":
        return set(Source.model_fields)
    models = ENTITY_MODELS if section == "entities" else RELATION_MODELS
    cols = {f.alias or name for m in models.values() for name, f in m.model_fields.items()}
    if section == "relations":
        cols = (cols - {"evidence"}) | set(_RELATION_CSV)
    return cols


class _Twice(ValueError):
    def __init__(self, key: str):
        self.key = key


def _no_repeat(pairs: list[tuple[str, object]]) -> dict:
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _Twice(key)
        seen[key] = value
    return seen


def keys_given(model) -> int:
    """How many keys the JSON a validated record came from had, if none was repeated: its own fields'
    and its evidence's (the only nested objects of a fact record).

    JSON parsers, pydantic's too, keep the last value of a repeated key without a word; comparing this
    count with the line's ``":`` tells at C speed that a line repeats none (see :func:`repeated_key`).
    """
    n = len(model.model_fields_set)
    for e in getattr(model, "evidence", None) or ():  # a loop, not sum(): this runs once a row
        n += len(e.model_fields_set)
    return n


def repeated_key(raw: bytes) -> str | None:
    """The first key a JSON object in ``raw`` gives twice, or None (also when ``raw`` is not JSON).

    >>> repeated_key(b'{"id": "a", "name": "First", "name": "Second"}')
    'name'
    >>> repeated_key(b'{"id": "a", "evidence": [{"source": "s"}, {"source": "t"}]}') is None
    True
    """
    try:
        json.loads(raw, object_pairs_hook=_no_repeat)
    except _Twice as e:
        return e.key
    except ValueError:
        return None
    return None


# Progress is told in steps of this many bytes: a call per line would cost seconds a million lines.
PROGRESS_STEP = 1 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonlFile:
    """A JSON Lines file of one section: iterating reads it whole (:func:`read_jsonl`); check_files may read a
    big one in two halves at once instead (:mod:`loaders.halves`)."""

    path: Path
    label: str
    section: str
    progress: Callable[[int], None] | None = None

    def __iter__(self) -> Iterator[Record | Problem]:
        return read_jsonl(self.path, self.label, self.section, self.progress)


BINARY = "binary data, not text"  # a file's problem after which the rest of it is not read


def read_jsonl(
    path: Path, label: str, section: str, progress=None, *, start: int = 0, stop: int | None = None, first_line: int = 1
) -> Iterator[Record | Problem]:
    """The records of a JSON Lines file, or of its lines from byte ``start`` (the first of them line
    ``first_line``) to byte ``stop`` (both where lines begin: :func:`loaders.halves.split_point`)."""
    pending = 0
    left = None if stop is None else stop - start
    try:
        with path.open("rb") as fh:
            fh.seek(start)
            for n, raw in enumerate(fh, start=first_line):
                if left is not None:
                    if left <= 0:
                        break
                    left -= len(raw)
                if progress:
                    pending += len(raw)
                    if pending >= PROGRESS_STEP:
                        progress(pending)
                        pending = 0
                if n == 1 and raw.startswith(_BOM):  # what spreadsheet programs write as "UTF-8"
                    raw = raw[len(_BOM) :]
                if b"\x00" in raw:  # binary data: every further "line" would be noise
                    at = raw.index(b"\x00") + 1
                    yield Problem(label, n, f"{BINARY}: a NUL byte at byte {at} of the line")
                    return
                if not raw.isascii():  # ASCII, the common case, is UTF-8: checked at C speed
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError as e:
                        yield Problem(label, n, f"not UTF-8 text: {e.reason} at byte {e.start + 1} of the line")
                        continue
                if not raw.isspace():
                    yield Record(section, raw, label, n)
    except OSError as e:
        yield Problem(label, 1, f"cannot read: {e.strerror}")
    if progress and pending:
        progress(pending)


def _csv_row(section: str, row: dict[str, str]) -> dict:
    data = {k: v for k, v in row.items() if v not in ("", None)}
    if section == "entities" and "aliases" in data:
        data["aliases"] = [a.strip() for a in data["aliases"].split(ALIAS_SEPARATOR) if a.strip()]
    if section == "relations":
        ev = {k: data.pop(k) for k in EVIDENCE_CSV if k in data}
        data["evidence"] = [ev] if ev else []
    return data


def _not_utf8(row: list[str], header: list[str]) -> str | None:
    r"""What is wrong with a row that holds bytes that are not UTF-8 (read as lone surrogates), or None.

    >>> _not_utf8(["b", "Jos\udce9"], ["id", "name"]), _not_utf8(["b", "José"], ["id", "name"])
    ("not UTF-8 text: the byte 0xE9 in column 'name'", None)
    """
    for i, cell in enumerate(row):
        if cell.isascii():
            continue
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError as e:
            column = f" in column {header[i]!r}" if i < len(header) else ""
            return f"not UTF-8 text: the byte 0x{ord(cell[e.start]) - 0xDC00:02X}{column}"
    return None


def read_csv(path: Path, label: str, section: str, progress=None) -> Iterator[Record | Problem]:
    try:
        # A leading BOM ("CSV UTF-8") is not a column name. Bytes that are not UTF-8 are kept (as lone
        # surrogates) until the row they are in is read, so the problem names its line and column.
        fh = path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")
    except OSError as e:
        yield Problem(label, 1, f"cannot read: {e.strerror}")
        return
    with fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                return
            bad = _not_utf8(header, [])
            if bad:
                yield Problem(label, 1, bad)
                return
            known = _known_columns(section)
            keep = []
            seen: set[str] = set()
            for i, col in enumerate(header):
                if col in seen:
                    yield Problem(label, 1, f"column {col!r} appears twice in the header")
                    return
                seen.add(col)
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
                bad = _not_utf8(row, header)
                if bad:
                    yield Problem(label, line, bad)
                    continue
                yield Record(section, _csv_row(section, {c: row[i] for i, c in keep}), label, line)
        except csv.Error as e:
            if "NUL" in str(e):
                yield Problem(label, reader.line_num or 1, "binary data, not text: a NUL byte")
            else:
                yield Problem(label, reader.line_num or 1, f"CSV syntax error: {e}")
        except OSError as e:
            yield Problem(label, reader.line_num + 1, f"cannot read: {e.strerror}")
