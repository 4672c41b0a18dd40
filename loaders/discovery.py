"""Which files a dataset is made of: the one place that decides, and that says what it could not look into.

A folder is searched recursively, following symbolic links. A fact file is named ``*.yaml``, ``*.yml``,
``*.csv`` or ``*.jsonl`` (in any case: ``relations.YAML``); hidden files (``.x.yaml``, editors' backups)
are not. Nothing under a folder is skipped silently, because ``kg load`` deletes from Neo4j whatever
facts the files no longer state: a folder that cannot be listed, a symbolic link that leads nowhere or
back into itself, a fact file that is not a regular file (a FIFO would block the reader forever) are each
reported as a problem of their own, and the dataset is invalid until they are fixed.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

YAML_SUFFIXES = (".yaml", ".yml")
TABULAR_SUFFIXES = (".csv", ".jsonl")
FACT_SUFFIXES = YAML_SUFFIXES + TABULAR_SUFFIXES
# The first bytes read to tell a text file from a binary one.
SNIFF_BYTES = 8192
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def suffix(path: Path) -> str:
    """The extension as fact files are told apart: case ignored.

    >>> suffix(Path("x.Entities.JSONL")), suffix(Path("relations.YAML"))
    ('.jsonl', '.yaml')
    """
    return path.suffix.lower()


def is_fact_name(name: str) -> bool:
    """Whether a file of this name, found in a folder, is read as facts.

    >>> is_fact_name("people.yaml"), is_fact_name("relations.YAML"), is_fact_name(".people.yaml.swp")
    (True, True, False)
    >>> is_fact_name(".people.yaml"), is_fact_name("notes.txt")
    (False, False)
    """
    return not name.startswith(".") and Path(name).suffix.lower() in FACT_SUFFIXES


def label(path: Path) -> str:
    """A path as problems name it: relative to where the user stands, unless that means climbing out of it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(Path(path).resolve()) if rel.startswith("..") else rel


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (``os.stat`` mode)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _link_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop: following it never ends"
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    if isinstance(exc, FileNotFoundError):
        return f"a symbolic link to {target!r}, which does not exist"
    return f"cannot read the symbolic link to {target!r}: {exc.strerror}"


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)  # from the listing itself, where the file system says
    except OSError:
        return False


@dataclass
class Found:
    """The fact files under some paths, and the problems of what could not be looked into."""

    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files or self.problems)


class _Finder:
    def __init__(self) -> None:
        self.found = Found()
        self._seen: set = set()  # (device, inode) of the files kept: a file reached twice is read once

    def keep(self, path: Path, st: os.stat_result | None) -> None:
        key = (st.st_dev, st.st_ino) if st is not None else ("path", str(path))
        if key not in self._seen:
            self._seen.add(key)
            self.found.files.append(path)

    def problem(self, path: Path, message: str) -> None:
        self.found.problems.append(Problem(label(path), 1, message))

    def walk(self, root: Path, root_stat: os.stat_result) -> None:
        files: list[tuple[Path, os.stat_result]] = []
        # Each folder with the (device, inode) of the folders above it: a link back to one of them is a loop.
        stack = [(root, ((root_stat.st_dev, root_stat.st_ino),))]
        while stack:
            folder, above = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name, reverse=True)
            except OSError as exc:
                self.problem(folder, f"cannot read: {exc.strerror}")
                continue
            for entry in entries:
                path = folder / entry.name
                link = entry.is_symlink()
                try:
                    st = os.stat(path)
                except OSError as exc:
                    if link:
                        self.problem(path, _link_problem(path, exc))
                    elif is_fact_name(entry.name) or _is_folder(entry):
                        self.problem(path, f"cannot read: {exc.strerror}")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    key = (st.st_dev, st.st_ino)
                    if key in above:
                        back = label(Path(os.path.realpath(path)))
                        self.problem(path, f"a symbolic link loop: it leads back to {back}")
                    else:
                        stack.append((path, above + (key,)))
                elif is_fact_name(entry.name):
                    if stat.S_ISREG(st.st_mode):
                        files.append((path, st))
                    else:
                        self.problem(path, f"cannot read: it is {kind_of(st.st_mode)}, not a file")
        for path, st in sorted(files, key=lambda f: f[0]):
            self.keep(path, st)


def find_facts(paths: Iterable[Path]) -> Found:
    """The fact files named by ``paths`` (folders searched recursively), in order, each once, and the
    problems of what could not be looked into under the folders.

    A path named explicitly is kept whatever it is: reading it says what is wrong with it.
    """
    finder = _Finder()
    for p in paths:
        p = Path(p)
        try:
            st = os.stat(p)
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            finder.walk(p, st)
        else:
            finder.keep(p, st)
    return finder.found


def discover(paths: Iterable[Path]) -> list[Path]:
    """The fact files of :func:`find_facts` (without its problems)."""
    return find_facts(paths).files


def read_problem(path: Path, where: str) -> Problem | None:
    """Why ``path`` cannot be read as a text file, as a problem of ``where`` (its label), or None.

    Looks at the file's first bytes only: binary data (a NUL byte) and UTF-16 are told here, other
    bytes that are not UTF-8 by the reader, with their line.
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return Problem(where, 1, f"cannot read: it is {kind_of(st.st_mode)}, not a file")
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        return Problem(where, 1, f"cannot read: {exc.strerror}")
    if head.startswith(_UTF16_BOMS):
        return Problem(where, 1, "not UTF-8 text: the file is UTF-16; save it as UTF-8")
    return nul_problem(head, where)


def nul_problem(data: bytes, where: str, *, line: int = 1, offset: int = 0) -> Problem | None:
    """A NUL byte means binary data, never a fact file: the problem at its line, or None.

    >>> str(nul_problem(b"a\\nb\\x00", "x.csv"))
    'x.csv:2: binary data, not text: a NUL byte at byte 4'
    """
    at = data.find(b"\x00")
    if at < 0:
        return None
    line += data.count(b"\n", 0, at)
    return Problem(where, line, f"binary data, not text: a NUL byte at byte {offset + at + 1}")
