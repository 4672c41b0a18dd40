"""What every command shares: the two consoles, the one way to fail, reading facts, and common options.

Results go to :data:`out` (stdout), messages to :data:`err` (stderr). Both are built with rich markup,
emoji codes and highlighting off, and never hard-wrap: text from files and users (paths, names, quotes)
is printed as it is, so ``a:100:b.yaml`` stays ``a:100:b.yaml`` and ``[bold]`` stays ``[bold]``.
Styling, where wanted, comes from :class:`rich.text.Text` objects, never from markup in strings.

A command fails by raising :class:`KgError` (anywhere, at any depth); :class:`KgGroup` turns it into one
``error: message`` line on stderr and the exit code, in one place. Exit codes: :data:`EXIT_OK`,
:data:`EXIT_FAILED` (invalid data or a failed operation), :data:`EXIT_USAGE`, :data:`EXIT_NOT_RUNNING`
(``kg neo4j status`` of a stopped server).
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from typer.core import TyperGroup

from graph.facts import Facts
from graph.files import OutputError, output_path
from graph.neo4j.settings import SettingsError
from graph.schema import REGISTRY, Scale
from loaders import Problem, find_facts
from loaders.validate import Checked, check_files

EXIT_OK = 0
EXIT_FAILED = 1  # invalid data, or an operation that failed
EXIT_USAGE = 2  # a command line that cannot run as written
EXIT_NOT_RUNNING = 3  # `kg neo4j status`: the server is not running (as LSB / systemctl status)
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it

# The driver logs its retries and dropped connections; the commands report failures their own way.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

out = Console(markup=False, emoji=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)

DEFAULT_MAX_PROBLEMS = 50


class KgError(Exception):
    """A failure to report as one ``error: message`` line and exit ``code`` (the message is plain text)."""

    def __init__(self, message: str, code: int = EXIT_FAILED, *, label: str = "error"):
        super().__init__(message)
        self.message, self.code, self.label = message, code, label


def say(message: str, *, label: str | None = None, style: str = "yellow") -> None:
    """A message on stderr, optionally led by a styled ``label:`` (the message itself is never markup)."""
    text = Text()
    if label:
        text.append(f"{label}:", style=style)
        text.append(" ")
    text.append(message)
    err.print(text)


def _report(exc: KgError) -> None:
    say(exc.message, label=exc.label, style="bold red" if exc.label == "error" else "yellow")


class KgGroup(TyperGroup):
    """The `kg` command group: every failure becomes one plain stderr line and an exit code, here.

    :class:`KgError` from any command, and click's usage errors (exit 2), which Typer would draw in
    a box hard-wrapped at 80 columns.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except KgError as exc:
            _report(exc)
            code = exc.code
        except SettingsError as exc:  # a malformed NEO4J_* variable, from any command that reads them
            _report(KgError(str(exc), EXIT_USAGE))
            code = EXIT_USAGE
        except typer.TyperException as exc:  # click's errors, as Typer carries them
            code = exc.exit_code
            if type(exc).__name__ == "NoArgsIsHelpError":  # `kg` alone: the help, as --help shows it
                out.print(exc.format_message())
            else:
                ctx = getattr(exc, "ctx", None)
                hint = f" (see {ctx.command_path} --help)" if ctx is not None and code == EXIT_USAGE else ""
                _report(KgError(exc.format_message() + hint, code))
        except typer.Abort:
            say("aborted", label="error", style="bold red")
            code = EXIT_FAILED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)


def help_text(doc: str) -> str:
    """A docstring as click shows it: paragraphs rewrapped to the terminal, examples kept whole.

    >>> help_text("Do it.\\n\\n    Example: kg x --long-option value")
    'Do it.\\n\\n\\x08\\nExample: kg x --long-option value'
    """
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join("\b\n" + p if p.startswith("Example") else p for p in paragraphs)


def finish_help(app: typer.Typer) -> None:
    """Set every command's help from its docstring (see :func:`help_text`) and its one-line summary to the
    docstring's first paragraph, in ``app`` and its sub-apps."""
    for info in app.registered_commands:
        doc = info.help or (info.callback.__doc__ if info.callback else "") or ""
        info.help = help_text(doc)
        info.short_help = info.short_help or " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
    for group in app.registered_groups:
        if group.typer_instance is not None:
            finish_help(group.typer_instance)


# -- arguments and options shared by commands -----------------------------------------------------------

PathsArg = typer.Argument(
    ..., exists=True, metavar="PATH", show_default=False, help="Fact files or folders (YAML, CSV, JSON Lines)."
)
DocumentsOpt = typer.Option(
    None,
    "--documents",
    exists=True,
    file_okay=False,
    metavar="DIR",
    help="Folder of the source documents: every quote must occur in its source's document.",
)


def grade_help(scale: Scale, unit: str) -> str:
    """Help for a ``--SCALE-at-least`` option, from the registry.

    >>> grade_help(REGISTRY.credibility, "information")
    'Keep information graded at least this well (Admiralty information grading, 1-6; 1 is best: 3 keeps 1, 2 and 3).'
    """
    g = [str(x) for x in scale.grades]
    example = f"{g[0]} is best: {g[2]} keeps {', '.join(g[:2])} and {g[2]}" if len(g) >= 3 else f"{g[0]} is best"
    return f"Keep {unit} graded at least this well ({scale.title}, {scale.span()}; {example})."


