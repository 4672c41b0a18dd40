"""A big JSON Lines file of relations checked in two halves at once: this process and a forked one.

Checking a relation line costs about 17 us of CPU, nearly all of it in the line alone (the model, its
entities' types, its sources, its quote), so a million of them take 17 s on one core while the other
waits. Here the first half of the file is checked in this process and the second in a child forked once
the sources and entities are known (it inherits them). The child checks its lines exactly as this process
would, but instead of merging each line's edge into the facts (an edge stated twice becomes one, and
where they disagree the later line is the problem) it sends back every line's edge with its FILE:LINE,
and this process merges them after its own, in line order: the facts and the problems are those of
reading the file from top to bottom (tests/loaders/test_halves.py compares the two, problems included).

Measured on bench/generate.py's 100k entities / 1M relations (two cores, same run): 19.1 s read whole,
13.8 s in halves, the same facts. If the child fails in any way its half is read here after all.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from graph.facts import Edge, EvidenceItem

from .problems import Problem
from .tabular import BINARY, JsonlFile, read_jsonl

# A relations file this big is worth a child (a fork and sending its edges back cost well under a second).
SPLIT_BYTES = 16 << 20
_CHUNK = 16 << 20

_EVIDENCE = attrgetter(*(f.name for f in fields(EvidenceItem)))
_EDGE = tuple(f.name for f in fields(Edge))
_EVIDENCE_AT = _EDGE.index("evidence")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worth_splitting(stream: Any) -> bool:
    """Whether ``stream`` is a relations file big enough to check in halves, on a machine with two cores."""
    if not isinstance(stream, JsonlFile) or stream.section != "relations" or "fork" not in mp.get_all_start_methods():
        return False
    try:
        return cores() >= 2 and stream.path.stat().st_size >= SPLIT_BYTES
    except OSError:
        return False  # told when it is read


def split_point(path: Path) -> tuple[int, int] | None:
    """``(byte, line)`` where the line after the middle of the file begins, or None (one line, or empty).

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("wb", suffix=".jsonl") as fh:
    ...     _ = fh.write(b"one\\ntwo\\nthree\\nfour\\n")
    ...     fh.flush()
    ...     split_point(Path(fh.name))
    (14, 4)
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(size // 2)
        fh.readline()  # the rest of the line the middle falls in
        cut = fh.tell()
        if cut >= size:
            return None
        fh.seek(0)
        lines, left = 0, cut
        while left > 0:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                return None  # the file shrank meanwhile
            lines += chunk.count(b"\n")
            left -= len(chunk)
    return cut, lines + 1


def check_in_halves(checker: Any, stream: JsonlFile) -> None:
    """Check ``stream``'s records with ``checker`` (a ``loaders.validate._Checker``) as if read from top to
    bottom, its second half in a forked child."""
    where = split_point(stream.path)
    if where is None:
        _read(checker, read_jsonl(stream.path, stream.label, stream.section, stream.progress))
        return
    cut, first_line = where
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_second_half, args=(checker, stream, cut, first_line, send), daemon=True)
    child.start()
    send.close()
    try:
        stopped = _read(checker, read_jsonl(stream.path, stream.label, stream.section, stream.progress, stop=cut))
        try:
            answer = receive.recv()
        except (EOFError, OSError):
            answer = ("failed", "no answer")
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if stopped:  # a NUL byte: read from the top, the file ends there
        return
    if answer[0] != "ok":
        _read(checker, read_jsonl(stream.path, stream.label, stream.section, None, start=cut, first_line=first_line))
    else:
        _, problems, warnings, edges, suggestions = answer
        checker.problems.extend(problems)
        checker.warnings.extend(warnings)
        checker._suggestions += suggestions
        for packed, file, line in edges:
            checker._merge_at(_unpack(packed), file, line)
    if stream.progress:
        stream.progress(stream.path.stat().st_size - cut)


def _read(checker: Any, records) -> bool:
    """Check records; True when the file stopped at binary data."""
    for item in records:
        if isinstance(item, Problem):
            checker.problems.append(item)
            if item.message.startswith(BINARY):
                return True
        else:
            checker.relation(item)
    return False


def _second_half(checker: Any, stream: JsonlFile, cut: int, first_line: int, conn) -> None:
    try:
        problems, warnings, suggestions = len(checker.problems), len(checker.warnings), checker._suggestions
        deferred: list = []
        checker._deferred = deferred
        _read(checker, read_jsonl(stream.path, stream.label, stream.section, None, start=cut, first_line=first_line))
        edges = [(_pack(edge), file, line) for edge, file, line in deferred]
        conn.send(
            ("ok", checker.problems[problems:], checker.warnings[warnings:], edges, checker._suggestions - suggestions)
        )
    except BaseException as exc:  # noqa: BLE001 -- the parent reads this half itself
        try:
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
    finally:
        conn.close()


def _pack(edge: Edge) -> tuple:
    """An edge as plain tuples: pickled several times quicker than the dataclasses."""
    values = [getattr(edge, name) for name in _EDGE]
    values[_EVIDENCE_AT] = [_EVIDENCE(item) for item in edge.evidence]
    return tuple(values)


def _unpack(values: tuple) -> Edge:
    """
    >>> ev = EvidenceItem("s1", "a quote", 2, "2021-03", True, "x", None)
    >>> edge = Edge("a", "LEADS", "b", [ev], "2020", None, {"role": "head"})
    >>> _unpack(_pack(edge)) == edge
    True
    """
    values = list(values)
    values[_EVIDENCE_AT] = [EvidenceItem(*item) for item in values[_EVIDENCE_AT]]
    return Edge(*values)


__all__ = ["SPLIT_BYTES", "check_in_halves", "cores", "split_point", "worth_splitting"]
