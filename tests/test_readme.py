"""The README's examples run, so they never rot."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from loaders import load_facts
from tests.paths import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(README) if kind == lang]


def console_examples(needs_neo4j: bool) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each `$ kg ...` in console blocks."""
    out = []
    for body in blocks("console"):
        chunks = re.split(r"^\$ ", body, flags=re.M)[1:]
        for chunk in chunks:
            cmd, *expected = chunk.rstrip("\n").split("\n")
            uses_db = bool(re.match(r"kg (load|query|neo4j)\b", cmd) or re.match(r"kg analyze .*--write\b", cmd))
            if uses_db == needs_neo4j:
                out.append((cmd, expected))
    return out


def run(cmd: str, env=None) -> subprocess.CompletedProcess:
    args = shlex.split(cmd)
    assert args[0] == "kg", cmd
    return subprocess.run(
        [sys.executable, "-m", "kg", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "COLUMNS": "200"},
        timeout=600,
    )


def test_facts_format_example_validates_against_the_reports(tmp_path):
    example = next(b for b in blocks("yaml") if "sources:" in b and "relations:" in b)
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    facts = load_facts([tmp_path / "example.yaml"], documents=SEEDS)
    assert len(facts.entities) == 3 and len(facts.edges) == 1


def check_output(r: subprocess.CompletedProcess, expected: list[str], *, stdout_only: bool = False) -> None:
    # A query's row count and timing go to stderr and vary; the README shows stdout.
    text = r.stdout if stdout_only else r.stdout + r.stderr
    got = [line.rstrip() for line in text.splitlines() if line.strip()]
    assert got == [line.rstrip() for line in expected if line.strip()]
    assert "Traceback" not in r.stderr


def _ids(value) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize("cmd,expected", console_examples(needs_neo4j=False), ids=_ids)
def test_console_examples(cmd, expected):
    check_output(run(cmd), expected)


SAMPLED = ("network_as_of", "weak_facts")


@pytest.fixture(scope="module")
def seed_in_neo4j(neo4j_driver):
    """The seed dataset loaded as the README loads it (`kg load data`), into an empty database."""
    with neo4j_driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    r = run("kg load data")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("cmd,expected", console_examples(needs_neo4j=True), ids=_ids)
def test_query_examples_on_the_seed_data(seed_in_neo4j, cmd, expected):
    r = run(cmd)
    if any(f"kg query {name} " in cmd + " " for name in SAMPLED):
        # These stop at their limit (or at one of several equally short paths) before
        # sorting, to stay fast on a million relations: the rows shown may differ, their
        # columns and number may not.
        got = [line for line in r.stdout.splitlines() if line.strip()]
        want = [line for line in expected if line.strip()]
        columns = lambda lines: lines[1].replace("┃", " ").split()  # noqa: E731
        assert r.returncode == 0 and columns(got) == columns(want) and len(got) == len(want), r.stdout
        return
    check_output(r, expected, stdout_only=r.returncode == 0)


def sh_commands() -> list[str]:
    """`kg` lines of the README's sh blocks that need no server (comments dropped)."""
    cmds = []
    for body in blocks("sh")[1:]:
        for line in body.splitlines():
            cmd = re.split(r"\s#", line)[0].strip()
            if cmd.startswith("kg ") and not re.match(r"kg (load|query|neo4j|serve)\b", cmd):
                cmds.append(cmd)
    return cmds


@pytest.mark.parametrize("cmd", sh_commands())
def test_sh_examples(cmd, tmp_path):
    r = run(cmd.replace("out/", f"{tmp_path}/"))
    assert r.returncode == 0, (cmd, r.stdout, r.stderr)
    assert any(tmp_path.iterdir())


def test_fresh_machine_commands(tmp_path):
    """The quick-start commands, less the setup step this test already stands on."""
    first = blocks("sh")[0].strip()
    for part in first.split("&&"):
        cmd = part.strip()
        if cmd.startswith("bash scripts/setup.sh"):
            continue
        if cmd == "mkdir -p out":  # the folder the snapshot goes in: this test writes into tmp_path
            continue
        cmd = cmd.replace("out/actorgraph.html", str(tmp_path / "actorgraph.html"))
        r = run(cmd)
        assert r.returncode == 0, (cmd, r.stdout, r.stderr)
    assert (tmp_path / "actorgraph.html").stat().st_size > 10_000
