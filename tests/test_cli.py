"""The command line through Typer's runner: exit codes 0 ok, 1 invalid data, 2 usage error."""

import io
import json

from typer.testing import CliRunner

from kg.cli import app
from tests.paths import FLORENTINE, FLORENTINE_DOCS

runner = CliRunner()


def test_validate_ok():
    r = runner.invoke(app, ["validate", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS)])
    assert r.exit_code == 0, r.output
    assert "ok: 2 sources, 11 entities, 13 relations, 14 pieces of evidence" in r.output


def test_validate_reports_every_problem_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entities:\n  - id: a\n    type: Persn\n    name: A\n  - id: b\n    type: Person\n", encoding="utf-8"
    )
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1
    lines = [line for line in r.stdout.splitlines() if "bad.yaml" in line]
    assert any(line.endswith("bad.yaml:3: unknown entity type 'Persn' (did you mean 'Person'?)") for line in lines)
    assert any(line.endswith("bad.yaml:5: missing field 'name'") for line in lines)
    assert "Traceback" not in r.output


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["validate", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert runner.invoke(app, ["stats", str(FLORENTINE), "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["validate", str(tmp_path)]).exit_code == 2  # a folder with no fact files


def test_stats_json():
    r = runner.invoke(app, ["stats", str(FLORENTINE), "--format", "json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["entities"] == 11 and s["relation_types"]["OCCUPIES"] == 1


def test_every_command_has_help_with_an_example():
    import typer.main

    group = typer.main.get_command(app)

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + [name])
        else:
            yield path

    for path in [[], ["neo4j"], *walk(group, [])]:
        r = runner.invoke(app, path + ["--help"])
        assert r.exit_code == 0, path
        assert "Example" in r.output, f"kg {' '.join(path)} --help has no example"


# --------------------------------------------------------------------------- one error channel, text as text


def test_user_text_is_never_markup_or_emoji(tmp_path):
    folder = tmp_path / "[bold]x:smile:"
    folder.mkdir()
    bad = folder / "a:100:[red]b.yaml"
    lines = (
        ["entities:"] + ["# padding"] * 97 + ["  - id: a", "    type: '[bold]Persn:100:'", "    name: A"]
    )  # the type is on line 100
    lines += ["# padding"] * (1232 - len(lines)) + ["  - id: b", "    type: Persn", "    name: B"]  # type: line 1234
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert bad.read_text().splitlines()[99] == "    type: '[bold]Persn:100:'"
    assert bad.read_text().splitlines()[1233] == "    type: Persn"
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1
    assert f"{bad}:100: unknown entity type '[bold]Persn:100:'" in r.stdout
    assert f"{bad}:1234: unknown entity type 'Persn' (did you mean 'Person'?)" in r.stdout
    assert "💯" not in r.output and "😄" not in r.output
    rel = folder / "r:100:.yaml"
    rel.write_text("relations:\n" + "# x\n" * 98 + "  - type: LEADS\n    from: a\n    to: b\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(rel)])
    assert f"{rel}:100:" in r.stdout and f"{rel}:101:" in r.stdout, r.stdout


def test_messages_are_one_line_however_long(tmp_path):
    deep = tmp_path / ("a-long-folder-name-" * 8) / "missing" / "graph.html"
    r = runner.invoke(app, ["viz", str(FLORENTINE), "--out", str(deep)])  # the runner's terminal is 80 wide
    assert r.exit_code == 2
    assert r.output == f"error: cannot write {deep}: the folder {deep.parent} does not exist\n"
    r = runner.invoke(app, ["validate", str(deep)])  # click's usage errors too
    assert r.exit_code == 2 and r.output.count("\n") == 1 and str(deep) in r.output


def test_validate_never_says_it_wrote_and_load_says_it_did_not(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: a\n    type: Persn\n    name: A\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1 and "written" not in r.output and "1 problem(s) in 1 file(s)" in r.output
    r = runner.invoke(app, ["load", str(bad)])  # validation fails before any connection
    assert r.exit_code == 1 and "1 problem(s) in 1 file(s); nothing was written to Neo4j" in r.output


def test_max_problems(tmp_path):
    bad = tmp_path / "many.yaml"
    bad.write_text(
        "entities:\n" + "".join(f"  - id: e{i}\n    type: Persn\n    name: E\n" for i in range(60)), encoding="utf-8"
    )
    r = runner.invoke(app, ["validate", str(bad)])
    shown = [line for line in r.stdout.splitlines() if "unknown entity type" in line]
    assert len(shown) == 50 and "... and 10 more problem(s)" in r.stdout
    assert "60 problem(s) in 1 file(s)" in r.output
    r = runner.invoke(app, ["validate", str(bad), "--max-problems", "3"])
    assert r.stdout.count("unknown entity type") == 3 and "... and 57 more problem(s)" in r.stdout
    r = runner.invoke(app, ["validate", str(bad), "--max-problems", "0"])
    assert r.stdout.count("unknown entity type") == 60 and "more problem" not in r.stdout


def test_validate_a_file_with_the_rest_of_the_dataset(tmp_path):
    rest = tmp_path / "rest"
    (rest / "entities").mkdir(parents=True)
    (rest / "sources.yaml").write_text(
        "sources:\n  - id: s1\n    title: T\n    publisher: P\n    published: 2021\n    reliability: B\n",
        encoding="utf-8",
    )
    (rest / "entities" / "people.yaml").write_text(
        "entities:\n  - id: luqa\n    type: Person\n    name: Luqa\n  - id: army\n    type: ArmedGroup\n"
        "    name: Army\n  - id: broken\n    type: Persn\n    name: X\n",
        encoding="utf-8",
    )
    new = tmp_path / "new.yaml"
    new.write_text(
        "relations:\n  - type: LEADS\n    from: luqa\n    to: army\n    credibility: 2\n"
        "    evidence:\n      - source: s1\n        quote: leads\n",
        encoding="utf-8",
    )
    alone = runner.invoke(app, ["validate", str(new)])
    assert alone.exit_code == 1 and "unknown entity 'luqa'" in alone.stdout
    r = runner.invoke(app, ["validate", str(new), "--with", str(rest)])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("ok: 1 file checked with 2 other file(s) of --with")
    assert "Persn" not in r.stdout and "1 problem(s) of their own" in r.output  # the context's own problem
    new.write_text(
        new.read_text().replace("to: army", "to: armyy") + "entities:\n  - id: luqa\n    type: Person\n"
        "    name: Again\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["validate", str(new), "--with", str(rest), "--with", str(new)])
    assert r.exit_code == 1
    problems = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(problems) == 2 and all(line.startswith(f"{new}:") for line in problems), r.stdout
    assert any("to: unknown entity 'armyy' (did you mean 'army'?)" in line for line in problems)
    assert any("duplicate entity id 'luqa' (first defined at " in line for line in problems)
    assert runner.invoke(app, ["validate", str(new), "--with", str(tmp_path / "empty")]).exit_code == 2


WARNED = (
    "sources:\n  - id: s1\n    title: T\n    publisher: P\n    published: 2021\n    reliability: B\n"
    "entities:\n  - id: a\n    type: Person\n    name: A\n  - id: b\n    type: ArmedGroup\n    name: B\n"
    "relations:\n  - type: LEADS\n    from: a\n    to: b\n    credibility: 2\n"
    "    evidence:\n      - source: s1\n        quote: A apparently leads B\n"
)  # credibility: line 18
TOO_STRONG = (
    "credibility 2 is stronger than the policy allows: 'apparently' (the report itself doubts it) "
    "caps it at 4 (doubtful)"
)


def test_warnings_follow_problems_and_fail_only_when_strict(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(WARNED, encoding="utf-8")
    r = runner.invoke(app, ["validate", str(facts)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"{facts}:18: warning: {TOO_STRONG}",
        "ok: 1 sources, 2 entities, 1 relations, 1 pieces of evidence; 1 warning(s) (--strict makes them problems)",
    ]
    r = runner.invoke(app, ["validate", str(facts), "--strict"])
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [f"{facts}:18: {TOO_STRONG}"] and r.stderr == "1 problem(s) in 1 file(s)\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: c\n    type: Persn\n    name: C\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(tmp_path)])
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"{bad}:3: unknown entity type 'Persn' (did you mean 'Person'?)",
        f"{facts}:18: warning: {TOO_STRONG}",
    ]
    assert r.stderr == "1 problem(s) in 1 of 2 file(s); 1 warning(s)\n"


def test_warnings_never_block_other_commands(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(WARNED, encoding="utf-8")
    r = runner.invoke(app, ["stats", str(facts), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["relations"] == 1
    assert r.stderr == "note: 1 warning(s) about the facts (kg validate shows them)\n"


def test_warnings_of_the_with_files_are_theirs(tmp_path):
    (tmp_path / "rest.yaml").write_text(WARNED, encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text("entities:\n  - id: c\n    type: Person\n    name: C\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(new), "--with", str(tmp_path / "rest.yaml"), "--strict"])
    assert r.exit_code == 0 and r.stdout.startswith("ok: 1 file checked with 1 other file(s)"), r.output


# --------------------------------------------------------------------------- small trust fixes


def test_outputs_into_a_missing_folder_are_refused(tmp_path):
    missing = tmp_path / "no" / "such"
    for args in (
        ["viz", str(FLORENTINE), "--out", str(missing / "x.html")],
        ["export", str(FLORENTINE), "--out", str(missing / "x.json")],
        ["export", str(FLORENTINE), "--format", "csv", "--out", str(missing / "tables")],
    ):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert "does not exist" in r.output and r.output.startswith("error: ")
    assert not (tmp_path / "no").exists()


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("kg (actorgraph) ")


def test_grade_options_are_named_for_what_they_keep(tmp_path):
    r = runner.invoke(app, ["viz", "--help"], terminal_width=200)
    text = " ".join(r.stdout.replace("│", " ").split())
    assert "--credibility-at-least" in text and "--reliability-at-least" in text
    assert "1 is best: 3 keeps 1, 2 and 3" in text and "A is best: C keeps A, B and C" in text
    out = tmp_path / "g.html"
    ok = runner.invoke(
        app, ["viz", str(FLORENTINE), "--out", str(out), "--credibility-at-least", "2", "--reliability-at-least", "b"]
    )
    assert ok.exit_code == 0, ok.output
    for args, message in (
        (["--credibility-at-least", "7"], "must be a grade 1-6"),
        (["--reliability-at-least", "G"], "must be a grade A-F"),
        (["--min-credibility", "3"], "No such option"),
    ):
        r = runner.invoke(app, ["viz", str(FLORENTINE), "--out", str(out), *args])
        assert r.exit_code == 2 and message in r.output, r.output


def test_export_help_reads_as_written():
    r = runner.invoke(app, ["export", "--help"], terminal_width=100)
    assert "\b" not in r.output
    text = " ".join(r.stdout.split())
    assert "graphml (Gephi, Cytoscape, yEd) and gexf (Gephi): scalar attributes only" in text
    assert "the label is the name (nodes) or the relation type (edges)" in text


def test_groups_have_an_example_too():
    for path in ([], ["neo4j"]):
        r = runner.invoke(app, [*path, "--help"])
        assert r.exit_code == 0 and "Example: kg " in r.output, path
        alone = runner.invoke(app, path)  # no command: the same help, as a usage error
        assert alone.exit_code == 2 and alone.stdout == r.stdout
    assert "3 kg neo4j status" in " ".join(runner.invoke(app, ["--help"]).stdout.split())


def test_tables_fit_or_become_records():
    from rich.console import Console

    from kg.tables import layout, records

    columns = ["id", "name", "quote"]
    rows = [["fog-47", "Fog 47", "The compound serves as the headquarters of the militia"]]
    console = Console(width=300)
    natural, width = layout(console, columns, rows, None)
    assert width > 60
    for at, kind in ((200, "table"), (50, "table"), (20, "records")):
        shown, w = layout(console, columns, rows, at)
        assert w <= max(at, 20) and (type(shown).__name__ == "Table") == (kind == "table"), at
        buf = io.StringIO()
        Console(width=w, file=buf, color_system=None).print(shown)
        assert max(len(line) for line in buf.getvalue().splitlines()) <= w
    buf = io.StringIO()
    Console(width=40, file=buf, color_system=None).print(records(columns, rows))
    got = [line.rstrip() for line in buf.getvalue().splitlines()]
    assert got[:3] == ["-- row 1 --", "id: fog-47", "name: Fog 47"] and got[3].startswith("quote: The compound")


def test_an_unreachable_database_is_one_line_at_once(tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"NEO4J_URI": f"bolt://127.0.0.1:{port}"}
    for args in (["query", "leaders", "-p", "group=x"], ["query", "--cypher", "RETURN 1"], ["unload", "x"]):
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 1, args
        assert r.output.startswith(f"error: cannot reach Neo4j at bolt://127.0.0.1:{port}"), r.output
        assert r.output.count("\n") == 1 and "retried" not in r.output, r.output


def test_a_run_loads_only_its_command_and_it_is_the_same_command():
    """`kg NAME ...` imports only NAME's module (kg.cli.main), yet offers what the whole CLI offers."""
    import os
    import subprocess
    import sys

    import kg.cli

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "COLUMNS": "120", "PYTHONPATH": root}
    probe = (
        "import sys; sys.argv = ['kg', 'viz', '--help']; import kg.cli\n"
        "try:\n    kg.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('kg.') and m.endswith('_cmd')))\n"
        "print('neo4j' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert shown.stdout.strip().splitlines()[-2:] == ["['kg.viz_cmd']", "False"], shown.stdout + shown.stderr
    for name in kg.cli.COMMANDS:
        lean = subprocess.run(
            [sys.executable, "-c", "import sys; sys.argv[0] = 'kg'; from kg.cli import main; main()", name, "--help"],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        whole = runner.invoke(app, [name, "--help"], env={"COLUMNS": "120"}, prog_name="kg")
        assert lean.returncode == 0 and whole.exit_code == 0, lean.stderr
        assert lean.stdout.split() == whole.output.split(), name  # the same words (wrapping follows the terminal)
