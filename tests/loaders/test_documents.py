"""Source documents (loaders.documents): quotes found in them, and the sentence a quote was cut from."""

from __future__ import annotations

from loaders.documents import Document, normalize_text, read_document

# As the seed reports are: one paragraph a line, headings on lines of their own.
REPORT = """Iranian Militias Redeploy in Al-Bukamal
By a correspondent

Apparently, the new organization is deeply troubling the commanders, Haji Askar and  Abu Isa. It is not clear \
who is behind it. The group “Fog 47” holds the hospital, and may have left. Fighters moved to the base, sources said.
"""


def test_quotes_are_found_whatever_their_spacing_and_quote_marks():
    doc = Document.of("r.txt", REPORT)
    assert doc.text == normalize_text(REPORT) and len(doc.lined) == len(doc.text)
    assert doc.sentence_of('The group "Fog 47"  holds') == 'The group "Fog 47" holds the hospital'
    assert doc.sentence_of("Haji Askar and Abu Isa") == (
        "Apparently, the new organization is deeply troubling the commanders, Haji Askar and Abu Isa"
    )
    assert doc.sentence_of("Haji Askar leads") is None


def test_a_sentence_begins_after_a_full_stop_or_a_line_break():
    doc = Document.of("r.txt", REPORT)
    assert doc.sentence_of("who is behind it") == "It is not clear who is behind it"
    assert doc.sentence_of("By a correspondent") == "By a correspondent"  # a heading: not joined to the next
    assert doc.sentence_of("the commanders") == "Apparently, the new organization is deeply troubling the commanders"


def test_what_follows_the_quote_is_read_to_its_clause_or_a_short_closing_tag():
    doc = Document.of("r.txt", REPORT)
    # "and may have left" is another clause: not what the quote says.
    assert doc.sentence_of("holds the hospital") == 'The group "Fog 47" holds the hospital'
    assert doc.sentence_of("Fighters moved") == "Fighters moved to the base, sources said"


def test_documents_outside_their_folder_are_never_read(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "r.txt").write_text(REPORT, encoding="utf-8")
    assert isinstance(read_document(docs, "r.txt"), Document)
    assert read_document(docs, "missing.txt") == ""
    inside = f"document must be a file name inside --documents ({docs})"
    assert read_document(docs, "../docs/r.txt").name == "../docs/r.txt"  # resolves inside: allowed
    for name in ("../r.txt", "/etc/hostname", "a\x00b", "", "."):
        assert read_document(docs, name) == f"{inside}, got {name!r}"
