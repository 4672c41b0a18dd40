"""Which files a dataset is (loaders.discovery): nothing under a folder is skipped silently.

An unreadable file or folder, a FIFO, a dangling symbolic link or a symbolic link loop is a problem
of its own (``FILE:1: ...``), so the dataset is invalid and ``kg load`` never deletes from Neo4j the
facts of a folder it could not read. Binary and non-UTF-8 files are told with their line.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loaders import check_files, find_facts
from tests.paths import ROOT


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    # Problems name files relative to where the user stands: here, so that messages read as literals.
    monkeypatch.chdir(tmp_path)


SOURCES = (
    "sources:\n  - id: s1\n    title: T\n    publisher: P\n    published: 2021\n    reliability: B\n"
    "    document: doc.txt\n"
)
PEOPLE = "entities:\n  - id: luqa\n    type: Person\n    name: Luqa\n  - id: army\n    type: ArmedGroup\n    name: A\n"
LEADS = (
    "relations:\n  - type: LEADS\n    from: luqa\n    to: army\n    credibility: 2\n"
    "    evidence:\n      - source: s1\n        quote: Luqa leads\n"
)


def dataset(root: Path) -> Path:
    """A valid dataset: data/sources.yaml, data/people.yaml, data/sub/leads.yaml; docs/doc.txt."""
    data = root / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (data / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    (data / "sub" / "leads.yaml").write_text(LEADS, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "doc.txt").write_text("General Luqa leads the army.\n", encoding="utf-8")
    return data


def messages(paths, documents=None, **kw) -> list[str]:
    checked = check_files(paths, documents, **kw)
    return [str(p) for p in checked.problems]


# -- unreadable files and folders ------------------------------------------------------------------------

# As root (the tests run as root here), chmod 000 stops nothing: the capabilities CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH let root read any file and list any folder. So the command runs in a child process
# that first drops those two capabilities from its bounding set (prctl PR_CAPBSET_DROP, Linux): the
# Python it then starts is root without them, and file permissions bind it like any user. Run as another
# user, chmod alone is enough and nothing is dropped.
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_file_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def kg_bound_by_permissions(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``kg ARGS`` in a process that file permissions bind, whoever runs the tests."""
    root = os.geteuid() == 0
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_drop_file_capabilities if root else None,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NEO4J_URI": "bolt://127.0.0.1:9"},
    )


