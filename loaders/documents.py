"""Source documents (``--documents DIR``): read only inside their folder, and quotes found in them.

A quote is found in its document with whitespace and quote-mark style ignored
(:func:`normalize_text`). Where it is found, the sentence around it is what the
grading policy also reads: a curator may trim "Apparently," off a quote, and the
report still doubts what it says.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .discovery import kind_of

# A report is a few kB; a file far larger than any report is not read into memory.
MAX_DOCUMENT_BYTES = 64 * 2**20

_QUOTES = re.compile(r"[\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb\u2039\u203a]")
_SPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")
# Where a sentence ends, in normalized text: . ! ? (perhaps closed by a quote mark or bracket) before a
# space, or a line break: reports as read from the web hold a paragraph a line, and their headings, list
# items and datelines end without a full stop. (In a report wrapped at a fixed width, a sentence is then
# read from the line the quote begins on.)
_SENTENCE_END = re.compile(r"[.!?][\")\]]*(?=\s|$)|\n")
# Where the clause after a quote ends: the words up to here are read with the quote. What follows is
# another statement ("..., and it seems he stays"), unless it is a short closing tag ("..., reportedly.").
_CLAUSE_END = re.compile(r"[,;:.!?\n]")
_TAG_WORDS = 4
# How far around a quote its sentence is looked for.
_REACH = 2000


def normalize_text(text: str) -> str:
    """Text as quotes are compared: whitespace and quote-mark style ignored.

    >>> normalize_text("led by  “The Army”\\n in town ")
    'led by "The Army" in town'
    """
    return _SPACE.sub(" ", _QUOTES.sub('"', text)).strip()


def _normalize_keeping_lines(text: str) -> str:
    # As normalize_text, but a run of whitespace holding a line break becomes one "\n": the same length,
    # so a position in one is the same position in the other.
    return _SPACE.sub(lambda m: "\n" if _LINE_BREAK.search(m.group()) else " ", _QUOTES.sub('"', text)).strip()


@dataclass(frozen=True)
class Document:
    """A document's normalized text, with its line breaks kept apart to tell where sentences end."""

    name: str
    lined: str  # normalized, each whitespace run one character: "\n" where it held a line break, else " "
    text: str  # normalized as quotes are compared: `lined` with its line breaks as spaces

    @classmethod
    def of(cls, name: str, text: str) -> Document:
        lined = _normalize_keeping_lines(text)
        return cls(name, lined, lined.replace("\n", " "))

    def sentence_of(self, quote: str) -> str | None:
        """The quote in its sentence: from where the sentence begins, through the quote, to the end of
        its clause (the next , ; : or the sentence's end), or to the sentence's end when only a short
        closing clause is left. None when the quote is not in the document.

        >>> doc = Document.of(
        ...     "d.txt",
        ...     "Intro.\\nThe hospital was empty. Apparently, the group moved its base, "
        ...     "and it seems it left. The group moved again, reportedly.",
        ... )
        >>> doc.sentence_of("the group moved")
        'Apparently, the group moved its base'
        >>> doc.sentence_of("The group moved again")
        'The group moved again, reportedly'
        >>> doc.sentence_of("Intro"), doc.sentence_of("absent")
        ('Intro', None)
        """
        needle = normalize_text(quote)
        start = self.text.find(needle) if needle else -1
        if start < 0:
            return None
        end = start + len(needle)
        begin = max(0, start - _REACH)
        ends = [m.end() for m in _SENTENCE_END.finditer(self.lined, begin, start)]
        begin = ends[-1] if ends else begin
        clause = _CLAUSE_END.search(self.lined, end, end + _REACH)
        stop = clause.start() if clause else min(len(self.lined), end + _REACH)
        sentence = _SENTENCE_END.search(self.lined, end, end + _REACH)
        last = sentence.start() if sentence else min(len(self.lined), end + _REACH)
        tail = self.lined[stop:last]
        if len(tail.split()) <= _TAG_WORDS and not _CLAUSE_END.search(tail, 1):
            stop = last
        return self.lined[begin:stop].replace("\n", " ").strip().rstrip(",;:")


def read_document(folder: Path, name: str) -> Document | str:
    """The document ``name`` of ``folder``, or why it cannot be had (a message about the source's
    ``document`` field). Only files inside ``folder`` are read: the name is resolved, symbolic links
    included, and must stay inside."""
    outside = f"document must be a file name inside --documents ({folder}), got {name!r}"
    if "\x00" in name:
        return outside
    base = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(base, name))
    if os.path.commonpath([base, target]) != base or target == base:
        return outside
    try:
        st = os.stat(target)
        if not stat.S_ISREG(st.st_mode):
            return f"document {name!r} cannot be read: it is {kind_of(st.st_mode)}, not a file"
        if st.st_size > MAX_DOCUMENT_BYTES:
            return (
                f"document {name!r} is {st.st_size / 2**20:,.0f} MB; at most {MAX_DOCUMENT_BYTES // 2**20} MB are read"
            )
        raw = Path(target).read_bytes()
    except FileNotFoundError:
        return ""  # the caller says "not found", with the closest name
    except OSError as e:
        return f"document {name!r} cannot be read: {e.strerror}"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return f"document {name!r} is not UTF-8 text: {e.reason} at byte {e.start + 1} (line {line})"
    return Document.of(name, text)
