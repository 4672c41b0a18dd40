"""The local server's password: generated per installation, readable by its owner only, never a shared default.

These tests need no server: the file rules, how settings find the password, and the CLI's refusals.
The server side (generation at the first start, rotation on a running server) is in test_neo4j_server.py.
"""

import os
import stat

import pytest
from typer.testing import CliRunner

from graph.neo4j.credentials import PasswordFileError, ensure_password, new_password, read_password, write_password
from graph.neo4j.settings import SettingsError, get_settings
from kg.cli import app as kg_app
from tests.paths import ROOT

runner = CliRunner()


@pytest.fixture()
def no_password_env(monkeypatch, tmp_path):
    """Settings as on a fresh machine: no NEO4J_PASSWORD, the data folder in tmp_path."""
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("NEO4J_DATA_DIR", str(tmp_path))
    return tmp_path


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_passwords_are_long_random_and_distinct():
    drawn = {new_password() for _ in range(50)}
    assert len(drawn) == 50
    assert all(len(p) == 32 and p.isascii() and p.isprintable() for p in drawn)


def test_written_file_is_private_and_read_back(tmp_path):
    path = tmp_path / "password"
    password, created = ensure_password(path)
    assert created and mode(path) == 0o600
    assert read_password(path) == password
    assert ensure_password(path) == (password, False)  # kept, not redrawn
    write_password(path, "second-password")
    assert read_password(path) == "second-password" and mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["password"]  # no temporary file left


def test_write_never_widens_rights_even_with_a_loose_umask(tmp_path):
    old = os.umask(0)
    try:
        write_password(tmp_path / "password", "x" * 32)
    finally:
        os.umask(old)
    assert mode(tmp_path / "password") == 0o600


@pytest.mark.parametrize("rights", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_a_file_others_may_read_or_write_is_refused(tmp_path, rights):
    path = tmp_path / "password"
    write_password(path, "p" * 32)
    path.chmod(rights)
    with pytest.raises(PasswordFileError, match=rf"may be read by others \(mode {rights:04o}\): .*chmod 600"):
        read_password(path)


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "password"
    write_password(path, "")
    with pytest.raises(PasswordFileError, match="is empty"):
        read_password(path)


def test_settings_read_the_generated_password(no_password_env):
    assert get_settings().password is None  # nothing generated yet, and no default
    password, _ = ensure_password(no_password_env / "password")
    s = get_settings()
    assert s.password == password and s.password_source == "file"
    assert password not in repr(s)


def test_an_explicit_password_wins_over_the_file(no_password_env, monkeypatch):
    ensure_password(no_password_env / "password")
    monkeypatch.setenv("NEO4J_PASSWORD", "explicit-one")
    s = get_settings()
    assert s.password == "explicit-one" and s.password_source == "NEO4J_PASSWORD"


def test_an_empty_neo4j_password_means_not_given(no_password_env, monkeypatch):
    password, _ = ensure_password(no_password_env / "password")
    monkeypatch.setenv("NEO4J_PASSWORD", "")
    assert get_settings().password == password


def test_neo4j_password_file_setting(no_password_env, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("secrets") / "neo4j-password"
    write_password(elsewhere, "from-elsewhere")
    monkeypatch.setenv("NEO4J_PASSWORD_FILE", str(elsewhere))
    assert get_settings().password == "from-elsewhere"


def test_settings_refuse_a_password_file_others_may_read(no_password_env):
    write_password(no_password_env / "password", "p" * 32)
    (no_password_env / "password").chmod(0o644)
    with pytest.raises(SettingsError, match="may be read by others"):
        get_settings()


def test_cli_password_shows_it_on_stdout_alone(no_password_env):
    password, _ = ensure_password(no_password_env / "password")
    r = runner.invoke(kg_app, ["neo4j", "password"])
    assert r.exit_code == 0, r.output
    assert r.stdout == password + "\n"
    assert str(no_password_env / "password") in r.stderr


def test_cli_password_before_the_first_start(no_password_env):
    r = runner.invoke(kg_app, ["neo4j", "password"])
    assert r.exit_code == 1
    assert r.stderr.startswith("error: no password yet: the first `kg neo4j start` generates one")
    assert r.stderr.count("\n") == 1


def test_cli_refuses_a_password_file_others_may_read_with_exit_2(no_password_env):
    write_password(no_password_env / "password", "p" * 32)
    (no_password_env / "password").chmod(0o640)
    for args in (["neo4j", "password"], ["neo4j", "start"], ["neo4j", "status"], ["query", "--cypher", "RETURN 1"]):
        r = runner.invoke(kg_app, args)
        assert r.exit_code == 2, (args, r.output)
        assert "may be read by others (mode 0640)" in r.stderr and r.stderr.count("\n") == 1, (args, r.stderr)
        assert "Traceback" not in r.output


def test_rotating_an_explicit_password_is_refused(no_password_env, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "explicit-one")
    r = runner.invoke(kg_app, ["neo4j", "password", "--rotate"])
    assert r.exit_code == 1 and "NEO4J_PASSWORD is set" in r.stderr


def test_rotating_a_stopped_servers_password_rewrites_the_file(no_password_env):
    before, _ = ensure_password(no_password_env / "password")
    r = runner.invoke(kg_app, ["neo4j", "password", "--rotate"])
    assert r.exit_code == 0, r.output
    assert "takes it at its next start" in r.stderr
    after = read_password(no_password_env / "password")
    assert after != before and mode(no_password_env / "password") == 0o600


def test_no_shared_default_password_is_left():
    """The old shared default appears nowhere in the code, the docs or the compose file."""
    old = "actorgraph" + "-local"
    kept = ("graph", "kg", "loaders", "queries", "viz", "docs", "tests", "bench", "scripts", ".ci")
    files = [ROOT / "README.md", ROOT / "docker-compose.yml", ROOT / ".env.example", ROOT / "CONTRIBUTING.md"]
    for folder in kept:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in {".py", ".md", ".java", ".sh"}]
    found = [str(p.relative_to(ROOT)) for p in files if p.exists() and old in p.read_text(errors="replace")]
    assert found == []
