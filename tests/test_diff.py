"""`kg diff`: two versions of a dataset compared, as two folders or one folder and a git revision (real git, in a
repository made for the test; the project's own repository is never touched)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from graph.diff import diff_facts
from kg.cli import app
from kg.diff_cmd import describe, markdown_text
from loaders import load_facts
from tests.paths import FLORENTINE

runner = CliRunner()


def kg_diff(*args):
    r = runner.invoke(app, ["diff", *map(str, args)])
    assert "Traceback" not in r.output
    return r


def edit(folder: Path, name: str, change) -> None:
    """Apply ``change`` to the YAML data of ``folder/name`` and write it back."""
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def relation(data: dict, rtype: str, src: str, dst: str) -> dict:
    return next(r for r in data["relations"] if (r["type"], r["from"], r["to"]) == (rtype, src, dst))


def change_new_version(new: Path) -> None:
    """One change of each kind, and the fields that change (hand-checked in the tests below)."""

    def relations(data):
        leads = relation(data, "LEADS", "abu-test", "brigade-9")
        leads["credibility"] = 3
        leads["valid_from"] = "2020"
        data["relations"].remove(relation(data, "ATTACKS", "state-x", "northern-front"))
        data["relations"].append(
            {
                "type": "OPPOSES",
                "from": "northern-front",
                "to": "state-x",
                "credibility": 4,
                "evidence": [{"source": "wire-2022", "quote": "Northern Front fights State X"}],
            }
        )

    def entities(data):
        hospital = next(e for e in data["entities"] if e["id"] == "old-hospital")
        hospital["aliases"] = [*hospital.get("aliases", []), "Hospital of Old"]

    def sources(data):
        data["sources"][0]["title"] = "Field report on the eastern border (revised)"

    edit(new, "relations.yaml", relations)
    edit(new, "entities.yaml", entities)
    edit(new, "sources.yaml", sources)


@pytest.fixture()
def versions(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FLORENTINE, old)
    shutil.copytree(FLORENTINE, new)
    change_new_version(new)
    return old, new


def test_two_folders_every_kind_of_change(versions):
    old, new = versions
    r = kg_diff(old, new, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["old"], data["new"]) == (str(old), str(new))
    assert data["summary"] == {
        "source": {"added": 0, "removed": 0, "changed": 1},
        "entity": {"added": 0, "removed": 0, "changed": 1},
        "relation": {"added": 1, "removed": 1, "changed": 1},
    }
    changes = {(c["kind"], c["id"], c["change"]): c["fields"] for c in data["changes"]}
    leads = changes["relation", "abu-test|LEADS|brigade-9", "changed"]
    assert sorted(leads) == ["credibility", "evidence", "valid_from"]  # the evidence carries the relation's grade
    assert leads["credibility"] == {"old": 2, "new": 3} and leads["valid_from"] == {"old": "2021", "new": "2020"}
    assert changes["entity", "old-hospital", "changed"]["aliases"]["new"][-1] == "Hospital of Old"
    assert list(changes["source", "field-report-2021", "changed"]) == ["title"]
    assert ("relation", "state-x|ATTACKS|northern-front", "removed") in changes
    assert changes["relation", "northern-front|OPPOSES|state-x", "added"]["credibility"] == {"old": None, "new": 4}
    # The same as graph.diff says, in its order: sources, entities, relations.
    expected = diff_facts(load_facts([old]), load_facts([new]))
    assert [(c["kind"], c["id"], c["change"]) for c in data["changes"]] == [(c.kind, c.id, c.change) for c in expected]


def test_table_and_markdown(versions):
    old, new = versions
    r = kg_diff(old, new)
    assert r.exit_code == 0, r.output
    assert "┃ change" in r.stdout and "credibility: 2 → 3" in r.stdout and "valid_from: 2021 → 2020" in r.stdout
    assert "evidence from field-report-2021: “Abu Test commands Brigade 9”: credibility 2 → 3" in r.stdout
    summary = r.stdout.strip().splitlines()[-1]
    assert summary == (
        f"5 changes from {old} to {new}: sources 1 changed; entities 1 changed; relations 1 added, 1 removed, 1 changed"
    )
    md = kg_diff(old, new, "--format", "markdown").stdout
    assert md.startswith("5 changes from ") and "| change | kind | id | what |" in md
    assert "| removed | relation | state-x\\|ATTACKS\\|northern-front |" in md
    assert "credibility: 2 → 3<br>" in md


def test_no_changes_is_exit_0(tmp_path):
    r = kg_diff(FLORENTINE, FLORENTINE)
    assert r.exit_code == 0 and r.stdout == f"no changes from {FLORENTINE} to {FLORENTINE}\n"
    assert json.loads(kg_diff(FLORENTINE, FLORENTINE, "-f", "json").stdout)["changes"] == []


def test_describe_and_markdown_text():
    from graph.diff import Change

    assert describe(
        Change("relation", "a|LEADS|b", "removed", {"credibility": (2, None), "evidence": ([{}], None)})
    ) == ["credibility 2, 1 piece of evidence"]
    assert (
        markdown_text("<img src=x onerror=alert(1)> *b* [l](u) a|b `c`")
        == "\\<img src=x onerror=alert(1)\\> \\*b\\* \\[l\\](u) a\\|b \\`c\\`"
    )


def test_names_in_markdown_are_text(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(FLORENTINE, old)
    new = tmp_path / "new"
    shutil.copytree(FLORENTINE, new)

    def rename(data):
        data["entities"][0]["name"] = "<script>alert(1)</script> **x** | y"

    edit(new, "entities.yaml", rename)
    md = kg_diff(old, new, "-f", "markdown").stdout
    assert "<script>" not in md and "\\<script\\>alert(1)\\</script\\> \\*\\*x\\*\\* \\| y" in md
    table = kg_diff(old, new).stdout
    assert "<script>alert(1)</script> **x** | y" in table  # the terminal shows it as it is


def test_a_version_that_does_not_validate_shows_its_problems(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(FLORENTINE, bad)
    (bad / "extra.yaml").write_text(
        "relations:\n  - type: LEADZ\n    from: abu-test\n    to: brigade-9\n", encoding="utf-8"
    )
    r = kg_diff(bad, FLORENTINE)
    assert r.exit_code == 1
    assert f"{bad / 'extra.yaml'}:2: unknown relation type 'LEADZ' (did you mean 'LEADS'?)" in r.output
    assert "of the old version" in r.output and "does not validate" in r.output


@pytest.mark.parametrize(
    "args,message",
    [
        ((FLORENTINE,), "give the two versions (kg diff OLD NEW), or one and a git revision (kg diff PATH --rev REV)"),
        ((FLORENTINE, FLORENTINE, "--rev", "HEAD"), "give NEW or --rev, not both"),
    ],
)
def test_usage_errors(args, message):
    r = kg_diff(*args)
    assert r.exit_code == 2 and r.output == f"error: {message}\n"


# --------------------------------------------------------------------------- --rev: a real git repository


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture()
def repo(tmp_path):
    """A repository with the Florentine facts in data/ committed twice (HEAD~1: as they are; HEAD: one grade
    changed), and the working tree changed further (not committed)."""
    root = tmp_path / "repo"
    shutil.copytree(FLORENTINE, root / "data")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "data")
    git(root, "commit", "-q", "-m", "first")
    edit(
        root / "data",
        "relations.yaml",
        lambda d: relation(d, "PART_OF", "brigade-9", "northern-front").update(credibility=3),
    )
    git(root, "commit", "-q", "-am", "second")
    change_new_version(root / "data")
    return root


def kg_diff_in(cwd: Path, *args):
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return kg_diff(*args)
    finally:
        os.chdir(old)


def tree_state(root: Path) -> tuple:
    files = {
        p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts
    }
    return git(root, "status", "--porcelain"), git(root, "rev-parse", "HEAD"), files


def leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("kg-diff-*")}


def test_rev_against_the_working_tree(repo):
    before, temps = tree_state(repo), leftovers()
    r = kg_diff_in(repo, "data", "--rev", "HEAD", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["old"], data["new"]) == ("data@HEAD", "data (working tree)")
    assert data["summary"]["relation"] == {"added": 1, "removed": 1, "changed": 1}
    # One revision further back, the committed change shows too.
    older = json.loads(kg_diff_in(repo, "data", "--rev", "HEAD~1", "-f", "json").stdout)
    ids = {c["id"] for c in older["changes"] if c["change"] == "changed"}
    assert "brigade-9|PART_OF|northern-front" in ids and "brigade-9|PART_OF|northern-front" not in {
        c["id"] for c in data["changes"]
    }
    # From elsewhere, with an absolute path.
    r = kg_diff(repo / "data", "--rev", "HEAD~1", "-f", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["changes"] == older["changes"]
    assert tree_state(repo) == before and leftovers() == temps  # git only read; the temporary copy removed


def test_rev_errors_are_one_line(repo, tmp_path):
    r = kg_diff_in(repo, "data", "--rev", "HEAD~7")
    assert r.exit_code == 2 and r.output.startswith("error: --rev 'HEAD~7': git knows no such revision")
    assert r.output.count("\n") == 1
    r = kg_diff_in(repo, "data", "--rev", "--upload-pack=touch x")
    assert r.exit_code == 2 and r.output == "error: --rev '--upload-pack=touch x' is not a revision\n"
    outside = tmp_path / "outside"
    shutil.copytree(FLORENTINE, outside)
    r = kg_diff(outside, "--rev", "HEAD")
    assert r.exit_code == 2 and r.output.startswith(f"error: {outside} is not in a git repository")
    shutil.copytree(FLORENTINE, repo / "later")  # not committed: it did not exist at HEAD
    r = kg_diff_in(repo, "later", "--rev", "HEAD")
    assert r.exit_code == 1 and r.output.startswith("error: later did not exist at HEAD")


def test_rev_that_does_not_validate(repo):
    (repo / "data" / "extra.yaml").write_text(
        "relations:\n  - type: LEADZ\n    from: abu-test\n    to: brigade-9\n", encoding="utf-8"
    )
    git(repo, "add", "data/extra.yaml")
    git(repo, "commit", "-q", "-m", "a mistake")
    (repo / "data" / "extra.yaml").unlink()  # fixed in the working tree
    r = kg_diff_in(repo, "data", "--rev", "HEAD")
    assert r.exit_code == 1
    assert "HEAD:data/extra.yaml:2: unknown relation type 'LEADZ' (did you mean 'LEADS'?)" in r.output
    assert "of the version at HEAD" in r.output and "Traceback" not in r.output
