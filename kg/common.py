"""What every command shares: reading facts with a progress bar, and reporting problems."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from graph.facts import Facts
from loaders import ValidationFailed, discover, load_facts

console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)

PathsArg = typer.Argument(..., exists=True, help="Fact files or folders (YAML, CSV, JSON Lines).", show_default=False)
DocumentsOpt = typer.Option(
    None, "--documents", exists=True, file_okay=False,
    help="Folder of the source documents: every quote must occur in its source's document.",
)

# Below this many bytes of facts, a progress bar would only flicker.
_PROGRESS_BYTES = 5_000_000


def read_facts(paths: list[Path], documents: Optional[Path] = None) -> Facts:
    """Validated facts, or every problem printed as FILE:LINE: message and exit 1."""
    files = discover(paths)
    if not files:
        console.print(f"[red]error:[/] no fact files (.yaml, .yml, .csv, .jsonl) under {', '.join(map(str, paths))}")
        raise typer.Exit(2)
    total = sum(f.stat().st_size for f in files)
    try:
        if total < _PROGRESS_BYTES:
            return load_facts(files, documents)
        with Progress(TextColumn("validating"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("validate", total=total)
            return load_facts(files, documents, progress=lambda n: bar.advance(task, n))
    except ValidationFailed as e:
        for p in e.problems:
            out.print(str(p), markup=False)
        console.print(f"[red]{len(e.problems)} problem(s)[/] in {len(files)} file(s); nothing was written")
        raise typer.Exit(1)