def test_permissions_bind_the_child_process(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("x", encoding="utf-8")
    secret.chmod(0)
    r = subprocess.run(
        [sys.executable, "-c", "open('secret.txt').read()"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=_drop_file_capabilities if os.geteuid() == 0 else None,
    )
    assert r.returncode == 1 and "PermissionError" in r.stderr


def test_an_unreadable_file_and_folder_are_problems_never_skipped(tmp_path):
    data = dataset(tmp_path)
    (data / "people.yaml").chmod(0)
    (data / "sub").chmod(0)
    (tmp_path / "docs" / "doc.txt").chmod(0)
    try:
        r = kg_bound_by_permissions("validate", "data", "--documents", "docs", cwd=tmp_path)
        load = kg_bound_by_permissions("load", "data", cwd=tmp_path)
    finally:
        (data / "people.yaml").chmod(0o644)
        (data / "sub").chmod(0o755)
        (tmp_path / "docs" / "doc.txt").chmod(0o644)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "data/people.yaml:1: cannot read: Permission denied",
        "data/sources.yaml:7: document 'doc.txt' cannot be read: Permission denied",
        "data/sub:1: cannot read: Permission denied",
    ]
    assert r.stderr == "3 problem(s) in 3 file(s)\n"
    # The folder's facts are not taken as deleted: the load stops before it connects.
    assert load.returncode == 1 and "Traceback" not in load.stderr
    assert load.stdout.splitlines() == [
        "data/people.yaml:1: cannot read: Permission denied",
        "data/sub:1: cannot read: Permission denied",
    ]
    assert "nothing was written to Neo4j" in load.stderr


def test_a_fifo_named_like_a_fact_file_is_a_problem_not_a_hang(tmp_path):
    data = dataset(tmp_path)
    os.mkfifo(data / "sub" / "pipe.yaml")
    os.mkfifo(tmp_path / "named.relations.jsonl")
    assert messages([data, tmp_path / "named.relations.jsonl"]) == [
        "data/sub/pipe.yaml:1: cannot read: it is a FIFO (named pipe), not a file",
        "named.relations.jsonl:1: cannot read: it is a FIFO (named pipe), not a file",
    ]


# -- names and links ----------------------------------------------------------------------------------------


def test_extensions_are_matched_in_any_case(tmp_path):
    data = dataset(tmp_path)
    (data / "sub" / "leads.yaml").rename(data / "sub" / "relations.YAML")
    (data / "x.Entities.JSONL").write_text('{"id": "town", "type": "Place", "name": "Town"}\n', encoding="utf-8")
    (data / ".hidden.yaml").write_text("not: [facts", encoding="utf-8")  # an editor's file: not read
    (data / "notes.TXT").write_text("not facts", encoding="utf-8")
    found = find_facts([data])
    assert [p.name for p in found.files] == ["people.yaml", "sources.yaml", "relations.YAML", "x.Entities.JSONL"]
    checked = check_files([data])
    assert checked.problems == [] and len(checked.facts.entities) == 3 and len(checked.facts.edges) == 1


def test_dangling_links_and_loops_are_problems(tmp_path):
    data = dataset(tmp_path)
    (data / "gone.yaml").symlink_to("missing.yaml")
    (data / "gone-folder").symlink_to(tmp_path / "nowhere")
    (data / "self.yaml").symlink_to("self.yaml")
    (data / "sub" / "up").symlink_to(data)
    assert messages([data]) == [
        f"data/gone-folder:1: a symbolic link to {str(tmp_path / 'nowhere')!r}, which does not exist",
        "data/gone.yaml:1: a symbolic link to 'missing.yaml', which does not exist",
        "data/self.yaml:1: a symbolic link loop: following it never ends",
        "data/sub/up:1: a symbolic link loop: it leads back to data",
    ]


def test_linked_folders_are_followed_and_a_file_reached_twice_is_read_once(tmp_path):
    data = dataset(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "towns.yaml").write_text("entities:\n  - id: town\n    type: Place\n    name: Town\n", encoding="utf-8")
    (data / "linked").symlink_to(shared)
    (data / "again").symlink_to(shared)
    (data / "people-again.yaml").symlink_to(data / "people.yaml")
    checked = check_files([data, data / "people.yaml"])
    assert checked.problems == [], checked.problems
    assert sorted(checked.facts.entities) == ["army", "luqa", "town"]


# -- binary and other encodings -----------------------------------------------------------------------------


def test_binary_and_non_utf8_files_are_told_with_their_line(tmp_path):
    files = {
        "png.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "utf16.yaml": "entities: []\n".encode("utf-16"),
        "latin1.yaml": "entities:\n  - id: a\n    type: Person\n    name: Jos\xe9\n".encode("latin-1"),
        "rows.entities.jsonl": b'{"id": "a", "type": "Person", "name": "A"}\n'
        b'{"id": "b", "type": "Person", "name": "Jos\xe9"}\n'
        b'{"id": "c", "type": "Person", "name": "C"}\n',
        "bin.relations.jsonl": b'{"type": "LEADS"}\n\x00\x01\x02\n\x00\n\x00\n',
        # Past the first bytes, which are looked at before reading: the reader finds it, and stops there.
        "late.entities.jsonl": b"".join(b'{"id": "p%d", "type": "Person", "name": "P"}\n' % i for i in range(200))
        + b"\x00\x01\n\x00\n",
        "latin1.entities.csv": b"id,type,name\nx,Person,X\ny,Person,Jos\xe9\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    found = set(messages([Path(".")]))
    assert found == {
        "bin.relations.jsonl:2: binary data, not text: a NUL byte at byte 19",  # one problem, not one a "line"
        "late.entities.jsonl:201: binary data, not text: a NUL byte at byte 1 of the line",
        "latin1.entities.csv:3: not UTF-8 text: the byte 0xE9 in column 'name'",
        "latin1.yaml:4: not UTF-8 text: invalid continuation byte at byte 51",
        "png.yaml:3: binary data, not text: a NUL byte at byte 9",
        "rows.entities.jsonl:2: not UTF-8 text: invalid continuation byte at byte 43 of the line",
        "utf16.yaml:1: not UTF-8 text: the file is UTF-16; save it as UTF-8",
    }


def test_a_byte_order_mark_is_accepted(tmp_path):
    bom = b"\xef\xbb\xbf"
    (tmp_path / "s.yaml").write_bytes(bom + SOURCES.replace("    document: doc.txt\n", "").encode())
    (tmp_path / "p.entities.csv").write_bytes(bom + b"id,type,name\nluqa,Person,Luqa\n")
    (tmp_path / "a.entities.jsonl").write_bytes(bom + b'{"id": "army", "type": "ArmedGroup", "name": "A"}\n')
    (tmp_path / "r.relations.csv").write_bytes(
        bom + b"type,from,to,credibility,source,quote\nLEADS,luqa,army,2,s1,Luqa leads\n"
    )
    checked = check_files([tmp_path])
    assert checked.problems == [] and len(checked.facts.entities) == 2 and len(checked.facts.edges) == 1


# -- documents stay inside --documents -------------------------------------------------------------------------


def test_documents_are_read_only_inside_their_folder(tmp_path):
    data = dataset(tmp_path)
    docs = tmp_path / "docs"
    outside = tmp_path / "outside.txt"
    outside.write_text("General Luqa leads the army.\n", encoding="utf-8")
    (docs / "link.txt").symlink_to(outside)
    os.mkfifo(docs / "pipe.txt")
    (docs / "folder.txt").mkdir()
    names = ["../../../etc/passwd", "/etc/passwd", "link.txt", "../outside.txt", ".", "pipe.txt", "folder.txt"]
    lines = "".join(
        f"  - id: s{i}\n    title: T\n    publisher: P\n    published: 2021\n    reliability: B\n"
        f"    document: {name!r}\n"
        for i, name in enumerate(names, start=2)
    )
    (data / "more.yaml").write_text("sources:\n" + lines, encoding="utf-8")
    found = messages([Path("data")], Path("docs"))
    where = "data/more.yaml"
    inside = "document must be a file name inside --documents (docs)"
    assert found == [
        f"{where}:7: {inside}, got '../../../etc/passwd'",
        f"{where}:13: {inside}, got '/etc/passwd'",
        f"{where}:19: {inside}, got 'link.txt'",
        f"{where}:25: {inside}, got '../outside.txt'",
        f"{where}:31: {inside}, got '.'",
        f"{where}:37: document 'pipe.txt' cannot be read: it is a FIFO (named pipe), not a file",
        f"{where}:43: document 'folder.txt' cannot be read: it is a folder, not a file",
    ]


def test_a_document_that_is_not_utf8(tmp_path):
    data = dataset(tmp_path)
    (tmp_path / "docs" / "doc.txt").write_bytes(b"General Luqa\nleads Jos\xe9.\n")
    assert messages([data], tmp_path / "docs") == [
        "data/sources.yaml:7: document 'doc.txt' is not UTF-8 text: invalid continuation byte at byte 23 (line 2)"
    ]
