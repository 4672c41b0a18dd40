"""Every kind of problem is reported with its file and line, all in one run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graph.schema import REGISTRY
from loaders import ValidationFailed, check_files, load_facts

HEADER = """\
sources:
  - id: s1
    title: A report
    publisher: A publisher
    published: 2021-12
    reliability: B
    document: doc.txt
entities:
  - id: luqa
    type: Person
    name: Husam Luqa
  - id: army
    type: ArmedGroup
    name: The Army
  - id: town
    type: Place
    name: Town
"""  # 17 lines: the first line of a test's own text is line 18


def problems(tmp_path: Path, text: str = "", files: dict[str, str] | None = None, documents: bool = False):
    files = dict(files or {})
    if text:
        files["facts.yaml"] = HEADER + textwrap.dedent(text)
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "doc.txt").write_text("Major General Husam Luqa leads “The Army” in Town.\n", encoding="utf-8")
    try:
        load_facts([tmp_path / n for n in files], documents=docs if documents else None)
    except ValidationFailed as e:
        return [(Path(p.file).name, p.line, p.message) for p in e.problems]
    return []


def rel(extra: str = "", *, type="LEADS", frm="luqa", to="army", cred="2", ev=None) -> str:
    ev = ev if ev is not None else '\n      - source: s1\n        quote: "Husam Luqa leads"'
    return f"""\
relations:
  - type: {type}
    from: {frm}
    to: {to}
    credibility: {cred}{extra}
    evidence:{ev}
