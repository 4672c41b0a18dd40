"""YAML fact files, read safely and with the line of every record and field.

Scalars stay text (pydantic converts them as the model says), which spares
curators YAML's surprises: `no` stays "no", `2021-12-05` stays a date string.

A fact file is plain data, so the reader takes only what plain data needs and
refuses the rest before it costs anything: aliases and anchors (the "billion
laughs" expansion and recursive aliases), nesting deeper than
:data:`MAX_DEPTH`, scalars longer than :data:`MAX_SCALAR_CHARS`, files larger
than :data:`MAX_FILE_BYTES`, more than one document. Events come from libyaml's
C parser (PyYAML's pure-Python scanner is the fallback) and the tree is built
without recursion, so neither time nor memory nor the stack depends on how
hostile a file is beyond its size.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .discovery import nul_problem
from .problems import Problem, did_you_mean
from .records import SECTIONS, Record

_NULLS = {"", "~", "null", "Null", "NULL"}

# A fact record nests a handful of levels (sections > records > evidence > fields).
MAX_DEPTH = 16
# The longest text any field may hold is far shorter (see graph.models); this only bounds reading.
MAX_SCALAR_CHARS = 1_000_000
# YAML is for curated files; datasets this big belong in JSON Lines or CSV (README).
MAX_FILE_BYTES = 256 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


class _Node:
    """A composed YAML node: ``kind`` is "scalar", "seq" or "map"; ``line`` is 1-based."""

    __slots__ = ("kind", "value", "line", "plain")

    def __init__(self, kind: str, value, line: int, plain: bool = False):
        self.kind, self.value, self.line, self.plain = kind, value, line, plain


# Event classes by what the composer does with them (a dict lookup is cheaper than isinstance chains).
_SCALAR, _SEQ, _MAP, _END, _ALIAS, _DOC, _SKIP = range(7)
_KIND = {
    yaml.ScalarEvent: _SCALAR,
    yaml.SequenceStartEvent: _SEQ,
    yaml.MappingStartEvent: _MAP,
    yaml.SequenceEndEvent: _END,
    yaml.MappingEndEvent: _END,
    yaml.AliasEvent: _ALIAS,
    yaml.DocumentStartEvent: _DOC,
    yaml.StreamStartEvent: _SKIP,
    yaml.DocumentEndEvent: _SKIP,
}


def _compose(text: str) -> _Node | None:
    """The document's node tree, or :class:`_Refused` at the first thing a fact file may not hold."""
    loader = _Loader(text)
    get_event = loader.get_event
    root: _Node | None = None
    stack: list[_Node] = []
    documents = 0
    try:
        while True:
            event = get_event()
            kind = _KIND.get(event.__class__) if event is not None else None
            if kind is None:  # StreamEndEvent (or the end of the stream)
                return root
            if kind == _SKIP:
                continue
            if kind == _END:
                stack.pop()
                continue
            line = event.start_mark.line + 1
            if kind == _DOC:
                documents += 1
                if documents > 1:
                    raise _Refused(line, "a fact file holds one YAML document; remove the second '---'")
                continue
            if kind == _ALIAS:
                raise _Refused(line, f"YAML alias *{event.anchor} is not allowed in fact files: write the value out")
            if event.anchor is not None:
                raise _Refused(line, f"YAML anchor &{event.anchor} is not allowed in fact files: write values out")
            if kind == _SCALAR:
                value = event.value
                if len(value) > MAX_SCALAR_CHARS:
                    raise _Refused(line, f"a value of {len(value):,} characters; at most {MAX_SCALAR_CHARS:,} are read")
                node = _Node("scalar", value, line, event.style is None)
            else:
                node = _Node("seq" if kind == _SEQ else "map", [], line)
            if stack:
                parent = stack[-1]
                children = parent.value
                if parent.kind == "seq":
                    children.append(node)
                elif children and len(children[-1]) == 1:
                    children[-1].append(node)  # the value of the pending key
                else:
                    children.append([node])  # a key, waiting for its value
            else:
                root = node
            if kind != _SCALAR:
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels; fact records are flat")
                stack.append(node)
    finally:
        loader.dispose()


def _key(node: _Node) -> str:
    if node.kind == "scalar":
        return node.value
    return "<a list>" if node.kind == "seq" else "<a mapping>"


def _value(node: _Node, lines: dict[str, int], path: str, problems: list[Problem], file: str):
    if path:
        lines[path] = node.line
    if node.kind == "scalar":
        if node.plain and node.value in _NULLS:
            return None
        return node.value
    if node.kind == "seq":
        return [
            _value(item, lines, f"{path}.{i}" if path else str(i), problems, file) for i, item in enumerate(node.value)
        ]
    out = {}
    for k, v in node.value:
        key = _key(k)
        if key in out:
            problems.append(Problem(file, k.line, f"field {key!r} appears twice"))
        out[key] = _value(v, lines, f"{path}.{key}" if path else key, problems, file)
    return out


def read_yaml(path: Path, label: str) -> tuple[list[Record], list[Problem]]:
    problems: list[Problem] = []
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return [], [
                Problem(
                    label,
                    1,
                    f"a YAML file of {size / 2**20:,.0f} MB; at most {MAX_FILE_BYTES // 2**20} "
                    "MB (put big datasets in JSON Lines or CSV files)",
                )
            ]
        raw = path.read_bytes()
    except OSError as e:
        return [], [Problem(label, 1, f"cannot read: {e.strerror}")]
    binary = nul_problem(raw, label)
    if binary is not None:
        return [], [binary]
    try:
        text = raw.decode("utf-8-sig")
        root = _compose(text)
    except _Refused as e:
        return [], [Problem(label, e.line, e.message)]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(e, "problem", None) or str(e)
        return [], [Problem(label, line, f"YAML syntax error: {what}")]
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return [], [Problem(label, line, f"not UTF-8 text: {e.reason} at byte {e.start + 1}")]
    if root is None:
        return [], []
    if root.kind != "map":
        return [], [Problem(label, root.line, f"expected a mapping with keys {', '.join(SECTIONS)}")]
    records: list[Record] = []
    for k, v in root.value:
        section = _key(k)
        if section not in SECTIONS:
            problems.append(Problem(label, k.line, f"unknown section {section!r}{did_you_mean(section, SECTIONS)}"))
            continue
        if v.kind == "scalar" and v.plain and v.value in _NULLS:
            continue
        if v.kind != "seq":
            problems.append(Problem(label, v.line, f"{section} must be a list of records"))
            continue
        for item in v.value:
            if item.kind != "map":
                problems.append(Problem(label, item.line, f"each of {section} must be a mapping of fields"))
                continue
            lines: dict[str, int] = {}
            data = _value(item, lines, "", problems, label)
            records.append(Record(section, data, label, item.line, lines))
    return records, problems
