"""The command line through Typer's runner: exit codes 0 ok, 1 invalid data, 2 usage error."""

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
    bad.write_text("entities:\n  - id: a\n    type: Persn\n    name: A\n  - id: b\n    type: Person\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1
    lines = [l for l in r.stdout.splitlines() if l.startswith(str(bad)) or "bad.yaml" in l]
    assert any(l.endswith("bad.yaml:3: unknown entity type 'Persn' (did you mean 'Person'?)") for l in lines)
    assert any(l.endswith("bad.yaml:5: missing field 'name'") for l in lines)
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

    for path in walk(group, []):
        r = runner.invoke(app, path + ["--help"])
        assert r.exit_code == 0, path
        assert "Example" in r.output, f"kg {' '.join(path)} --help has no example"