"""


def test_valid_file_has_no_problem(tmp_path):
    assert problems(tmp_path, rel(), documents=True) == []


def test_yaml_syntax_error(tmp_path):
    [(f, line, msg)] = problems(tmp_path, "relations:\n  - type: LEADS\n    from: [luqa\n")
    assert f == "facts.yaml" and line == 21 and "YAML syntax error" in msg


def test_unknown_field_suggests_closest(tmp_path):
    text = HEADER.replace("    name: Husam Luqa\n", "    name: Husam Luqa\n    rnak: General\n")
    assert problems(tmp_path, files={"f.yaml": text}) == [
        ("f.yaml", 12, "unknown field 'rnak' of a Person (did you mean 'rank'?)")
    ]


def test_missing_field(tmp_path):
    text = HEADER.replace("    name: The Army\n", "")
    assert problems(tmp_path, files={"f.yaml": text}) == [("f.yaml", 12, "missing field 'name'")]


def test_unknown_types_suggest_closest(tmp_path):
    text = HEADER.replace("type: ArmedGroup", "type: ArmedGrup")
    found = problems(tmp_path, rel(type="LAEDS"), files={"f.yaml": text.replace("id: s1", "id: s9")})
    assert ("facts.yaml", 19, "unknown relation type 'LAEDS' (did you mean 'LEADS'?)") in found


def test_unknown_entity_type(tmp_path):
    text = HEADER.replace("type: ArmedGroup", "type: armedgroup")
    assert problems(tmp_path, files={"f.yaml": text}) == [
        ("f.yaml", 13, "unknown entity type 'armedgroup' (did you mean 'ArmedGroup'?)")
    ]


def test_duplicate_ids_across_files(tmp_path):
    other = "entities:\n  - id: army\n    type: ArmedGroup\n    name: Another army\n"
    [(f, line, msg)] = problems(tmp_path, files={"a.yaml": HEADER, "b.yaml": other})
    assert (f, line) == ("b.yaml", 2)
    assert msg.startswith("duplicate entity id 'army' (first defined at ") and msg.endswith("a.yaml:12)")


def test_dangling_reference_suggests_closest(tmp_path):
    assert problems(tmp_path, rel(to="armyy")) == [
        ("facts.yaml", 21, "to: unknown entity 'armyy' (did you mean 'army'?)")
    ]


def test_endpoint_type_not_allowed(tmp_path):
    assert problems(tmp_path, rel(frm="town")) == [
        ("facts.yaml", 20, "LEADS cannot start at 'town', a Place (allowed: Person)")
    ]


def test_malformed_date(tmp_path):
    assert problems(tmp_path, rel("\n    valid_from: 2021-13-01")) == [
        ("facts.yaml", 23, "valid_from: '2021-13-01' has month 13, not 1-12")
    ]
    assert problems(tmp_path, rel("\n    valid_from: 21/12/2021"))[0][1:] == (
        23,
        "valid_from: '21/12/2021' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
    )


def test_valid_to_before_valid_from(tmp_path):
    [(_, line, msg)] = problems(tmp_path, rel("\n    valid_from: 2022-01\n    valid_to: 2021"))
    assert line == 19 and msg == "valid_to 2021 is before valid_from 2022-01"


def test_grades_out_of_range(tmp_path):
    assert problems(tmp_path, rel(cred="7")) == [
        ("facts.yaml", 22, "credibility must be 1-6 (Admiralty information grading), got '7'")
    ]
    text = HEADER.replace("reliability: B", "reliability: G")
    assert problems(tmp_path, files={"f.yaml": text}) == [
        ("f.yaml", 6, "reliability must be one of A-F (Admiralty source grading), got 'G'")
    ]


def test_evidence_cites_unknown_source(tmp_path):
    ev = '\n      - source: s11\n        quote: "Husam Luqa leads"'
    assert problems(tmp_path, rel(ev=ev)) == [
        ("facts.yaml", 24, "evidence cites unknown source 's11' (did you mean 's1'?)")
    ]


def test_empty_evidence(tmp_path):
    assert problems(tmp_path, rel(ev=" []")) == [
        ("facts.yaml", 23, "evidence is empty: a relation needs at least one {source, quote}")
    ]


def test_quote_checked_against_document(tmp_path):
    # Whitespace and quote-mark style are ignored; other differences are not.
    ok = '\n      - source: s1\n        quote: "Husam   Luqa leads \\"The Army\\""'
    assert problems(tmp_path, rel(ev=ok), documents=True) == []
    bad = '\n      - source: s1\n        quote: "Husam Luqa commands"'
    assert problems(tmp_path, rel(ev=bad), documents=True) == [
        ("facts.yaml", 25, "quote not found in doc.txt: 'Husam Luqa commands'")
    ]


def test_missing_document(tmp_path):
    text = HEADER.replace("document: doc.txt", "document: dco.txt")
    assert problems(tmp_path, files={"f.yaml": text}, documents=True) == [
        ("f.yaml", 7, f"document 'dco.txt' not found in {tmp_path / 'docs'} (did you mean 'doc.txt'?)")
    ]


def test_quote_too_long(tmp_path):
    long = " ".join(["word"] * 26)
    [(_, line, msg)] = problems(tmp_path, rel(ev=f"\n      - source: s1\n        quote: {long}"))
    assert line == 25 and "26 words" in msg


def test_conflicting_attributes_of_one_edge(tmp_path):
    two = rel("\n    title: head") + rel("\n    title: deputy").removeprefix("relations:\n")
    [(_, line, msg)] = problems(tmp_path, two)
    assert line == 27 and "title is 'deputy' here but 'head' where first stated" in msg


def test_duplicate_key_and_unknown_section(tmp_path):
    text = HEADER.replace("    name: Town\n", "    name: Town\n    name: City\n") + "relation:\n  - {}\n"
    assert problems(tmp_path, files={"f.yaml": text}) == [
        ("f.yaml", 18, "field 'name' appears twice"),
        ("f.yaml", 19, "unknown section 'relation' (did you mean 'relations'?)"),
    ]


def test_csv_and_jsonl(tmp_path):
    files = {
        "base.yaml": HEADER,
        "x.entities.csv": "id,type,name,aliases,rnak\nabu,Person,Abu,A|B,\nbad,Persn,Bad,,\n",
        "x.relations.jsonl": '{"type":"LEADS","from":"abu","to":"army","credibility":2,'
        '"evidence":[{"source":"s1","quote":"q"}]}\n'
        '{"type": "LEADS", "from": \n'
        "\n"
        '{"type":"LEADS","from":"luqa","to":"army","credibility":9,"evidence":[{"source":"s1","quote":"q"}]}\n',
        "y.relations.csv": 'type,from,to,credibility,source,quote\nLEADS,luqa,army,2,s1,"unterminated\n',
    }
    found = problems(tmp_path, files=files)
    assert ("x.entities.csv", 1, "unknown column 'rnak' (did you mean 'rank'?)") in found
    assert ("x.entities.csv", 3, "unknown entity type 'Persn' (did you mean 'Person'?)") in found
    assert any(f == "x.relations.jsonl" and line == 2 and m.startswith("JSON syntax error") for f, line, m in found)
    assert ("x.relations.jsonl", 4, "credibility must be 1-6 (Admiralty information grading), got 9") in found
    assert any(f == "y.relations.csv" and line == 2 and "CSV syntax error" in m for f, line, m in found)


def test_table_file_must_say_what_it_holds(tmp_path):
    assert problems(tmp_path, files={"people.csv": "id,type,name\n"}) == [
        ("people.csv", 1, "cannot tell what this file holds: name it *.sources.csv, *.entities.csv or *.relations.csv")
    ]


GARBAGE = [
    "- just\n- a list\n",
    "entities: 5\n",
    "entities:\n  - 5\n  - [a, b]\n",
    "relations:\n  - type: [LEADS]\n    from: {a: 1}\n    evidence: [1, [2]]\n",
    "entities:\n  - id: x\n    type: Person\n    name: X\n    aliases: notalist\n    lat: north\n",
    "\x00\x01\x02",
    "sources: &a\n  - *a\n",
    "{{{{",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_gives_problems_not_tracebacks(tmp_path, text):
    found = problems(tmp_path, files={"g.yaml": text})
    assert found and all(f == "g.yaml" and line >= 1 for f, line, _ in found)


def test_binary_jsonl_and_csv(tmp_path):
    files = {"b.relations.jsonl": b"\xff\xfe\x00garbage\n", "c.entities.csv": b"id,type,name\n\xff\xfe,\x00\n"}
    for n, b in files.items():
        (tmp_path / n).write_bytes(b)
    with pytest.raises(ValidationFailed) as e:
        load_facts([tmp_path / n for n in files])
    assert {Path(p.file).name for p in e.value.problems} == set(files)


# Pydantic's own wording, which must never reach a user.
PYDANTIC = (
    "Input should",
    "Value error",
    "String should",
    "Field required",
    "Extra inputs",
    "List should",
    "validation error",
    "Input tag",
    "type=",
    "For further information",
    "Assertion failed",
)

BAD_RECORDS = {
    "y.yaml": """\
