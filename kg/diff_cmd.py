"""`kg diff`: what changed between two versions of a dataset (two folders, or a folder and its past in git).

Both versions are validated as `kg validate` does; the differences are :func:`graph.diff.diff_facts`'s:
sources, entities and relations added, removed and changed, with the fields that changed. A past
version is read from git without touching the working tree: ``git archive`` of that revision's folder,
unpacked into a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from graph.diff import ADDED, CHANGED, KINDS, REMOVED, Change, summary
from kg.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    KgError,
    byte_progress,
    err,
    fact_files,
    out,
    print_problems,
    problems_summary,
)
from kg.tables import print_rows
from loaders.versions import ReadFailed, Version, diff_paths


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


PLURALS = {"source": "sources", "entity": "entities", "relation": "relations"}


# -- reading a version from git ---------------------------------------------------------------------------


class GitError(KgError):
    """git could not give the version asked for (the message is git's reason, in one line)."""


def _git(args: list[str], cwd: Path, *, what: str, code: int = EXIT_USAGE) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    except FileNotFoundError:
        raise GitError("--rev needs git, which is not installed", EXIT_FAILED) from None
    if done.returncode != 0:
        reason = " ".join(done.stderr.replace("fatal: ", "").split()) or f"git exited with {done.returncode}"
        raise GitError(f"{what}: {reason}", code)
    return done.stdout.strip()


def git_location(path: Path) -> tuple[Path, str]:
    """The top folder of the git repository holding ``path``, and ``path`` relative to it (POSIX)."""
    folder = path if path.is_dir() else path.parent
    top = Path(_git(["rev-parse", "--show-toplevel"], folder.resolve(), what=f"{path} is not in a git repository"))
    rel = path.resolve().relative_to(top.resolve())
    return top, rel.as_posix() or "."


def resolve_rev(top: Path, rev: str) -> str:
    """The commit ``rev`` names (a usage error when git cannot resolve it)."""
    if not rev.strip() or rev.startswith("-"):
        raise GitError(f"--rev {rev!r} is not a revision", EXIT_USAGE)
    try:
        return _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top, what=f"--rev {rev!r}"
        )
    except GitError:
        raise GitError(f"--rev {rev!r}: git knows no such revision in {top}", EXIT_USAGE) from None


