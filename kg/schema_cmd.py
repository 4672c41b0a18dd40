"""`kg schema`: the JSON Schema of fact files for editors, and the modeline that points fact files at it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from graph.files import OutputError, atomic_output
from graph.jsonschema import fact_file_schema, with_modeline
from kg.common import EXIT_FAILED, EXIT_USAGE, KgError, check_facts, check_output, out, say
from loaders import find_facts
from loaders.discovery import YAML_SUFFIXES, suffix


def schema(
    paths: list[Path] = typer.Argument(
        None,
        exists=True,
        metavar="[PATH]...",
        show_default=False,
        help="Fact files or folders whose entity and source ids the schema offers for completion.",
    ),
    json_schema: bool = typer.Option(
        False, "--json-schema", help="Write the JSON Schema of fact files (to --out, else to standard output)."
    ),
    out_path: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE", help="The schema file to write (and that --modelines points at)."
    ),
    modelines: Path | None = typer.Option(
        None,
        "--modelines",
        exists=True,
        file_okay=False,
        metavar="DIR",
        help="Add or refresh the yaml-language-server line at the top of every YAML fact file under DIR, "
        "pointing at the --out schema file (by a path relative to each file).",
    ),
):
    """The JSON Schema of fact files, for editors with a YAML language server.

    The schema is derived from the schema registry (graph/schema.yaml) through the models: sections,
    entity and relation types, their attributes with their descriptions, grades. Given fact files
    or folders, it also offers their ids for completion (a relation's ends only of the types it allows).
    A fact file names its schema in its first line: --modelines DIR adds or refreshes that line in every
    YAML fact file under DIR (the loader reads it as a comment).

    Example: kg schema --json-schema --out /tmp/facts.schema.json

    Example: kg schema data --json-schema --out data/facts.schema.json --modelines data
    """
    if not json_schema and modelines is None:
        raise KgError("give --json-schema, --modelines DIR, or both (see kg schema --help)", EXIT_USAGE)
    if modelines is not None and out_path is None:
        raise KgError("--modelines needs --out FILE: the schema file the fact files point at", EXIT_USAGE)
    if json_schema:
        _write_schema(paths or [], out_path)
    elif not out_path.is_file():  # type: ignore[union-attr]
        raise KgError(f"{out_path} does not exist: write it with --json-schema --out {out_path}", EXIT_USAGE)
    if modelines is not None:
        _modelines(modelines, out_path)  # type: ignore[arg-type]


def _write_schema(paths: list[Path], out_path: Path | None) -> None:
    if out_path is not None:
        check_output(out_path)
    entity_types: dict[str, str] = {}
    source_ids: list[str] = []
    if paths:
        checked = check_facts(paths)
        if checked.problems:
            say(
                f"the facts have {len(checked.problems)} problem(s) (kg validate lists them); the schema offers "
                "the ids of the records that are valid",
                label="note",
            )
        entity_types = {eid: ent.type for eid, ent in checked.facts.entities.items()}
        entity_types.update({old: entity_types[kept] for old, kept in checked.facts.merged.items()})
        source_ids = list(checked.facts.sources)
    text = json.dumps(fact_file_schema(entity_types=entity_types, source_ids=source_ids), indent=1, ensure_ascii=False)
    if out_path is None:
        out.print(text)
        return
    try:
        with atomic_output(out_path) as fh:
            fh.write(text + "\n")
    except OutputError as exc:
        raise KgError(str(exc), EXIT_FAILED) from None
    ids = f" with {len(entity_types)} entity and {len(source_ids)} source ids" if paths else ""
    say(f"wrote {out_path}{ids}", label="ok", style="green")


def _modelines(folder: Path, schema_file: Path) -> None:
    files = [f for f in find_facts([folder]).files if suffix(f) in YAML_SUFFIXES]
    changed = 0
    for path in files:
        ref = Path(os.path.relpath(schema_file.resolve(), path.resolve().parent)).as_posix()
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise KgError(f"{path}: cannot add the modeline: {reason}; nothing more was changed", EXIT_FAILED) from None
        new = with_modeline(text, ref)
        if new == text:
            continue
        try:
            with atomic_output(path, newline="") as fh:
                fh.write(new)
        except OutputError as exc:
            raise KgError(str(exc), EXIT_FAILED) from None
        changed += 1
    say(
        f"{changed} of {len(files)} YAML fact file(s) under {folder} updated to name {schema_file}",
        label="ok",
        style="green",
    )


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