sources:
  - {id: "Not An Id", title: "", publisher: [a], published: 2021-13, reliability: Z, url: {a: 1}}
  - {id: s2, title: T, publisher: P, published: soon, reliability: [A]}
entities:
  - {id: a, type: Person, name: A, aliases: notalist, lat: north, lon: 500}
  - {id: b, type: Person, name: [B], rank: {x: 1}}
  - {id: c, type: [Person], name: C}
  - {id: d, name: D}
  - {id: e, type: Place, name: E, lat: 1}
  - {id: f, type: Campaign, name: F, start: 2021-02-30}
relations:
  - {type: LEADS, from: a, to: b, credibility: x, evidence: q}
  - {type: LEADS, from: a, to: b, credibility: 2.5, evidence: [1, {source: s2, quote: ""}, {source: s2}]}
  - {type: LEADS, from: a, to: b, credibility: 0, evidence: [{source: s2, quote: q, x: 1, credibility: 9}]}
  - {type: LEADS, from: a, to: b, credibility: 2, valid_from: 2022, valid_to: 2021, evidence: [{source: s2, quote: q}]}
""",
    "j.relations.jsonl": '{"type":"LEADS","from":1,"to":"b","credibility":true,'
    '"evidence":[{"source":"s2","quote":5}]}\n'
    '{"type":"LEADS","from":"a","to":"b","credibility":2,"evidence":[],"valid_from":[2021]}\n'
    "[1, 2]\n"
    '{"from": "a"}\n'
    '{"type":"LEADS","from":"a","to":"b","credibility":1e400,"evidence":{"source":"s2"}}\n',
    "c.entities.csv": "id,type,name,lat,lon\nx,Place,X,95,nan\ny,Place,Y,1e999,2\n",
}


def test_every_message_is_in_our_words(tmp_path):
    found = problems(tmp_path, files=BAD_RECORDS)
    assert len(found) >= 30
    for f, line, msg in found:
        assert not any(p in msg for p in PYDANTIC), (f, line, msg)
        assert line >= 1
    messages = {m for _, _, m in found}
    assert "title must not be empty" in messages
    assert "publisher must be text (got a list)" in messages
    assert "reliability must be one of A-F (Admiralty source grading), got 'Z'" in messages
    assert "aliases must be a list, such as [a, b] (got 'notalist')" in messages
    assert "lat must be a number (got 'north')" in messages
    assert "lon must be at most 180 (got '500')" in messages
    assert (
        "type must be the name of one entity type (one of: " + ", ".join(REGISTRY.entities) + ") (got a list)"
        in messages
    )
    assert any(m.startswith("missing field 'type' (one of: Person") for m in messages)
    assert "give both lat and lon, or neither" in messages
    assert "credibility must be 1-6 (Admiralty information grading), got 'x'" in messages
    assert "credibility must be 1-6 (Admiralty information grading), got '2.5'" in messages
    assert "evidence.0 must be a mapping of fields (got '1') such as {source: ..., quote: ...}" in messages
    assert "lat must be at most 90 (got '95')" in messages
    assert "credibility must be 1-6 (Admiralty information grading), got inf" in messages
    assert "evidence.1.quote must not be empty" in messages
    assert "evidence.0.credibility must be 1-6 (Admiralty information grading), got '9'" in messages
    assert "evidence must be a list, such as [a, b] (got 'q')" in messages
    assert "from must be text (got 1)" in messages
    assert "each relation must be a mapping of fields (got a list)" in messages


def test_grade_messages_follow_the_registry():
    from loaders.validate import explain

    err = {"type": "less_than_equal", "input": 8, "ctx": {"le": 6}}
    cred = REGISTRY.credibility
    assert (
        explain(err, ("credibility",), "relation", None, {})
        == f"credibility must be {cred.best}-{cred.worst} ({cred.title}), got 8"
    )


# --------------------------------------------------------------------------- time and attribution


def checked(
    tmp_path: Path, text: str = "", *, files: dict[str, str] | None = None, doc: str | None = None, strict: bool = False
):
    """(errors, warnings) as (file, line, message), with ``doc`` as the text of doc.txt (and --documents)."""
    files = dict(files or {})
    if text:
        files["facts.yaml"] = HEADER + textwrap.dedent(text)
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "doc.txt").write_text(doc or "", encoding="utf-8")
    found = check_files([tmp_path / n for n in files], docs if doc is not None else None, strict=strict)
    as_tuples = lambda ps: [(Path(p.file).name, p.line, p.message) for p in ps]  # noqa: E731
    return as_tuples(found.problems), as_tuples(found.warnings)


def evidence(quote: str = "Husam Luqa leads", **fields) -> str:
    return f'\n      - source: s1\n        quote: "{quote}"' + "".join(f"\n        {k}: {v}" for k, v in fields.items())


def test_according_to_an_id_must_name_an_entity(tmp_path):
    # Line 26 is the according_to of the first piece of evidence.
    assert problems(tmp_path, rel(ev=evidence(according_to="luqaa"))) == [
        (
            "facts.yaml",
            26,
            "according_to: unknown entity 'luqaa' (did you mean 'luqa'?); to describe an anonymous "
            "originator, write it in words",
        )
    ]
    assert problems(tmp_path, rel(ev=evidence(according_to="army"))) == []
    assert problems(tmp_path, rel(ev=evidence(according_to="'a source close to the army'"), cred="3")) == []


def test_via_must_name_an_entity(tmp_path):
    assert problems(tmp_path, rel(ev=evidence(via="armyy"))) == [
        ("facts.yaml", 26, "via: unknown entity 'armyy' (did you mean 'army'?)")
    ]
    assert problems(tmp_path, rel(ev=evidence(via="town"))) == []


def test_observed_after_the_source_came_out(tmp_path):
    assert problems(tmp_path, rel(ev=evidence(observed="2022"))) == [
        ("facts.yaml", 26, "observed 2022 is after the source's publication 2021-12")
    ]
    assert problems(tmp_path, rel(ev=evidence(observed="2021-12-31"))) == []
    undated = HEADER.replace("published: 2021-12", "retrieved: 2021-06")
    text = undated + rel(ev=evidence(observed="2021-07"))
    assert problems(tmp_path, files={"f.yaml": text}) == [
        ("f.yaml", 26, "observed 2021-07 is after the source was retrieved 2021-06 (its publication date is unknown)")
    ]


def test_references_of_a_rejected_relation_are_checked_too(tmp_path):
    found = problems(tmp_path, rel(cred="9", ev=evidence(according_to="luqaa", via="armyy")))
    assert (
        "facts.yaml",
        26,
        "according_to: unknown entity 'luqaa' (did you mean 'luqa'?); to describe an "
        "anonymous originator, write it in words",
    ) in found
    assert ("facts.yaml", 27, "via: unknown entity 'armyy' (did you mean 'army'?)") in found


ENTITY_EVIDENCE = """\
entities:
  - id: sohr
    type: Organization
    name: SOHR
    evidence:
      - source: s1
        quote: "Husam Luqa commands"
        according_to: monitor
        via: nobody
        observed: 2023
      - source: s9
        quote: "Husam Luqa leads"
  - id: monitor
    type: Person
    name: A monitor
    evidence:
      - source: s1
        quote: "Husam Luqa leads"
        credibility: 2
        according_to: a local source
