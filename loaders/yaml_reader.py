"""YAML fact files, read with the line of every record and field.

Scalars stay text (pydantic converts them as the model says), which spares
curators YAML's surprises: `no` stays "no", `2021-12-05` stays a date string.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .problems import Problem, did_you_mean
from .records import SECTIONS, Record

_NULLS = {"", "~", "null", "Null", "NULL"}


def _value(node, lines: dict[str, int], path: str, problems: list[Problem], file: str):
    if path:
        lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [
            _value(item, lines, f"{path}.{i}" if path else str(i), problems, file)
            for i, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
            if key in out:
                problems.append(Problem(file, k.start_mark.line + 1, f"field {key!r} appears twice"))
            out[key] = _value(v, lines, f"{path}.{key}" if path else key, problems, file)
        return out
    return None  # aliases/anchors resolve to one of the above in compose()


def read_yaml(path: Path, label: str) -> tuple[list[Record], list[Problem]]:
    problems: list[Problem] = []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(e, "problem", None) or str(e)
        return [], [Problem(label, line, f"YAML syntax error: {what}")]
    except UnicodeDecodeError as e:
        return [], [Problem(label, 1, f"not UTF-8 text: {e.reason}")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.MappingNode):
        return [], [Problem(label, root.start_mark.line + 1, f"expected a mapping with keys {', '.join(SECTIONS)}")]
    records: list[Record] = []
    for k, v in root.value:
        section = k.value
        if section not in SECTIONS:
            problems.append(
                Problem(label, k.start_mark.line + 1, f"unknown section {section!r}{did_you_mean(section, SECTIONS)}")
            )
            continue
        if isinstance(v, yaml.ScalarNode) and v.value in _NULLS:
            continue
        if not isinstance(v, yaml.SequenceNode):
            problems.append(Problem(label, v.start_mark.line + 1, f"{section} must be a list of records"))
            continue
        for item in v.value:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                problems.append(Problem(label, line, f"each of {section} must be a mapping of fields"))
                continue
            lines: dict[str, int] = {}
            data = _value(item, lines, "", problems, label)
            records.append(Record(section, data, label, line, lines))
    return records, problems