@contextmanager
def checkout_at(path: Path, rev: str) -> Iterator[tuple[Path, Path]]:
    """``path`` as it was at git revision ``rev``, unpacked into a temporary folder (removed on exit).

    Yields ``(old_path, tmp_root)``: the version's copy of ``path`` and the folder it was unpacked in.
    The working tree, the index and the repository are only read.
    """
    top, rel = git_location(path)
    commit = resolve_rev(top, rev)
    tmp = Path(tempfile.mkdtemp(prefix="kg-diff-"))
    try:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        with subprocess.Popen(
            ["git", "archive", "--format=tar", commit, "--", rel],
            cwd=top,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            try:
                with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                    tar.extractall(tmp, filter="data")  # no absolute paths, links out or devices
            except tarfile.TarError:
                pass  # git said why on stderr
            reason = proc.stderr.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            if "did not match any files" in reason:
                raise GitError(f"{path} did not exist at {rev} ({commit[:12]})", EXIT_FAILED)
            reason = " ".join(reason.replace("fatal: ", "").split()) or f"git archive exited with {proc.returncode}"
            raise GitError(f"cannot read {path} at {rev}: {reason}", EXIT_FAILED)
        old = tmp / rel
        if not old.exists():
            raise GitError(f"{path} did not exist at {rev} ({commit[:12]})", EXIT_FAILED)
        yield old, tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- reading and comparing -------------------------------------------------------------------------------


def report_problems(side: Version, label: str, *, shown_root: tuple[Path, str] | None = None) -> None:
    """Print a version's problems as `kg validate` does (files under ``shown_root[0]`` shown as
    ``shown_root[1]`` + their path there), then why nothing is compared."""
    problems = side.problems
    if shown_root is not None:
        root, prefix = str(shown_root[0]) + os.sep, shown_root[1]
        problems = [replace(p, file=prefix + p.file[len(root) :]) if p.file.startswith(root) else p for p in problems]
    print_problems(problems, hint="; kg validate --max-problems 0 lists them all")
    text = problems_summary(problems, side.files)
    text.append(f" of the {label}: it does not validate against the current schema and rules")
    err.print(text)


def compare(old: Path, new: Path) -> tuple[list[Change] | None, Version, Version]:
    """:func:`loaders.versions.diff_paths` with a progress bar when the versions are big."""
    total = sum(f.stat().st_size for f in fact_files([old, new]) if f.is_file())
    try:
        with byte_progress("validating both versions", total) as advance:
            return diff_paths(old, new, progress=advance)
    except ReadFailed as e:
        raise KgError(str(e), EXIT_FAILED) from None


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _piece(ev: dict[str, Any]) -> str:
    return f"{ev.get('source')}: “{ev.get('quote')}”"


def _evidence_lines(old: list[dict] | None, new: list[dict] | None) -> list[str]:
    """Evidence changes piece by piece (a piece is its source and quote).

    >>> _evidence_lines(
    ...     [{"source": "a", "quote": "q", "credibility": 2}],
    ...     [{"source": "a", "quote": "q", "credibility": 3}, {"source": "b", "quote": "r"}],
    ... )
    ['evidence from a: “q”: credibility 2 → 3', 'evidence added: b: “r”']
    """
    before = {(ev.get("source"), ev.get("quote")): ev for ev in old or []}
    after = {(ev.get("source"), ev.get("quote")): ev for ev in new or []}
    lines = []
    for key, ev in before.items():
        if key not in after:
            lines.append(f"evidence removed: {_piece(ev)}")
            continue
        other = after[key]
        fields = [
            f"{k} {_value(ev.get(k))} → {_value(other.get(k))}"
            for k in dict.fromkeys([*ev, *other])
            if k not in ("source", "quote") and ev.get(k) != other.get(k)
        ]
        if fields:
            lines.append(f"evidence from {_piece(ev)}: " + ", ".join(fields))
    lines += [f"evidence added: {_piece(ev)}" for key, ev in after.items() if key not in before]
    return lines


def describe(change: Change) -> list[str]:
    """What changed, one line per field (per piece of evidence for the evidence); for a record added or
    removed, what it is.

    >>> describe(Change("relation", "a|LEADS|b", "changed", {"credibility": (2, 3), "valid_from": (None, "2021")}))
    ['credibility: 2 → 3', 'valid_from: (none) → 2021']
    >>> describe(Change("entity", "fog-47", "added", {"type": (None, "ArmedGroup"), "name": (None, "Fog 47")}))
    ['ArmedGroup Fog 47']
    >>> describe(Change("entity", "town", "changed", {"aliases": (["Old"], ["New", "Newer"])}))
    ['aliases: added [New, Newer]; removed [Old]']
    """
    fields = change.fields
    if change.change != CHANGED:
        side = 1 if change.change == ADDED else 0
        values = {k: v[side] for k, v in fields.items()}
        if change.kind == "entity":
            return [f"{values.get('type')} {values.get('name')}"]
        if change.kind == "source":
            return [" ".join(str(v) for v in (values.get("publisher"), values.get("title")) if v)]
        n = len(values.get("evidence") or [])
        return [f"credibility {values.get('credibility')}, {n} piece{'' if n == 1 else 's'} of evidence"]
    lines = []
    for name, (old, new) in fields.items():
        if name == "evidence":
            lines += _evidence_lines(old, new)
        elif _scalars(old) and _scalars(new):  # aliases, list attributes: what came and went
            gone = [v for v in old or [] if v not in (new or [])]
            came = [v for v in new or [] if v not in (old or [])]
            parts = ([f"added {_value(came)}"] if came else []) + ([f"removed {_value(gone)}"] if gone else [])
            lines.append(f"{name}: " + ("; ".join(parts) or f"{_value(old)} → {_value(new)}"))
        else:
            lines.append(f"{name}: {_value(old)} → {_value(new)}")
    return lines


def _scalars(value: Any) -> bool:
    """A list of plain values (or nothing, as a list that is not there yet)."""
    return value is None or (isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value))


def summary_line(changes: list[Change], old_label: str, new_label: str) -> str:
    """``3 changes from OLD to NEW: relations 1 added, 2 changed`` (kinds without changes left out).

    >>> summary_line([], "a", "b")
    'no changes from a to b'
    """
    if not changes:
        return f"no changes from {old_label} to {new_label}"
    counts = summary(changes)
    parts = []
    for kind in KINDS:
        c = counts[kind]
        done = [f"{c[what]} {what}" for what in (ADDED, REMOVED, CHANGED) if c[what]]
        if done:
            parts.append(f"{PLURALS[kind]} " + ", ".join(done))
    n = len(changes)
    return f"{n} change{'' if n == 1 else 's'} from {old_label} to {new_label}: " + "; ".join(parts)