def parse_grade(scale: Scale, value: str | None, option: str) -> str | int | None:
    """A grade of ``scale`` as typed on the command line (reliability letters in any case).

    >>> parse_grade(REGISTRY.reliability, "b", "--reliability-at-least"), parse_grade(REGISTRY.credibility, "3", "-x")
    ('B', 3)
    """
    if value is None:
        return None
    text = value.strip()
    for grade in scale.grades:
        if str(grade).lower() == text.lower():
            return grade
    raise typer.BadParameter(
        f"must be a grade {scale.span()} ({scale.title}; {scale.best} is best), got {value!r}", param_hint=option
    )


CredibilityOpt = typer.Option(
    None,
    "--credibility-at-least",
    metavar="N",
    show_default=False,
    help=grade_help(REGISTRY.credibility, "facts with a piece of evidence"),
)
ReliabilityOpt = typer.Option(
    None,
    "--reliability-at-least",
    metavar="X",
    show_default=False,
    help=grade_help(REGISTRY.reliability, "facts with a piece of evidence from a source"),
)


def check_output(path: Path) -> None:
    """Refuse an output path before any work: a missing folder or a folder given for a file is a usage error
    (exit 2, and nothing is created); a folder that is a file cannot be written (exit 1)."""
    parent = Path(path).parent
    if parent.exists() and not parent.is_dir():
        raise KgError(f"cannot write {path}: {parent} is not a folder", EXIT_FAILED)
    try:
        output_path(path)
    except OutputError as exc:
        raise KgError(str(exc), EXIT_USAGE) from None


# -- facts ------------------------------------------------------------------------------------------------

# Below this many bytes of facts, a progress bar would only flicker.
PROGRESS_BYTES = 5_000_000


def fact_files(paths: Iterable[Path], *, option: str = "") -> list[Path]:
    """The fact files under ``paths``; a usage error (exit 2) when there are none (and nothing that could not
    be read: validation reports that)."""
    paths = list(paths)
    found = find_facts(paths)
    files = found.files
    if not found:
        where = ", ".join(map(str, paths))
        raise KgError(
            f"{option + ': ' if option else ''}no fact files (.yaml, .yml, .csv, .jsonl) under {where}", EXIT_USAGE
        )
    return files


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # validation says why
        return 0


def check_facts(
    paths: list[Path], documents: Path | None = None, *, context: Iterable[Path] = (), strict: bool = False
) -> Checked:
    """Every problem and warning of the files under ``paths`` (checked with ``context`` as the rest of the
    dataset; with ``strict``, warnings are errors)."""
    context = list(context)
    files = fact_files(paths)
    context_files = fact_files(context, option="--with") if context else []
    with byte_progress("validating", sum(_size(f) for f in files + context_files)) as advance:
        return check_files(paths, documents, context=context, strict=strict, progress=advance)


@contextmanager
def byte_progress(label: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A bar of bytes read on stderr while the block runs; yields what to tell it (``advance(n)``), or None
    when ``total`` is under :data:`PROGRESS_BYTES` (work that short shows no bar)."""
    if total < PROGRESS_BYTES:
        yield None
        return
    with Progress(
        TextColumn(label), BarColumn(), DownloadColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def print_problems(
    problems: list[Problem], *, max_problems: int = DEFAULT_MAX_PROBLEMS, hint: str = "", noun: str = "problem"
) -> None:
    """``FILE:LINE: message`` lines (``FILE:LINE: warning: message`` for warnings) on stdout, the first
    ``max_problems`` (0: all), then how many more there are."""
    shown = problems if max_problems <= 0 else problems[:max_problems]
    for p in shown:
        out.print(str(p))
    more = len(problems) - len(shown)
    if more:
        out.print(f"... and {more} more {noun}(s){hint}")


def problems_summary(problems: list[Problem], files: int, *, warnings: int = 0) -> Text:
    """``3 problem(s) in 1 of 2 file(s)``, and ``; 2 warning(s)`` when there are some.

    >>> str(problems_summary([Problem("a.yaml", 1, "x")], 2, warnings=2))
    '1 problem(s) in 1 of 2 file(s); 2 warning(s)'
    """
    with_problems = len({p.file for p in problems})
    text = Text()
    text.append(f"{len(problems)} problem(s)", style="red")
    text.append(f" in {with_problems} file(s)" if with_problems == files else f" in {with_problems} of {files} file(s)")
    if warnings:
        text.append(f"; {warnings} warning(s)")
    return text


def read_facts(paths: list[Path], documents: Path | None = None, *, writes: str = "") -> Facts:
    """Validated facts, or the problems printed (``FILE:LINE: message``) and exit 1.

    ``writes`` names what the command would have written to ("Neo4j"): the summary then says nothing was.
    """
    checked = check_facts(paths, documents)
    if checked.problems:
        print_problems(checked.problems, hint="; kg validate --max-problems 0 lists them all")
        summary = problems_summary(checked.problems, len(checked.files) + checked.not_read)
        if writes:
            summary.append(f"; nothing was written to {writes}")
        err.print(summary)
        raise typer.Exit(EXIT_FAILED)
    if checked.warnings:  # they never block; kg validate shows them
        say(f"{len(checked.warnings)} warning(s) about the facts (kg validate shows them)", label="note")
    return checked.facts
