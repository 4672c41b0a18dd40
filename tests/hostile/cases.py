"""The hostile corpus: the valid dataset of ``base/`` plus one defect each, in the project's real formats.

Every :class:`Case` copies ``base/`` to a folder named ``hostile`` and adds its defect (a file, a link,
an edit); ``where`` lists the ``FILE:LINE`` (regular expressions, paths relative to the folder the
commands run in) that the output must name. ``codes`` is the exit code each command must give
(README: 1 for invalid data, 2 for a usage error such as a malformed NEO4J_URI).

Known gaps, cases that validation does not catch yet, are listed in :data:`GAPS` with what is missing;
their tests are marked ``xfail(strict=True)``, so the day validation catches one, its test says so.

Write the corpus to a folder to look at it by hand:

    python3 -m tests.hostile.cases /tmp/hostile-corpus
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"
DOCUMENTS = HERE / "documents"
DATASET = "hostile"  # the folder every case is built in, and so the dataset name `kg load` gives it

COMMANDS = ("validate", "stats", "viz", "export", "load")
INVALID = dict.fromkeys(COMMANDS, 1)
ACCEPTED = dict.fromkeys(COMMANDS, 0)


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    what: str  # what a hostile user tries
    build: Callable[[Path], None]  # adds the defect to the dataset folder (and may write beside it)
    where: tuple[str, ...] = ()  # FILE:LINE regular expressions the output of every failing command names
    codes: dict[str, int] = field(default_factory=lambda: dict(INVALID))
    env: dict[str, str] = field(default_factory=dict)
    extra_paths: tuple[str, ...] = ()  # more PATH arguments, relative to the folder the commands run in
    facts_change: bool = False  # a load that succeeds may change the facts (never for a refused one)

    def make(self, root: Path) -> Path:
        """Build the case under ``root``: ``root/hostile`` (the dataset) and ``root/documents``."""
        folder = root / DATASET
        shutil.copytree(BASE, folder)
        shutil.copytree(DOCUMENTS, root / "documents")
        self.build(folder)
        return folder


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _at(file: str, line: int | str) -> str:
    """``hostile/FILE:LINE:`` as a regular expression (``line`` may be a pattern such as ``\\d+``)."""
    return rf"{DATASET}/{_esc(file)}:{line}: "


def _esc(text: str) -> str:
    return "".join("\\" + c if c in ".^$*+?{}[]|()\\" else c for c in text)


# Entities written by the cases below start on line 2 of their file (line 1: `entities:`).
ENTITY_HEAD = "entities:\n  - id: defect\n    type: Person\n"  # lines 1-3; the defect's field is on line 4


def _entity_yaml(field_lines: str) -> Callable[[Path], None]:
    return lambda d: _write(d / "defect.yaml", ENTITY_HEAD + field_lines)


CASES: list[Case] = []


def case(*args, **kwargs) -> None:
    CASES.append(Case(*args, **kwargs))


# --------------------------------------------------------------------------- YAML structure

_BOMB = (
    ENTITY_HEAD
    + "    name: Bomb\n"
    + "".join(
        f"    a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(10)
    )
)
case(
    "alias_bomb",
    "yaml",
    "billion laughs: nine anchors each nine times the last",
    _entity_yaml(_BOMB[len(ENTITY_HEAD) :]),
    (_at("defect.yaml", 5),),
)
case(
    "recursive_alias",
    "yaml",
    "an alias inside its own anchor",
    _entity_yaml("    name: &loop [*loop]\n"),
    (_at("defect.yaml", 4),),
)
case(
    "deep_nesting",
    "yaml",
    "100,000 nested flow lists on one line",
    _entity_yaml("    name: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    (_at("defect.yaml", 4),),
)
case(
    "deep_block_nesting",
    "yaml",
    "a mapping nested 2,000 levels deep, one level a line",
    _entity_yaml("".join("  " * (i + 2) + f"k{i}:\n" for i in range(2000)) + "  " * 2002 + "x: 1\n"),
    (_at("defect.yaml", r"\d+"),),
)
case(
    "python_tag",
    "yaml",
    "a !!python tag that a full loader would run",
    _entity_yaml('    name: !!python/object/apply:os.system ["touch PWNED"]\n'),
    (_at("defect.yaml", 4),),
)
case(
    "two_documents",
    "yaml",
    "a second YAML document after ---",
    lambda d: _write(d / "defect.yaml", "entities: []\n---\nentities: []\n"),
    (_at("defect.yaml", 2),),
)
case(
    "duplicate_key_yaml",
    "yaml",
    "a field given twice (the second would silently win)",
    _entity_yaml("    name: First\n    name: Second\n"),
    (_at("defect.yaml", 5),),
)
case(
    "merge_key",
    "yaml",
    "a YAML merge key <<",
    _entity_yaml("    name: Merged\n    <<: {rank: General}\n"),
    (_at("defect.yaml", 5),),
)
case(
    "tab_indent",
    "yaml",
    "a tab where YAML wants spaces",
    _entity_yaml("    name: Tab\n\trank: x\n"),
    (_at("defect.yaml", 5),),
)
case(
    "duplicate_key_json",
    "yaml",
    "a JSON Lines record with a key twice (the second would silently win)",
    lambda d: _write(
        d / "defect.entities.jsonl", '{"id": "defect", "type": "Person", "name": "First", "name": "Second"}\n'
    ),
    (_at("defect.entities.jsonl", 1),),
)
case(
    "duplicate_column_csv",
    "yaml",
    "a CSV header with a column twice (the second would silently win)",
    lambda d: _write(d / "defect.entities.csv", "id,type,name,name\ndefect,Person,First,Second\n"),
    (_at("defect.entities.csv", 1),),
)
case(
    "deep_json",
    "yaml",
    "100,000 nested JSON arrays in one JSON Lines record",
    lambda d: _write(
        d / "defect.entities.jsonl",
        '{"id": "defect", "type": "Person", "name": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
    ),
    (_at("defect.entities.jsonl", 1),),
)
case(
    "json_not_a_record",
    "yaml",
    "JSON Lines rows that are a list, a number, a string",
    lambda d: _write(d / "defect.entities.jsonl", '[1, 2]\n3\n"x"\n'),
    (_at("defect.entities.jsonl", 1), _at("defect.entities.jsonl", 2), _at("defect.entities.jsonl", 3)),
)
case(
    "unclosed_csv_quote",
    "yaml",
    "a CSV quote that never closes",
    lambda d: _write(d / "defect.entities.csv", 'id,type,name\ndefect,Person,"Unclosed\n'),
    (_at("defect.entities.csv", r"[23]"),),
)

# --------------------------------------------------------------------------- text

_TOO_LONG_NAME = "x" * 9000  # past Neo4j's 8 KB index key as well as validation's 1,000 characters
case(
    "name_over_index_limit",
    "text",
    "a 9,000-character name, an id of 250 and an alias of 9,000 (JSON Lines)",
    lambda d: _write(
        d / "defect.entities.jsonl",
        json.dumps({"id": "a" * 250, "type": "Person", "name": _TOO_LONG_NAME, "aliases": [_TOO_LONG_NAME]}) + "\n",
    ),
    (_at("defect.entities.jsonl", 1),),
)
case(
    "name_over_index_limit_csv",
    "text",
    "a 9,000-character name in a CSV cell",
    lambda d: _write(d / "defect.entities.csv", f"id,type,name\ndefect,Person,{_TOO_LONG_NAME}\n"),
    (_at("defect.entities.csv", 2),),
)
case(
    "multibyte_name_over_limit",
    "text",
    "1,001 four-byte characters: 4 KB of UTF-8 (YAML)",
    _entity_yaml("    name: " + "\U0001d54f" * 1001 + "\n"),
    (_at("defect.yaml", 4),),
)
_MEGA = "x" * (1 << 20)
case(
    "megabyte_quote_yaml",
    "text",
    "a 1 MB one-word quote (YAML)",
    lambda d: _write(
        d / "defect.yaml",
        "relations:\n  - type: LEADS\n    from: commander-a\n    to: river-brigade\n"
        "    credibility: 2\n    evidence:\n      - source: report-a\n"
        f"        quote: {_MEGA}\n",
    ),
    (_at("defect.yaml", 8),),
)
case(
    "megabyte_quote_csv",
    "text",
    "a 1 MB one-word quote (CSV)",
    lambda d: _write(
        d / "defect.relations.csv",
        f"type,from,to,credibility,source,quote\nLEADS,commander-a,river-brigade,2,report-a,{_MEGA}\n",
    ),
    (_at("defect.relations.csv", 2),),
)
case(
    "megabyte_quote_jsonl",
    "text",
    "a 1 MB one-word quote (JSON Lines)",
    lambda d: _write(
        d / "defect.relations.jsonl",
        json.dumps(
            {
                "type": "LEADS",
                "from": "commander-a",
                "to": "river-brigade",
                "credibility": 2,
                "evidence": [{"source": "report-a", "quote": _MEGA}],
            }
        )
        + "\n",
    ),
    (_at("defect.relations.jsonl", 1),),
)
# NUL and other control characters in every text field, each on its own line so that each is told.
_CONTROL_FIELDS = ("name", "description", "rank", "nationality", "inferred")
case(
    "control_characters_yaml",
    "text",
    "NUL, ESC, BEL in every text field (YAML escapes)",
    _entity_yaml(
        "".join(f'    {f}: "a\\0b\\e[2J\\ac"\n' for f in _CONTROL_FIELDS)
        + '    aliases: ["x\\0y"]\n    evidence:\n      - source: report-a\n        quote: "q\\0"\n'
        + '        according_to: "someone\\x01"\n'
    ),
    tuple(_at("defect.yaml", n) for n in range(4, 4 + len(_CONTROL_FIELDS)))
    + (_at("defect.yaml", 9), _at("defect.yaml", 12), _at("defect.yaml", 13)),
)
case(
    "raw_nul_byte_yaml",
    "text",
    "a raw NUL byte in a YAML file",
    lambda d: _bytes(d / "defect.yaml", (ENTITY_HEAD + "    name: a\x00b\n").encode()),
    (_at("defect.yaml", 4),),
)
case(
    "control_characters_csv",
    "text",
    "ESC, BEL and other controls in every cell of CSV rows, and a NUL",
    lambda d: (
        _write(
            d / "defect.entities.csv",
            "id,type,name,aliases,kind,description\n"
            "de\x1bfect,Pers\x1b[2Jon,Na\x1bme,Al\x07ias|B\x08,ki\x1bnd,de\x1bsc\n"
            "defect-2,Person,Na\x1bme,Al\x07ias|B\x08,ki\x1bnd,de\x1bsc\n",
        ),
        _write(d / "nul.entities.csv", "id,type,name\ndefect-3,Person,Ok\x00\n"),
    ),
    (_at("defect.entities.csv", 2), _at("defect.entities.csv", 3), _at("nul.entities.csv", 2)),
)
case(
    "control_characters_jsonl",
    "text",
    "NUL, ESC and DEL escapes in JSON Lines strings",
    lambda d: _write(
        d / "defect.entities.jsonl",
        '{"id": "defect", "type": "Person", "name": "a\\u0000b", "description": "\\u001b[31mred"}\n'
        '{"id": "defect-2", "type": "Person", "name": "x\\u007f"}\n',
    ),
    (_at("defect.entities.jsonl", 1), _at("defect.entities.jsonl", 2)),
)
case(
    "terminal_escape_in_echoed_values",
    "text",
    "ESC sequences in a type and an id, which error messages quote",
    lambda d: _write(
        d / "defect.entities.jsonl", '{"id": "x\\u001b]0;pwned\\u0007", "type": "Pers\\u001b[2Jon", "name": "N"}\n'
    ),
    (_at("defect.entities.jsonl", 1),),
)
case(
    "markup_in_echoed_values",
    "text",
    "rich markup and emoji codes in a type and a relation end",
    lambda d: _write(
        d / "defect.yaml",
        "entities:\n  - id: defect\n    type: '[bold red]Persn[/]'\n"
        "    name: ':100: [link=http://x]y[/link]'\n"
        "relations:\n  - type: LEADS\n    from: ':boom:'\n    to: river-brigade\n"
        "    credibility: 2\n    evidence:\n      - source: report-a\n"
        "        quote: q\n",
    ),
    (r"hostile/defect\.yaml:3: .*\[bold red\]Persn\[/\]", _at("defect.yaml", 7)),
)
case(
    "lone_surrogate",
    "text",
    "a lone UTF-16 surrogate escaped in JSON and in YAML",
    lambda d: (
        _write(d / "defect.entities.jsonl", '{"id": "defect", "type": "Person", "name": "a\\ud800b"}\n'),
        _write(d / "defect.yaml", 'entities:\n  - id: defect-2\n    type: Person\n    name: "a\\ud800b"\n'),
    ),
    (_at("defect.entities.jsonl", 1), _at("defect.yaml", 4)),
)
case(
    "line_break_in_name",
    "text",
    "a line break inside a quoted CSV name",
    lambda d: _write(d / "defect.entities.csv", 'id,type,name\ndefect,Person,"two\nlines"\n'),
    (_at("defect.entities.csv", 2),),
)
case(
    "crlf_lines",
    "text",
    "Windows line endings: the defect's line must still be right",
    lambda d: _bytes(d / "defect.yaml", (ENTITY_HEAD + "    name: Ok\n    rnak: x\n").replace("\n", "\r\n").encode()),
    (_at("defect.yaml", 5),),
)
case(
    "bom_everywhere",
    "text",
    "a UTF-8 BOM at the start of a YAML, a CSV and a JSON Lines file, each with a defect",
    lambda d: (
        _bytes(d / "defect.yaml", b"\xef\xbb\xbf" + (ENTITY_HEAD + "    name: Ok\n    rnak: x\n").encode()),
        _bytes(d / "defect.entities.csv", b"\xef\xbb\xbfid,type,name\ndefect-2,Persn,N\n"),
        _bytes(
            d / "defect.entities.jsonl",
            b'\xef\xbb\xbf{"id": "defect-3", "type": "Person", "name": "N"}\n{"id": "defect-4"}\n',
        ),
    ),
    (_at("defect.yaml", 5), _at("defect.entities.csv", 2), _at("defect.entities.jsonl", 2)),
)
case(
    "not_utf8",
    "text",
    "Latin-1 bytes in a YAML, a CSV and a JSON Lines file",
    lambda d: (
        _bytes(d / "defect.yaml", (ENTITY_HEAD + "    name: Caf").encode() + b"\xe9\n"),
        _bytes(d / "defect.entities.csv", b"id,type,name\ndefect-2,Person,Caf\xe9\n"),
        _bytes(d / "defect.entities.jsonl", b'{"id": "defect-3", "type": "Person", "name": "Caf\xe9"}\n'),
    ),
    (_at("defect.yaml", 4), _at("defect.entities.csv", 2), _at("defect.entities.jsonl", 1)),
)
case(
    "utf16_file",
    "text",
    "a YAML file saved as UTF-16",
    lambda d: _bytes(d / "defect.yaml", (ENTITY_HEAD + "    name: N\n").encode("utf-16")),
    (_at("defect.yaml", 1),),
)

# --------------------------------------------------------------------------- dates

_Y0 = "0000"
case(
    "year_zero_yaml",
    "dates",
    "year 0000 in every date field of YAML records",
    lambda d: _write(
        d / "defect.yaml",
        "sources:\n"
        f"  - id: src-0\n    title: T\n    publisher: P\n    published: {_Y0}-01\n    reliability: B\n"
        f"  - id: src-1\n    title: T\n    publisher: P\n    retrieved: {_Y0}\n    reliability: B\n"
        "entities:\n"
        f"  - id: camp-0\n    type: Campaign\n    name: C\n    start: {_Y0}-02\n    end: {_Y0}-03\n"
        f"  - id: event-0\n    type: Event\n    name: E\n    date: {_Y0}-01-01\n"
        f"    evidence:\n      - source: report-a\n        quote: q\n        observed: {_Y0}\n"
        "relations:\n"
        "  - type: LEADS\n    from: commander-a\n    to: river-brigade\n    credibility: 2\n"
        f"    valid_from: {_Y0}\n    valid_to: {_Y0}-12\n"
        f"    evidence:\n      - source: report-a\n        quote: q\n        observed: {_Y0}-05\n",
    ),
    tuple(_at("defect.yaml", n) for n in (5, 10, 16, 17, 21, 25, 31, 32, 36)),
)
case(
    "year_zero_csv",
    "dates",
    "year 0000 in the date cells of CSV rows",
    lambda d: (
        _write(
            d / "defect.relations.csv",
            "type,from,to,credibility,valid_from,valid_to,source,quote\n"
            f"LEADS,commander-a,river-brigade,2,{_Y0},,report-a,q\n"
            f"LEADS,commander-a,river-brigade,2,,{_Y0}-01-01,report-a,q\n",
        ),
        _write(d / "defect.entities.csv", f"id,type,name,date\nevent-0,Event,E,{_Y0}-06\n"),
    ),
    (_at("defect.relations.csv", 2), _at("defect.relations.csv", 3), _at("defect.entities.csv", 2)),
)
case(
    "year_zero_jsonl",
    "dates",
    "year 0000 in JSON Lines: a number year, an evidence observed, a retrieved",
    lambda d: (
        _write(
            d / "defect.relations.jsonl",
            json.dumps(
                {
                    "type": "LEADS",
                    "from": "commander-a",
                    "to": "river-brigade",
                    "credibility": 2,
                    "valid_from": 0,
                    "evidence": [{"source": "report-a", "quote": "q", "observed": "0000-01"}],
                }
            )
            + "\n",
        ),
        _write(
            d / "defect.sources.jsonl",
            json.dumps({"id": "src-0", "title": "T", "publisher": "P", "retrieved": "0000", "reliability": "A"}) + "\n",
        ),
    ),
    (_at("defect.relations.jsonl", 1), _at("defect.sources.jsonl", 1)),
)
case(
    "year_beyond_9999",
    "dates",
    "five-digit and negative years",
    lambda d: _write(
        d / "defect.yaml",
        "entities:\n  - id: event-0\n    type: Event\n    name: E\n"
        "    date: 10000-01-01\n  - id: event-1\n    type: Event\n"
        "    name: F\n    date: -0001\n",
    ),
    (_at("defect.yaml", 5), _at("defect.yaml", 9)),
)

# --------------------------------------------------------------------------- numbers

case(
    "nan_and_infinity",
    "numbers",
    "NaN and infinities as coordinates and grades (YAML, JSON Lines, CSV)",
    lambda d: (
        _write(
            d / "defect.yaml",
            "entities:\n  - id: place-0\n    type: Place\n    name: P\n    lat: .nan\n    lon: .inf\n",
        ),
        _write(
            d / "defect.entities.jsonl",
            '{"id": "place-1", "type": "Place", "name": "Q", "lat": NaN, "lon": -Infinity}\n',
        ),
        _write(
            d / "defect.relations.jsonl",
            '{"type": "LEADS", "from": "commander-a", "to": "river-brigade", "credibility": NaN, '
            '"evidence": [{"source": "report-a", "quote": "q"}]}\n',
        ),
        _write(d / "defect.entities.csv", "id,type,name,lat,lon\nplace-2,Place,R,nan,inf\n"),
    ),
    (
        _at("defect.yaml", 5),
        _at("defect.yaml", 6),
        _at("defect.entities.jsonl", 1),
        _at("defect.relations.jsonl", 1),
        _at("defect.entities.csv", 2),
    ),
)
case(
    "huge_numbers",
    "numbers",
    "integers past 64 bits and floats past double range",
    lambda d: (
        _write(
            d / "defect.yaml",
            "relations:\n  - type: LEADS\n    from: commander-a\n    to: river-brigade\n"
            f"    credibility: {10**40}\n    evidence:\n      - source: report-a\n"
            "        quote: q\n",
        ),
        _write(
            d / "defect.entities.jsonl",
            '{"id": "place-1", "type": "Place", "name": "Q", "lat": 1e400, "lon": ' + "9" * 5000 + "}\n",
        ),
    ),
    (_at("defect.yaml", 5), _at("defect.entities.jsonl", 1)),
)
case(
    "boolean_grade",
    "numbers",
    "credibility true in JSON (Python reads it as 1, the best grade)",
    lambda d: _write(
        d / "defect.relations.jsonl",
        '{"type": "LEADS", "from": "commander-a", "to": "river-brigade", "credibility": true, '
        '"evidence": [{"source": "report-a", "quote": "q"}]}\n',
    ),
    (_at("defect.relations.jsonl", 1),),
)

# --------------------------------------------------------------------------- files


def _chmod_000(d: Path) -> None:
    f = d / "unreadable.yaml"
    _write(f, ENTITY_HEAD + "    nmae: x\n")
    f.chmod(0)


case(
    "unreadable_file",
    "files",
    "a fact file without read permission (root reads it anyway: then its defect is told)",
    _chmod_000,
    (_at("unreadable.yaml", r"\d+"),),
)
case(
    "io_error_file",
    "files",
    "a fact file whose read fails (an I/O error)",
    lambda d: (d / "ioerror.yaml").symlink_to("/proc/self/mem"),
    (_at("ioerror.yaml", r"\d+"),),
)
case(
    "upper_case_extensions",
    "files",
    "FACTS.YAML and x.entities.CSV: never silently skipped",
    lambda d: (
        _write(d / "DEFECT.YAML", ENTITY_HEAD + "    nmae: x\n"),
        _write(d / "defect.entities.CSV", "id,type,name\ndefect-2,Persn,N\n"),
    ),
    (_at("DEFECT.YAML", r"\d+"), _at("defect.entities.CSV", r"\d+")),
)
case(
    "empty_files",
    "files",
    "empty YAML, CSV and JSON Lines files and a comment-only YAML: they hold no facts",
    lambda d: (
        _write(d / "empty.yaml", ""),
        _write(d / "empty.entities.csv", ""),
        _write(d / "empty.relations.jsonl", ""),
        _write(d / "comments.yaml", "# nothing yet\n"),
        _write(d / "header-only.entities.csv", "id,type,name\n"),
    ),
    codes=dict(ACCEPTED),
)
case(
    "folder_named_like_a_file",
    "files",
    "a folder called x.yaml holding a fact file with a defect",
    lambda d: ((d / "folder.yaml").mkdir(), _write(d / "folder.yaml" / "inner.yaml", ENTITY_HEAD + "    nmae: x\n")),
    (_at("folder.yaml/inner.yaml", 4),),
)
case(
    "fifo_as_a_path",
    "files",
    "a named pipe given as a fact file (reading it would wait for ever)",
    lambda d: os.mkfifo(d / "pipe.yaml"),
    (_at("pipe.yaml", r"\d+"),),
    extra_paths=(f"{DATASET}/pipe.yaml",),
)
case(
    "dangling_symlink",
    "files",
    "a fact file that is a link to nothing (facts the user thinks are there)",
    lambda d: (d / "moved.yaml").symlink_to(d.parent / "no-such-file.yaml"),
    (_at("moved.yaml", r"\d+"),),
)
case(
    "symlink_loop",
    "files",
    "a fact file that is a link to itself",
    lambda d: (d / "loop.yaml").symlink_to("loop.yaml"),
    (_at("loop.yaml", r"\d+"),),
)
case(
    "symlink_outside",
    "files",
    "a link to a fact file outside the dataset folder, holding a defect",
    lambda d: (
        _write(d.parent / "elsewhere.yaml", ENTITY_HEAD + "    nmae: x\n"),
        (d / "linked.yaml").symlink_to(d.parent / "elsewhere.yaml"),
    ),
    (_at("linked.yaml", r"\d+"),),
)
case(
    "symlinked_folder_loop",
    "files",
    "a link to the dataset's own folder inside it (a walk that follows it never ends)",
    lambda d: ((d / "again").symlink_to(d), _write(d / "defect.yaml", ENTITY_HEAD + "    nmae: x\n")),
    (_at("defect.yaml", 4),),
)

# --------------------------------------------------------------------------- documents


# Documents are read by the commands that take --documents (validate, export, load); stats and viz never read them.
_DOCUMENTS_READ = {"validate": 1, "stats": 0, "viz": 0, "export": 1, "load": 1}


def _cite(document: str) -> Callable[[Path], None]:
    """A source whose document is ``document``, and a relation quoting what that file says."""

    def build(d: Path) -> None:
        (d.parent / "secret.txt").write_text("the secret quote is here\n", encoding="utf-8")
        _write(
            d / "defect.yaml",
            "sources:\n  - id: src-doc\n    title: T\n    publisher: P\n    published: 2022\n"
            f"    reliability: B\n    document: {document}\n"
            "relations:\n  - type: LEADS\n    from: commander-a\n    to: river-brigade\n"
            "    credibility: 2\n    evidence:\n      - source: src-doc\n"
            "        quote: the secret quote is here\n",
        )

    return build


case(
    "document_outside_by_dotdot",
    "documents",
    "document: ../secret.txt, a file beside --documents",
    _cite("../secret.txt"),
    (_at("defect.yaml", 7),),
    codes=dict(_DOCUMENTS_READ),
)
case(
    "document_absolute_path",
    "documents",
    "document: an absolute path",
    lambda d: _cite(str(d.parent / "secret.txt"))(d),
    (_at("defect.yaml", 7),),
    codes=dict(_DOCUMENTS_READ),
)
case(
    "document_symlink_outside",
    "documents",
    "a document inside --documents that links to a file outside it",
    lambda d: (_cite("linked.txt")(d), (d.parent / "documents" / "linked.txt").symlink_to(d.parent / "secret.txt")),
    (_at("defect.yaml", 7),),
    codes=dict(_DOCUMENTS_READ),
)
case(
    "document_is_a_fifo",
    "documents",
    "a document that is a named pipe (reading it would wait for ever)",
    lambda d: (_cite("pipe.txt")(d), os.mkfifo(d.parent / "documents" / "pipe.txt")),
    (_at("defect.yaml", r"\d+"),),
    codes=dict(_DOCUMENTS_READ),
)

# --------------------------------------------------------------------------- configuration

_NO_NEO4J = {"validate": 0, "stats": 0, "viz": 0, "export": 0, "load": 2}
for _name, _uri in (
    ("uri_bad_port", "bolt://127.0.0.1:7687x"),
    ("uri_http", "http://127.0.0.1:7474"),
    ("uri_port_wraps", "bolt://127.0.0.1:99999"),
):
    case(
        _name,
        "config",
        f"NEO4J_URI={_uri}: commands without Neo4j run, kg load is refused before anything",
        lambda d: None,
        codes=dict(_NO_NEO4J),
        env={"NEO4J_URI": _uri},
    )

# --------------------------------------------------------------------------- volume

case(
    "hundred_thousand_problems",
    "volume",
    "100,000 relation rows naming unknown entities",
    lambda d: _write(
        d / "defect.relations.csv",
        "type,from,to,credibility,source,quote\n"
        + "".join(f"LEADS,nobody-{i},river-brigade,2,report-a,q\n" for i in range(100_000)),
    ),
    (_at("defect.relations.csv", 2), r"\.\.\. and \d+ more problem"),
)

# Cases validation does not catch yet (loaders/ is not this corpus's to change): case name -> what is missing.
GAPS: dict[str, str] = {}


def by_kind(kind: str) -> list[Case]:
    return [c for c in CASES if c.kind == kind]


KINDS = tuple(dict.fromkeys(c.kind for c in CASES))


def main(argv: list[str]) -> int:
    """Write every case to ``argv[0]/<case name>/``."""
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        root = out / c.name
        if root.exists():
            shutil.rmtree(root)
        root.mkdir()
        c.make(root)
        print(f"{root}: {c.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
