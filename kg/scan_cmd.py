"""`kg scan`: a report read for a curator (graph.scan): known entities it mentions, names the graph lacks,
the sentences no fact quotes yet, and a draft fact file for a new report."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer

from graph.facts import Facts
from graph.files import OutputError, atomic_output
from graph.models import is_slug
from graph.names import NameIndex
from graph.scan import MentionFinder, Scan, draft_yaml, scan, slug
from kg.common import EXIT_FAILED, EXIT_USAGE, KgError, PathsArg, check_output, err, out, read_facts, say
from kg.tables import print_rows
from loaders import normalize_text
from loaders.problems import did_you_mean

# A report is a few kB; a file far larger than any report is not read into memory (as --documents).
MAX_REPORT_BYTES = 64 * 2**20
# Above this many entities, telling which known entity an unknown name may be would cost seconds (the
# matcher's index is built per run); the mentions, names and coverage do not depend on it.
SUGGEST_MAX_ENTITIES = 20_000


class ScanFormat(StrEnum):
    table = "table"
    json = "json"


def read_report(path: Path) -> str:
    """The report's text, or a :class:`KgError` (exit 1) saying at which line it is not UTF-8 text."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise KgError(f"{path}:1: cannot read: not a regular file")
        if st.st_size > MAX_REPORT_BYTES:
            raise KgError(f"{path}:1: a report of {st.st_size / 2**20:,.0f} MB; at most {MAX_REPORT_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise KgError(f"{path}:1: cannot read: {exc.strerror}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KgError(f"{path}:1: not UTF-8 text: the file is UTF-16; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise KgError(f"{path}:{line}: binary data, not text: a NUL byte at byte {nul + 1}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise KgError(f"{path}:{line}: not UTF-8 text: {exc.reason} at byte {exc.start + 1}") from None


def source_quotes(facts: Facts, source: str) -> list[str]:
    """Every quote of a source's evidence, in relations and in entities."""
    quotes = [ev.quote for e in facts.edges.values() for ev in e.evidence if ev.source == source]
    quotes += [ev.quote for ent in facts.entities.values() for ev in ent.evidence if ev.source == source]
    return quotes


def _source(facts: Facts, report: Path, source: str | None, drafting: bool) -> tuple[str | None, bool]:
    """The source the report is (its id, and whether it is new), from --source or the sources' documents."""
    if source is not None:
        if source in facts.sources:
            return source, False
        if not drafting:
            raise KgError(f"--source: unknown source {source!r}{did_you_mean(source, facts.sources)}", EXIT_USAGE)
        if not is_slug(source):
            message = f"--source: {source!r} is not a valid id: use lowercase letters, digits and - _ ."
            raise KgError(message, EXIT_USAGE)
        return source, True
    named = [sid for sid, s in facts.sources.items() if s.document == report.name]
    if len(named) == 1:
        say(f"{report.name} is the document of source {named[0]!r}", label="note")
        return named[0], False
    if drafting:
        sid, n = slug(report.stem), 2
        base = sid
        while sid in facts.sources:
            sid, n = f"{base}-{n}", n + 1
        return sid, True
    return None, False


def scan_report(
    report: Path = typer.Argument(
        ..., exists=True, dir_okay=False, metavar="REPORT", show_default=False, help="The report (UTF-8 text)."
    ),
    paths: list[Path] = PathsArg,
    source: str | None = typer.Option(
        None,
        "--source",
        metavar="ID",
        help="The source the report is: coverage counts the sentences its evidence quotes (default: the source "
        "whose document is REPORT's file name). With --draft, a new id makes a new source.",
    ),
    draft: Path | None = typer.Option(
        None,
        "--draft",
        metavar="OUT.yaml",
        help="Write a fact file to complete: the source (if new), an entity per unknown name, a relation stub "
        "per sentence not yet quoted that names two entities; kg validate refuses it until reviewed.",
    ),
    fmt: ScanFormat = typer.Option(ScanFormat.table, "--format", "-f", help="Output format."),
):
    """The known entities a report mentions, names it gives that the graph lacks, and its sentences no
    fact quotes yet.

    Mentions are every name and alias of every entity, in any script, with line and column (case,
    accents, Arabic diacritics and punctuation ignored). Unknown names are capitalised names (Latin
    script) that look like an actor, a site or a place; the name matcher says which known entity a
    variant spelling may be. Coverage is the share of the report's sentences a quote of the source's
    evidence falls in.

    Example: kg scan ../shared/seeds/001_d6830effbbd6e08f.txt data

    Example: kg scan new-report.txt data --source levant-2025-01-10 --draft data/relations/new.yaml
    """
    if draft is not None:
        check_output(draft)
        if draft.exists():
            raise KgError(f"--draft: {draft} exists; a draft never replaces a file (give another name)", EXIT_USAGE)
    text = read_report(report)
    facts = read_facts(paths)
    sid, new_source = _source(facts, report, source, draft is not None)
    finder = MentionFinder.of_entities(facts.entities, text=text)
    index = None
    if len(facts.entities) <= SUGGEST_MAX_ENTITIES:
        index = NameIndex((eid, t, e.type) for eid, e in facts.entities.items() for t in (e.name, *e.aliases))
    quotes = source_quotes(facts, sid) if sid is not None and not new_source else None
    result = scan(text, finder, quotes=quotes, normalize=normalize_text, index=index)
    if fmt is ScanFormat.json:
        body = result.as_dict()
        body["source"] = sid
        out.print(json.dumps(body, ensure_ascii=False))
    else:
        _tables(result, facts)
    _summary(result, sid, new_source, index is not None)
    if draft is not None:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        known = list(facts.entities) + list(facts.merged)
        assert sid is not None  # a draft always has its source (_source makes one)
        yaml_text = draft_yaml(
            result, report=report.name, source_id=sid, new_source=new_source, known_ids=known, when=when
        )
        try:
            with atomic_output(draft) as fh:
                fh.write(yaml_text)
        except OutputError as exc:
            raise KgError(str(exc), EXIT_FAILED) from None
        say(f"wrote {draft}: complete each record marked review:, then kg validate it", label="ok", style="green")


def _tables(result: Scan, facts: Facts) -> None:
    names = {eid: e.name for eid, e in facts.entities.items()}
    rows = [
        [f"{m.line}:{m.column}", m.text, "; ".join(f"{names.get(i, i)} ({i})" for i in m.ids)] for m in result.mentions
    ]
    print_rows(out, ["at", "mention", "entity"], rows)
    if result.unknown:
        rows = [
            [
                f"{u.line}:{u.column}",
                u.text,
                u.kind,
                u.count,
                "; ".join(f"{c.name} ({c.id}, {c.reason} {c.score})" for c in u.maybe),
            ]
            for u in result.unknown
        ]
        print_rows(out, ["at", "unknown name", "looks like", "times", "may be"], rows, right=["times"])
    if result.covered is not None:
        rows = [[f"{s.line}:{s.column}", s.text] for s in result.sentences if not s.covered]
        if rows:
            print_rows(out, ["at", "sentence no fact quotes yet"], rows)


def _summary(result: Scan, sid: str | None, new_source: bool, suggested: bool) -> None:
    ids = {i for m in result.mentions for i in m.ids}
    parts = [
        f"{len(result.mentions)} mention(s) of {len(ids)} known entit{'y' if len(ids) == 1 else 'ies'}",
        f"{len(result.unknown)} unknown name(s)",
    ]
    if result.covered is not None:
        parts.append(
            f"{result.covered} of {len(result.sentences)} sentence(s) quoted by {sid}'s evidence ({result.percent}%)"
        )
    elif new_source:
        parts.append(f"{len(result.sentences)} sentence(s), none quoted yet (new source {sid})")
    else:
        parts.append(f"{len(result.sentences)} sentence(s); --source ID tells how many are quoted")
    err.print("; ".join(parts))
    if not suggested and result.unknown:
        say(
            f"more than {SUGGEST_MAX_ENTITIES:,} entities: known entities the unknown names may be are not looked "
            "for (kg query find NAME resolves one)",
            label="note",
        )


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_report)
