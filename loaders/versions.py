"""Two versions of a dataset validated and compared, the lines they share checked once.

Validating a version is the cost of a diff (a million relations take about 25 s of CPU), and two versions
a diff is asked about mostly hold the same lines. So the earlier version is validated in full, keeping a
128-bit digest (BLAKE2b) of each relation line that passed and the edge it made; the later version is then
validated in full except that a line whose bytes have a digest seen in the earlier one takes the earlier
edge instead of being parsed and checked again -- when the check would give the same answer: the entities
the line names have the same types in both versions, the sources it cites are the same records, and its
edge was stated by that one line (no merge). The checks that span lines run on the later version as
always (duplicate ids, references, edges stated twice, with its own FILE:LINE), and a line that differs
is read as if alone. Grading warnings of the shared lines are not repeated (a diff reports only errors).

Where the versions share little (or are YAML or CSV, read as records rather than lines), this is the cost
of reading both, one after the other. :func:`diff_paths` with ``parallel=True`` (its default when two
cores are idle) instead reads each in a forked process of its own (no sharing), sending back two numbers
per record (:func:`graph.diff.fingerprints`) and then only the records whose numbers differ; the
comparison itself is :func:`graph.diff.diff_facts` in every case.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from graph.diff import Change, diff_facts, differing, fingerprints, restrict
from graph.facts import Edge

from .halves import cores
from .problems import Problem
from .records import Record
from .validate import _Checker, check_files

_POLL_SECONDS = 0.2  # how often progress is told while the children work


@dataclass
class Version:
    """One side of a diff: its problems (none when it validated) and how many files it has."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


class ReadFailed(RuntimeError):
    """A child process reading a version died or raised (the message says which version and why)."""