# -- output ------------------------------------------------------------------------------------------------

# What Markdown (CommonMark, GitHub's tables) could read as syntax inside a table cell or a line of text:
# emphasis, code, links and images (no "[", no link), HTML, cell borders, strike-through, headings.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"} | {"\n": " ", "\r": " "})


def markdown_text(text: str) -> str:
    """Text from the facts as literal Markdown: every character Markdown could read as syntax escaped.

    >>> markdown_text("a|LEADS|b <img> *x*")
    'a\\\\|LEADS\\\\|b \\\\<img\\\\> \\\\*x\\\\*'
    """
    return text.translate(_MARKDOWN_SPECIAL).replace("&", "&amp;")


def markdown(changes: list[Change], line: str) -> str:
    out_lines = [markdown_text(line), ""]
    if changes:
        out_lines += ["| change | kind | id | what |", "|---|---|---|---|"]
        for c in changes:
            what = "<br>".join(markdown_text(x) for x in describe(c))
            out_lines.append(f"| {c.change} | {c.kind} | {markdown_text(c.id)} | {what} |")
    return "\n".join(out_lines)


def _write(text: str) -> None:
    # Straight to the stream: tens of thousands of changes are text already, with nothing for rich to lay out.
    out.file.write(text + "\n")
    out.file.flush()


def _show(changes: list[Change], fmt: DiffFormat, old_label: str, new_label: str) -> None:
    line = summary_line(changes, old_label, new_label)
    if fmt is DiffFormat.json:
        _write(
            json.dumps(
                {
                    "old": old_label,
                    "new": new_label,
                    "summary": summary(changes),
                    "changes": [c.as_dict() for c in changes],
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return
    if fmt is DiffFormat.markdown:
        _write(markdown(changes, line))
        return
    if changes:
        print_rows(
            out, ["change", "kind", "id", "what"], [[c.change, c.kind, c.id, "\n".join(describe(c))] for c in changes]
        )
    out.print(line)


def diff(
    old: Path = typer.Argument(
        ..., exists=True, metavar="OLD", show_default=False, help="The earlier version: a folder (or file) of facts."
    ),
    new: Path | None = typer.Argument(
        None, exists=True, metavar="[NEW]", show_default=False, help="The later version (not with --rev)."
    ),
    rev: str | None = typer.Option(
        None,
        "--rev",
        metavar="REV",
        show_default=False,
        help="Compare OLD as it was at this git revision (HEAD~3, a tag, a commit) with OLD in the working "
        "tree. Git is only read: the working tree is never touched.",
    ),
    fmt: DiffFormat = typer.Option(DiffFormat.table, "--format", "-f", help="Output format."),
):
    """What changed between two versions of a dataset: sources, entities and relations.

    Records are matched by their ids (relations by from, type and to) and compared field by
    field: grades, dates, evidence (piece by piece), names, aliases, attributes. Both versions
    must validate (against today's schema): a version that does not is reported as `kg
    validate` reports it, and nothing is compared. Exit 0 whether or not anything changed; 1
    for invalid data or a failing git; 2 for a usage error (an unknown revision, a folder
    outside git with --rev).

    Example: kg diff old-data data

    Example: kg diff data --rev HEAD~3 --format markdown
    """
    if rev is not None and new is not None:
        raise KgError("give NEW or --rev, not both", EXIT_USAGE)
    if rev is None and new is None:
        raise KgError(
            "give the two versions (kg diff OLD NEW), or one and a git revision (kg diff PATH --rev REV)", EXIT_USAGE
        )
    if rev is not None:
        with checkout_at(old, rev) as (past, tmp):
            old_label, new_label = f"{old}@{rev}", f"{old} (working tree)"
            changes, before, after = compare(past, old)
            if before.problems:
                report_problems(before, f"version at {rev}", shown_root=(tmp, f"{rev}:"))
    else:
        old_label, new_label = str(old), str(new)
        changes, before, after = compare(old, new)
        if before.problems:
            report_problems(before, f"old version ({old})")
    if after.problems:
        report_problems(after, "working tree" if rev is not None else f"new version ({new})")
    if changes is None:
        raise typer.Exit(EXIT_FAILED)
    _show(changes, fmt, old_label, new_label)


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
