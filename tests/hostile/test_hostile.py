"""Hostile input (tests/hostile/cases.py) through every command that reads facts, against the real Neo4j.

Each case runs `kg validate`, `kg stats`, `kg viz`, `kg export --format csv` and `kg load` (in one child
process: tests/hostile/run_case.py), and every one must: exit with the documented code, name the defect as
FILE:LINE, print no
traceback and no raw control character (a terminal must not be driven by data), write no output file
when it fails, create nothing a payload asks for, and leave Neo4j exactly as it was (a dump before and
after, the datasets' load states included). The dataset "hostile" is loaded from base/ first, so a
defect that got through would change it.

One test per kind of case; cases validation does not catch yet are marked xfail(strict=True) with what
is missing (cases.GAPS).
"""

from __future__ import annotations

import os
import re

import pytest

from tests.hostile import cases
from tests.hostile.cases import DATASET, Case
from tests.hostile.support import clear, dump, run_case

# Raw C0 controls (tab and line feed aside) and DEL: data must reach the terminal escaped, never raw.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(scope="module")
def env(neo4j_server) -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
    }


@pytest.fixture(scope="module")
def loaded(neo4j_driver, env, tmp_path_factory) -> dict:
    """Neo4j holding only the valid base dataset (as dataset "hostile"), and its dump."""
    clear(neo4j_driver)
    root = tmp_path_factory.mktemp("base")
    cases.Case("base", "base", "the valid dataset", lambda d: None).make(root)
    _load_base(root, env)
    return {"dump": dump(neo4j_driver), "root": root, "env": env}


def _load_base(root, env) -> None:
    done = run_case("base", {"load": [DATASET, "--documents", "documents"]}, cwd=root, env=env, record=False)
    assert done.runs and done.runs[0].code == 0, done.runs


def commands(case: Case) -> dict[str, list[str]]:
    paths = [DATASET, *case.extra_paths]
    return {
        "validate": [*paths, "--documents", "documents"],
        "stats": [*paths],
        "viz": [*paths, "--out", "out/snapshot.html"],
        "export": [*paths, "--format", "csv", "--out", "out/graph.csv", "--documents", "documents"],
        "load": [*paths, "--documents", "documents"],
    }


OUTPUTS = {"viz": ("out/snapshot.html",), "export": ("out/graph.nodes.csv", "out/graph.edges.csv")}


def check(case: Case, tmp_path, env: dict[str, str], drv, loaded: dict) -> None:
    case.make(tmp_path)
    (tmp_path / "out").mkdir()
    failures = []
    loaded_ok = False
    done = run_case(case.name, commands(case), cwd=tmp_path, env={**env, **case.env})
    if done.timed_out:
        failures.append(f"killed after {done.seconds:.0f} s, during kg {list(commands(case))[len(done.runs)]}")
    elif len(done.runs) != len(commands(case)):
        failures.append(
            f"the commands' process died (exit status {done.exit_status}) during "
            f"kg {list(commands(case))[len(done.runs)]}"
        )
    for run in done.runs:
        command = run.command
        expected = case.codes[command]
        said = run.output[-2000:]
        if run.code != expected:
            failures.append(f"kg {command}: exit {run.code}, expected {expected}:\n{said}")
        if "Traceback" in run.output:
            failures.append(f"kg {command}: a traceback:\n{said}")
        if RAW_CONTROL.search(run.output):
            failures.append(f"kg {command}: a raw control character in the output: {RAW_CONTROL.search(run.output)!r}")
        if run.code == 1:
            for where in case.where:
                if not re.search(where, run.output, re.M):
                    failures.append(f"kg {command}: the output names no {where!r}:\n{said}")
        if run.code != 0:
            made = [f for f in OUTPUTS.get(command, ()) if (tmp_path / f).exists()]
            if made:
                failures.append(f"kg {command} failed and still wrote {made}")
        if command == "load" and case.kind == "config":
            if not re.fullmatch(r"error: NEO4J_URI '[^\n]*': [^\n]+\n", run.output):
                failures.append(f"kg load: not one NEO4J_URI line:\n{said}")
        if command == "load" and run.code == 0:
            loaded_ok = True
    if list(tmp_path.rglob("PWNED")):
        failures.append("a payload in the data ran: PWNED was created")
    now = dump(drv)
    if loaded_ok and not case.facts_change:
        # A load that went through (empty files, say) records its files; the facts stay as they were.
        if _facts(now) != _facts(loaded["dump"]):
            failures.append("kg load succeeded and changed the facts in Neo4j:\n" + _diff(loaded["dump"], now))
    elif now != loaded["dump"]:
        failures.append("Neo4j changed:\n" + _diff(loaded["dump"], now))
    if _facts(now) != _facts(loaded["dump"]):  # a defect got through: put the base back for the next case
        _load_base(loaded["root"], loaded["env"])
        now = dump(drv)
        assert _facts(now) == _facts(loaded["dump"]), "the base dataset could not be restored"
    loaded["dump"] = now
    assert not failures, f"{case.name} ({case.what}):\n" + "\n".join(failures)