def _child(path: Path, conn: Connection, counter) -> None:
    def advance(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    try:
        checked = check_files([path], progress=advance, split=False)  # each version has a core of its own
        if checked.problems:
            conn.send(("problems", checked.problems, len(checked.files)))
            return
        conn.send(("ready", fingerprints(checked.facts), len(checked.files)))
        wanted = conn.recv()
        if wanted is not None:
            conn.send(restrict(checked.facts, wanted))
    except BaseException as e:  # noqa: BLE001 -- told to the parent, which raises it as ReadFailed
        try:
            conn.send(("error", f"{type(e).__name__}: {e}", 0))
        except OSError:
            pass
    finally:
        conn.close()


def _in_parallel(
    old: Path, new: Path, progress: Callable[[int], None] | None
) -> tuple[list[Change] | None, Version, Version]:
    ctx = mp.get_context("fork")
    sides = (Version(old), Version(new))
    conns, counters, procs = [], [], []
    for side in sides:
        mine, theirs = ctx.Pipe()
        counter = ctx.Value("q", 0)
        proc = ctx.Process(target=_child, args=(side.path, theirs, counter), daemon=True)
        proc.start()
        theirs.close()
        conns.append(mine)
        counters.append(counter)
        procs.append(proc)
    told = 0
    first: list[tuple | None] = [None, None]
    try:
        pending = list(conns)
        while pending:
            for conn in wait(pending, timeout=_POLL_SECONDS):
                i = conns.index(conn)
                try:
                    first[i] = conn.recv()
                except EOFError:
                    raise ReadFailed(f"reading {sides[i].path} stopped: its process ended (out of memory?)") from None
                pending.remove(conn)
            if progress is not None:
                now = sum(c.value for c in counters)
                if now > told:
                    progress(now - told)
                    told = now
        for i, (kind, payload, files) in enumerate(first):  # type: ignore[misc]
            if kind == "error":
                raise ReadFailed(f"reading {sides[i].path} failed: {payload}")
            sides[i].files = files
            if kind == "problems":
                sides[i].problems = payload
        if any(s.problems for s in sides):
            for conn, (kind, *_) in zip(conns, first, strict=True):  # type: ignore[misc]
                if kind == "ready":  # waiting for what to send: nothing
                    conn.send(None)
            return None, *sides
        wanted = differing(first[0][1], first[1][1])  # type: ignore[index]
        first.clear()  # the fingerprints: a million entries each, not needed any more
        for conn in conns:
            conn.send(wanted)
        parts = []
        for i, conn in enumerate(conns):
            try:
                part = conn.recv()
            except EOFError:
                raise ReadFailed(f"reading {sides[i].path} stopped: its process ended (out of memory?)") from None
            if isinstance(part, tuple):  # ("error", why, 0)
                raise ReadFailed(f"reading {sides[i].path} failed: {part[1]}")
            parts.append(part)
        return diff_facts(*parts), *sides
    finally:
        for conn in conns:
            conn.close()
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()


# -- one process: the later version reuses the earlier one's checked lines ------------------------------


def _digest(data: bytes | str) -> bytes:
    return hashlib.blake2b(data if isinstance(data, bytes) else data.encode(), digest_size=16).digest()


_SAME: tuple[set[str], set[str]] = (set(), set())  # no entity retyped or gone, no source changed


class _Recording(_Checker):
    """The earlier version's checker: remembers, per relation line that passed, its digest and edge key."""

    def __init__(self, documents: Path | None):
        super().__init__(documents)
        self.lines: dict[bytes, tuple[str, str, str]] = {}
        self.merged: set[tuple[str, str, str]] = set()  # edges stated by more than one line

    def _merge(self, edge: Edge, rec: Record) -> None:
        # Called for a relation line that passed every check of its own (the last step of relation()).
        key = edge.key
        if key in self.facts.edges:
            self.merged.add(key)
        elif isinstance(rec.data, (bytes, str)):
            self.lines[_digest(rec.data)] = key
        super()._merge(edge, rec)


class _Reusing(_Checker):
    """The later version's checker: a relation line the earlier version passed, in the same context, takes
    the earlier edge (the same object: never changed here, copied before anything merges into it)."""

    def __init__(self, documents: Path | None, past: _Recording):
        super().__init__(documents)
        self.past = past
        self.reused = 0
        # Entity ids whose type differs (or which are gone) and source ids whose record differs, from the
        # earlier version: None until the first relation (entities and sources are all read by then).
        self._moved: tuple[set[str], set[str]] | None = None
        # The earlier lines (none when "same" decisions moved its edges: they are no longer the lines' own).
        self._lines = {} if past._resolutions else past.lines
        self._merged = past.merged
        self._edges = past.facts.edges

    def _context(self) -> tuple[set[str], set[str]]:
        past = self.past
        types = {eid for eid, t in past._types.items() if self._types.get(eid) != t}
        sources = {sid for sid, s in past.facts.sources.items() if self.facts.sources.get(sid) != s}
        return (types, sources) if types or sources else _SAME

    def _same_context(self, edge: Edge) -> bool:
        types, sources = self._moved  # type: ignore[misc]
        if edge.source in types or edge.target in types:
            return False
        return not any(ev.source in sources or ev.according_to in types or ev.via in types for ev in edge.evidence)

    def relation(self, rec: Record) -> None:
        data = rec.data
        if isinstance(data, (bytes, str)):
            key = self._lines.get(_digest(data))
            if key is not None and key not in self.facts.edges and key not in self._merged:
                if self._moved is None:
                    self._moved = self._context()
                edge = self._edges.get(key)
                if edge is not None and (self._moved is _SAME or self._same_context(edge)):
                    self.facts.edges[key] = edge
                    self._edge_where[key] = (rec.file, rec.line)
                    self.reused += 1
                    return
        super().relation(rec)

    def _merge(self, edge: Edge, rec: Record) -> None:
        known = self.facts.edges.get(edge.key)
        if known is not None and known is self.past.facts.edges.get(edge.key):  # the earlier version's: copy
            self.facts.edges[edge.key] = Edge(
                known.source,
                known.type,
                known.target,
                list(known.evidence),
                known.valid_from,
                known.valid_to,
                dict(known.attributes),
            )
        super()._merge(edge, rec)


def _shared(
    old: Path, new: Path, progress: Callable[[int], None] | None
) -> tuple[list[Change] | None, Version, Version]:
    past = _Recording(None)
    before = check_files([old], progress=progress, checker=lambda _documents: past)
    after = check_files([new], progress=progress, checker=lambda documents: _Reusing(documents, past))
    sides = (Version(old, before.problems, len(before.files)), Version(new, after.problems, len(after.files)))
    if before.problems or after.problems:
        return None, *sides
    return diff_facts(before.facts, after.facts), *sides


def _cores_free() -> int:
    """Cores this process may use that the load average leaves idle (rounded down)."""
    try:
        return int(cores() - os.getloadavg()[0])
    except OSError:
        return 0


def diff_paths(
    old: Path, new: Path, *, progress: Callable[[int], None] | None = None, parallel: bool | None = None
) -> tuple[list[Change] | None, Version, Version]:
    """Validate two versions and compare them: ``(changes, old, new)``; changes are None when either
    version has problems (each :class:`Version` lists its own).

    ``progress(n)`` is told the bytes read, in both versions together. Two ways, the same answer:

    * shared (``parallel=False``): the versions are read here, one after the other, the lines they share
      checked once: the least CPU;
    * parallel (``parallel=True``, with ``fork``): each version read in full in a process of its own, at
      the same time: more CPU, less wall time when two cores are idle.

    By default (``None``) the parallel way is taken when two cores are free (the load average leaves them
    idle), the shared way otherwise: on a busy machine a second process only waits for a core.
    Measured on two 1M-relation versions 1% apart (bench/bench_diff.py, the closing notes give figures):
    shared about 26 s of CPU, 1.6 GB; parallel about 42 s of CPU and 2.5 GB, and on two idle cores
    fewer seconds of wall time.
    """
    if parallel is None:
        parallel = _cores_free() >= 2
    if parallel and "fork" in mp.get_all_start_methods():
        return _in_parallel(old, new, progress)
    return _shared(old, new, progress)
