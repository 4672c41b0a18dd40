"""Source documents on disk, and the text around a quote in them.

Quotes are found the way ``kg validate --documents`` checks them: whitespace
and quote-mark style are ignored (:func:`loaders.normalize_text`); when that
fails, case is ignored too. The context is cut from the original text, so it
reads as the document does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from loaders import normalize_text

# Characters shown on each side of a quote (~300 around it in all).
CONTEXT_CHARS = 150
# Documents larger than this are not read for context (a seed report is a few kB).
MAX_DOCUMENT_BYTES = 20_000_000

_QUOTE_MARKS = set("\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb\u2039\u203a")
_SPACE = re.compile(r"\s+")


def _normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize_text(text)`` (before its strip) and, per character, its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        elif ch in _QUOTE_MARKS:
            ch = '"'
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Start and end offsets of ``quote`` in ``text``, whitespace and quote-mark insensitive."""
    needle = normalize_text(quote)
    if not needle:
        return None
    norm, offsets = _normalized_with_offsets(text)
    at = norm.find(needle)
    if at < 0:
        # str.lower keeps lengths for all but a few characters; guard against those.
        low = norm.lower()
        if len(low) == len(norm):
            at = low.find(needle.lower())
    if at < 0:
        return None
    return offsets[at], offsets[at + len(needle) - 1] + 1


def _clip_start(text: str, start: int) -> int:
    # Begin at a word boundary so the context does not open mid-word.
    if start <= 0:
        return 0
    space = text.find(" ", start)
    return space + 1 if 0 <= space < start + 30 else start


def _clip_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", end - 30, end)
    return space if space > 0 else end


def context(text: str, quote: str, chars: int = CONTEXT_CHARS) -> dict | None:
    """``{before, match, after, truncated_before, truncated_after}`` around the quote, or None."""
    where = locate(text, quote)
    if where is None:
        return None
    s, e = where
    before_start = _clip_start(text, s - chars)
    after_end = _clip_end(text, e + chars)

    def tidy(part: str) -> str:
        return _SPACE.sub(" ", part)

    return {
        "before": tidy(text[before_start:s]).lstrip(),
        "match": tidy(text[s:e]),
        "after": tidy(text[e:after_end]).rstrip(),
        "truncated_before": before_start > 0,
        "truncated_after": after_end < len(text),
    }


class Documents:
    """A folder of source documents; names are resolved inside it only."""

    def __init__(self, folder: Path):
        self.folder = Path(folder).resolve()
        self._read = lru_cache(maxsize=256)(self._read_uncached)

    def path(self, name: str) -> Path | None:
        if not name or "\x00" in name:
            return None
        p = (self.folder / name).resolve()
        if not p.is_relative_to(self.folder) or not p.is_file():
            return None
        return p

    def _read_uncached(self, name: str) -> str | None:
        p = self.path(name)
        if p is None or p.stat().st_size > MAX_DOCUMENT_BYTES:
            return None
        try:
            return p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def text(self, name: str) -> str | None:
        return self._read(name)

    def context(self, name: str | None, quote: str) -> dict | None:
        if not name:
            return None
        text = self.text(name)
        return context(text, quote) if text is not None else None
