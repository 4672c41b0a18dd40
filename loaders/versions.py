"""Two versions of a dataset validated and compared: each in a process of its own when they are big.

Validating a version is the cost of a diff (a million relations take about 25 s of CPU); the two versions
are independent, so on a machine with two cores they are read at the same time, in two forked processes.
Each sends back a fingerprint per record (:func:`graph.diff.fingerprints`), then only the records whose
fingerprints differ; the comparison itself is :func:`graph.diff.diff_facts`, as for small versions read
in this process. Where ``fork`` is missing (Windows) or the versions are small, they are read one after the
other here.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from graph.diff import Change, diff_facts, differing, fingerprints, restrict

from .discovery import find_facts
from .problems import Problem
from .validate import check_files

# Below this many bytes of files in all, forking costs more than it saves.
PARALLEL_BYTES = 16 << 20
_POLL_SECONDS = 0.2  # how often progress is told while the children work


@dataclass
class Version:
    """One side of a diff: its problems (none when it validated) and how many files it has."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


class ReadFailed(RuntimeError):
    """A child process reading a version died or raised (the message says which version and why)."""


def _size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        for f in find_facts([path]).files:
            try:
                total += f.stat().st_size
            except OSError:
                pass
    return total


def _child(path: Path, conn: Connection, counter) -> None:
    def advance(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    try:
        checked = check_files([path], progress=advance)
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


def diff_paths(
    old: Path, new: Path, *, progress: Callable[[int], None] | None = None, parallel: bool | None = None
) -> tuple[list[Change] | None, Version, Version]:
    """Validate two versions and compare them: ``(changes, old, new)``; changes are None when either
    version has problems (each :class:`Version` lists its own).

    ``progress(n)`` is told the bytes read, in both versions together. ``parallel``: read the versions in
    two processes (default: when they hold more than :data:`PARALLEL_BYTES` and ``fork`` exists).
    """
    if parallel is None:
        parallel = "fork" in mp.get_all_start_methods() and _size([old, new]) > PARALLEL_BYTES
    if parallel:
        return _in_parallel(old, new, progress)
    sides, facts = [], []
    for path in (old, new):
        checked = check_files([path], progress=progress)
        sides.append(Version(path, checked.problems, len(checked.files)))
        facts.append(checked.facts)
    if any(s.problems for s in sides):
        return None, *sides
    return diff_facts(*facts), *sides