def _diff(before: tuple[list[str], list[str]], after: tuple[list[str], list[str]]) -> str:
    gone = sorted(set(before[0] + before[1]) - set(after[0] + after[1]))
    new = sorted(set(after[0] + after[1]) - set(before[0] + before[1]))
    return "\n".join([*(f"- {x[:300]}" for x in gone[:10]), *(f"+ {x[:300]}" for x in new[:10])])


def _facts(full: tuple[list[str], list[str]]) -> tuple[list[str], list[str]]:
    nodes, rels = full
    return [n for n in nodes if not n.startswith('[["Dataset"]')], rels


def params(kind: str) -> list:
    return [
        pytest.param(
            c,
            id=c.name,
            marks=[pytest.mark.xfail(strict=True, reason=f"validation gap: {cases.GAPS[c.name]}")]
            if c.name in cases.GAPS
            else [],
        )
        for c in cases.by_kind(kind)
    ]


@pytest.mark.parametrize("case", params("yaml"))
def test_structure(case, tmp_path, env, neo4j_driver, loaded):
    """YAML aliases, anchors, nesting, tags, documents, duplicate keys; malformed JSON Lines and CSV."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("text"))
def test_text(case, tmp_path, env, neo4j_driver, loaded):
    """Over-long names and quotes, control characters, markup, encodings, BOMs, line endings."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("dates"))
def test_dates(case, tmp_path, env, neo4j_driver, loaded):
    """Years 0000 and past 9999 in every date field of every format."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("numbers"))
def test_numbers(case, tmp_path, env, neo4j_driver, loaded):
    """NaN, infinities, integers past 64 bits, booleans as grades."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("files"))
def test_files(case, tmp_path, env, neo4j_driver, loaded):
    """Unreadable files, upper-case extensions, empty files, folders, pipes and links of every kind."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("documents"))
def test_documents(case, tmp_path, env, neo4j_driver, loaded):
    """Source documents outside --documents (../, absolute paths, links) and documents that are pipes."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("config"))
def test_config(case, tmp_path, env, neo4j_driver, loaded):
    """A malformed NEO4J_URI: commands that need no Neo4j work, kg load says so in one line and exits 2."""
    check(case, tmp_path, env, neo4j_driver, loaded)


@pytest.mark.parametrize("case", params("volume"))
def test_volume(case, tmp_path, env, neo4j_driver, loaded):
    """Many problems at once: told within the time limit, the first 50 shown."""
    check(case, tmp_path, env, neo4j_driver, loaded)


def test_every_case_has_a_kind_test():
    tested = {"yaml", "text", "dates", "numbers", "files", "documents", "config", "volume"}
    assert set(cases.KINDS) == tested
    assert set(cases.GAPS) <= {c.name for c in cases.CASES}
    assert len({c.name for c in cases.CASES}) == len(cases.CASES)