"""


def test_entity_evidence_is_checked_like_relation_evidence(tmp_path):
    # `monitor` is named before it is defined: entity evidence is checked once every entity is known.
    errors, warnings = checked(
        tmp_path, files={"a.yaml": HEADER, "e.yaml": ENTITY_EVIDENCE}, doc="Major General Husam Luqa leads the army.\n"
    )
    assert errors == [
        ("e.yaml", 7, "quote not found in doc.txt: 'Husam Luqa commands'"),
        ("e.yaml", 9, "via: unknown entity 'nobody'"),
        ("e.yaml", 10, "observed 2023 is after the source's publication 2021-12"),
        ("e.yaml", 11, "evidence cites unknown source 's9'"),
    ]
    assert warnings == [
        (
            "e.yaml",
            19,
            "credibility 2 is stronger than the policy allows: an anonymous originator (nobody can check "
            "an anonymous claim) caps it at 3 (possibly true)",
        )
    ]


def test_csv_rows_carry_when_and_who(tmp_path):
    table = (
        "type,from,to,credibility,source,quote,observed,according_to,via\n"
        "LEADS,luqa,army,3,s1,Husam Luqa leads,2021-11,a local source,town\n"
        "LEADS,luqa,army,2,s1,Luqa leads,2022,luqaa,armyy\n"
    )
    errors, warnings = checked(tmp_path, files={"a.yaml": HEADER, "r.relations.csv": table})
    assert errors == [
        (
            "r.relations.csv",
            3,
            "according_to: unknown entity 'luqaa' (did you mean 'luqa'?); to describe an "
            "anonymous originator, write it in words",
        ),
        ("r.relations.csv", 3, "observed 2022 is after the source's publication 2021-12"),
        ("r.relations.csv", 3, "via: unknown entity 'armyy' (did you mean 'army'?)"),
    ]
    assert warnings == []
    good = table.splitlines()[:2]
    (tmp_path / "r.relations.csv").write_text("\n".join(good) + "\n", encoding="utf-8")
    [edge] = load_facts([tmp_path / "a.yaml", tmp_path / "r.relations.csv"]).edges.values()
    assert edge.evidence[0].as_dict() == {
        "source": "s1",
        "quote": "Husam Luqa leads",
        "credibility": 3,
        "observed": "2021-11",
        "observed_stated": True,
        "according_to": "a local source",
        "via": "town",
    }


# --------------------------------------------------------------------------- the grading policy: warnings


def test_a_hedged_quote_graded_too_strongly_is_a_warning_at_its_grade(tmp_path):
    errors, warnings = checked(tmp_path, rel(ev=evidence("Husam Luqa apparently leads")))
    assert errors == [] and warnings == [
        (
            "facts.yaml",
            22,
            "credibility 2 is stronger than the policy allows: 'apparently' (the report itself "
            "doubts it) caps it at 4 (doubtful)",
        )
    ]
    # The piece's own grade, on its own line (28), is the one checked.
    errors, warnings = checked(tmp_path, rel(ev=evidence() + evidence("It is highly likely he leads", credibility=1)))
    assert warnings == [
        (
            "facts.yaml",
            28,
            "credibility 1 is stronger than the policy allows: 'It is highly likely' (the report "
            "assesses or hedges rather than states) caps it at 3 (possibly true)",
        )
    ]
    assert checked(tmp_path, rel(ev=evidence("Husam Luqa apparently leads"), cred="4")) == ([], [])


def test_words_trimmed_off_a_quote_are_read_in_its_sentence(tmp_path):
    doc = (
        "Husam Luqa was seen in Town. Apparently, Major General Husam Luqa leads “The Army”, "
        "and it seems he stays.\nHusam Luqa commands the guard, reportedly.\n"
    )
    errors, warnings = checked(tmp_path, rel(ev=evidence()), doc=doc)
    assert errors == [] and warnings == [
        (
            "facts.yaml",
            22,
            "credibility 2 is stronger than the policy allows: 'Apparently' (the report itself "
            "doubts it) caps it at 4 (doubtful); the words are in the quote's sentence in doc.txt",
        )
    ]
    # What follows the quote's clause ("and it seems") is another statement; its own clause is read.
    assert checked(tmp_path, rel(ev=evidence("Husam Luqa was seen in Town")), doc=doc) == ([], [])
    errors, warnings = checked(tmp_path, rel(ev=evidence("Husam Luqa commands the guard")), doc=doc)
    assert [w[2] for w in warnings] == [
        "credibility 2 is stronger than the policy allows: 'reportedly' (the report assesses or hedges rather "
        "than states) caps it at 3 (possibly true); the words are in the quote's sentence in doc.txt"
    ]


def test_warnings_block_nothing_unless_strict(tmp_path):
    text = rel(ev=evidence("Husam Luqa apparently leads"))
    errors, warnings = checked(tmp_path, text)
    assert errors == [] and len(warnings) == 1
    assert len(load_facts([tmp_path / "facts.yaml"]).edges) == 1
    errors, warnings = checked(tmp_path, text, strict=True)
    assert warnings == [] and errors == [
        (
            "facts.yaml",
            22,
            "credibility 2 is stronger than the policy allows: 'apparently' (the report itself "
            "doubts it) caps it at 4 (doubtful)",
        )
    ]
    with pytest.raises(ValidationFailed):
        load_facts([tmp_path / "facts.yaml"], strict=True)


def test_a_warning_reads_as_one(tmp_path):
    (tmp_path / "facts.yaml").write_text(HEADER + rel(ev=evidence("Husam Luqa apparently leads")), encoding="utf-8")
    [w] = check_files([tmp_path / "facts.yaml"]).warnings
    assert w.is_warning and str(w).startswith(f"{w.file}:22: warning: credibility 2 is stronger than")
    assert str(w.as_error()) == f"{w.file}:22: " + w.message


def test_every_phrase_of_the_policy_is_found_in_any_case(tmp_path):
    # Validation passes over quotes that cannot break a rule without asking the policy: never one that does.
    from graph.hedging import POLICY

    phrases = [(rule, phrase) for rule in POLICY for phrase in rule.phrases]
    text = "relations:\n" + "".join(
        rel(frm="luqa", to="army", cred="1", ev=evidence(f"So, {phrase.upper()}, Husam Luqa leads")).removeprefix(
            "relations:\n"
        )
        for _, phrase in phrases
    )
    errors, warnings = checked(tmp_path, text)
    assert errors == [] and len(warnings) == len(phrases)
    for (rule, phrase), (_, _, message) in zip(phrases, warnings, strict=True):
        assert f"{phrase.upper()!r} ({rule.why}) caps it at {rule.cap}" in message, (phrase, message)
