"""A report read for a curator: the known entities it mentions, the names it gives that the graph lacks,
and the sentences no fact quotes yet.

* **Mentions** (:class:`MentionFinder`): every name and alias of every entity, in any script, found with its
  line and column. Names are compared word by word in :func:`graph.names.name_key` form (case, accents,
  Arabic diacritics and punctuation ignored), through a dictionary of word sequences: a report of n words
  costs n x (longest name in words) lookups, whatever the number of entities. Leftmost-longest wins
  (``Lebanese Hezbollah`` rather than ``Hezbollah``). A name in capitals of a few letters (``IS``, ``SAA``)
  is matched only in capitals, so that "is" is not the Islamic State. An Arabic word is also looked up
  without a leading conjunction or preposition written onto it (و ف ب ل: والبوكمال).
* **Unknown names** (:func:`unknown_names`): runs of capitalised words (with the particles of Arabic
  names: al-, ez-, bin...) that no mention covers, kept when they look like an actor (``... Brigade``),
  a site (``... Hospital``) or a place (``in ...``), or have several words. Latin script only: Arabic
  script has no capitals to tell a name by. The matcher of :mod:`graph.names` then says which known
  entity a variant spelling may be (``Abou Kamal`` -> Al-Bukamal).
* **Coverage** (:func:`coverage`): the report's sentences, and which of them a quote of the source's
  evidence falls in (quotes compared as the validator compares them with their document: the caller
  passes that normalisation, ``loaders.normalize_text``).
* **A draft** (:func:`draft_yaml`): a fact file for a new report, every record marked ``review:``, which
  the loader refuses until the curator has completed the record and removed the mark.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .models import MAX_QUOTE_WORDS
from .names import NameIndex, NameProblem, name_key

# A word: letters or digits, with the combining marks (accents, Arabic harakat) and tatweel inside it.
WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640])*")
MAX_NAME_WORDS = 12  # longer spellings are not looked for (no real name is this long)
ACRONYM_CHARS = 5  # a spelling in capitals this short is matched in capitals only
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CLITICS = ("و", "ف", "ب", "ل")  # and, so, in/with, for: written onto the next word


def line_starts(text: str) -> list[int]:
    """The offset each line of ``text`` starts at."""
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def position(starts: list[int], offset: int) -> tuple[int, int]:
    """(line, column) of an offset, both from 1.

    >>> position(line_starts("ab\\ncd"), 4)
    (2, 2)
    """
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, offset - starts[lo] + 1


@dataclass(frozen=True)
class Mention:
    """Where a report names a known entity: ``ids`` (several when a spelling is shared) and the spelling."""

    line: int
    column: int
    start: int  # offset in the text
    end: int
    text: str
    ids: tuple[str, ...]
    spelling: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "text": self.text, "ids": list(self.ids)}


@dataclass(frozen=True)
class _Spelling:
    id: str
    text: str
    capitals: bool  # an acronym: matched in capitals only


class MentionFinder:
    """Every spelling of every entity, by its words' name keys: ``find(text)`` gives the mentions.

    >>> finder = MentionFinder(
    ...     [
    ...         ("al-bukamal", "Al-Bukamal"),
    ...         ("al-bukamal", "البوكمال"),
    ...         ("lebanese-hezbollah", "Lebanese Hezbollah"),
    ...         ("lebanese-hezbollah", "Hezbollah"),
    ...         ("isis", "IS"),
    ...     ]
    ... )
    >>> found = finder.find("In al-Bukamal, LEBANESE Hezbollah is.\\nوالبوكمال")
    >>> [(m.line, m.column, m.text, m.ids) for m in found][:2]
    [(1, 4, 'al-Bukamal', ('al-bukamal',)), (1, 16, 'LEBANESE Hezbollah', ('lebanese-hezbollah',))]
    >>> [(m.line, m.column, m.text, m.ids) for m in found][2:]
    [(2, 2, 'البوكمال', ('al-bukamal',))]
    """

    def __init__(self, spellings: Iterable[tuple[str, str]], *, text: str | None = None):
        self._names: dict[tuple[str, ...], list[_Spelling]] = {}
        self._first: dict[str, int] = {}  # a name's first word -> the most words of a name starting with it
        self.longest = 1
        # With the text to search, only the spellings whose first word it holds are indexed: a report of
        # 5,000 words has a few thousand distinct words, a dataset of 100k entities far more names.
        present = _report_words(text) if text is not None else None
        for eid, name in spellings:
            if present is not None:
                first = WORD.search(name)
                if first is None or _word_key(first.group()) not in present:
                    continue
            words = tuple(k for k in map(_word_key, WORD.findall(name)) if k)
            if not words or len(words) > MAX_NAME_WORDS:
                continue
            capitals = sum(map(len, words)) <= ACRONYM_CHARS and name.isupper()
            found = self._names.setdefault(words, [])
            if all(s.id != eid for s in found):
                found.append(_Spelling(eid, name, capitals))
            if len(words) > self._first.get(words[0], 0):
                self._first[words[0]] = len(words)
            self.longest = max(self.longest, len(words))

    @classmethod
    def of_entities(cls, entities: Mapping[str, Any], *, text: str | None = None) -> MentionFinder:
        """From entity models (``name``, ``aliases``); with ``text``, for searching that text only."""
        return cls(((eid, t) for eid, ent in entities.items() for t in (ent.name, *ent.aliases)), text=text)

    def __len__(self) -> int:
        return len(self._names)

    def find(self, text: str, *, starts: list[int] | None = None) -> list[Mention]:
        starts = starts if starts is not None else line_starts(text)
        words = [(m.start(), m.end(), _word_key(m.group())) for m in WORD.finditer(text)]
        out: list[Mention] = []
        i = 0
        while i < len(words):
            hit = self._longest_at(words, i, text)
            if hit is None:
                i += 1
                continue
            n, spellings, skip = hit
            start, end = words[i][0] + skip, words[i + n - 1][1]
            line, column = position(starts, start)
            ids = tuple(s.id for s in spellings)
            out.append(Mention(line, column, start, end, text[start:end], ids, spellings[0].text))
            i += n
        return out

    def _longest_at(self, words: list, i: int, text: str) -> tuple[int, list[_Spelling], int] | None:
        first = words[i][2]
        options = [(first, 0)] if first in self._first else []
        if len(first) > 3 and first[0] in _CLITICS and first[1:] in self._first and _ARABIC.match(first):
            raw = text[words[i][0] : words[i][1]]
            options.append((first[1:], 1 if raw.startswith(first[0]) else 0))
        if not options:
            return None  # no name starts with this word: most words of a report
        most = max(self._first[key] for key, _ in options)
        for n in range(min(most, len(words) - i), 0, -1):
            rest = tuple(w[2] for w in words[i + 1 : i + n])
            for key, skip in options:
                found = self._names.get((key, *rest))
                if not found:
                    continue
                span = text[words[i][0] + skip : words[i + n - 1][1]]
                found = [s for s in found if not s.capitals or _in_capitals(span)]
                if found:
                    return n, found, skip
        return None


def _report_words(text: str) -> set[str]:
    """The keys of a text's words, and of its Arabic words without a conjunction written onto them."""
    keys = {_word_key(w) for w in WORD.findall(text)}
    keys.update([k[1:] for k in keys if len(k) > 3 and k[0] in _CLITICS and _ARABIC.match(k)])
    return keys


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    # Names share words (al, brigade, Hezbollah), and a report repeats them: each is keyed once.
    return name_key(word)


def _in_capitals(span: str) -> bool:
    letters = [ch for ch in span if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# --------------------------------------------------------------------------- unknown names

# Particles inside Arabic names and the small words inside names of bodies ("Observatory for Human Rights").
_ARTICLE = r"(?:(?:[Aa]l|[Ee]l|[Aa][dlnrstz]|[Aa]sh|[Aa]th|[Ee][dlnrstz]|[Uu]l)[-‐‑’'])"
_CAPITALISED = rf"{_ARTICLE}?[A-Z][\w'’‐‑-]*"
_JOINER = r"(?:of|for|the|al|el|bin|ibn|bint|de|du|la|and)"
_JOINERS = frozenset(_JOINER[3:-1].split("|"))
NAME_RUN = re.compile(rf"(?<![\w'’-]){_CAPITALISED}(?:[ \t]+(?:{_JOINER}[ \t]+)*{_CAPITALISED})*")
ACTOR_WORDS = frozenset(
    "army brigade brigades forces force militia militias group groups regiment division corps front guard guards "
    "party movement battalion battalions council agency observatory committee ministry directorate branch "
    "command network unit units organization organisation foundation company authority police service "
    "services administration government regime".split()
)
SITE_WORDS = frozenset(
    "hospital center centre base airport school mosque checkpoint compound crossing bridge square building "
    "prison camp headquarters station office embassy factory warehouse port dam field fields palace "
    "stadium university market".split()
)
_GENERIC = ACTOR_WORDS | SITE_WORDS | frozenset("security military armed local national popular".split())
PLACE_CUES = frozenset("in at from near to towards toward into outside inside around across".split())
# Capitalised words that are no names: sentence openers, calendar words, titles.
STOP_WORDS = frozenset(
    "the a an this these that those there it its in on at as and but or if when while after before during "
    "however despite although though since with without according also meanwhile moreover furthermore "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december mr mrs ms dr he she they we i you his her their our "
    "some many most several all both each one two three four five".split()
)


@dataclass
class Unknown:
    """A name the report gives that no entity has: its first place, how often, what it looks like, and the
    known entities it may be a variant of (:class:`graph.names.Candidate`)."""

    line: int
    column: int
    text: str
    kind: str  # actor, site, place or name
    count: int = 1
    maybe: list[Any] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "kind": self.kind,
            "count": self.count,
        }
        if self.maybe:
            out["maybe"] = [c.as_dict() for c in self.maybe]
        return out


def _kind(words: list[str], before: str) -> str:
    last = words[-1].lower()
    if last in ACTOR_WORDS:
        return "actor"
    if last in SITE_WORDS:
        return "site"
    if before.lower() in PLACE_CUES and len(words) <= 3:
        return "place"
    return "name"


def unknown_names(text: str, mentions: list[Mention], *, starts: list[int] | None = None) -> list[Unknown]:
    """Names in ``text`` that look like an actor, site or place (or have several words) and that no mention
    covers, each once (with its first position and count).

    >>> [(u.text, u.kind) for u in unknown_names("Fighters of the Hawks Brigade moved to Tall Abyad. The end.", [])]
    [('Hawks Brigade', 'actor'), ('Tall Abyad', 'place')]
    """
    starts = starts if starts is not None else line_starts(text)
    covered = [(m.start, m.end) for m in mentions]
    found: dict[str, Unknown] = {}
    for m in NAME_RUN.finditer(text):
        start, end = m.start(), m.end()
        words = m.group().split()
        while words and words[0].lower() in STOP_WORDS:  # "The Hawks Brigade", "In Deir ez-Zor"
            start += text[start:end].index(words[0]) + len(words[0])
            start += len(text[start:end]) - len(text[start:end].lstrip())
            words = words[1:]
        if not words or any(s < end and start < e for s, e in covered):
            continue
        before = text[max(0, start - 30) : start].split()
        sentence_start = not before or before[-1][-1:] in ".!?:\u2022" or text[:start].rstrip()[-1:] in ("", "\n")
        if sentence_start and len(words) > 2 and words[1] in _JOINERS:  # "Fighters of the Hawks Brigade"
            n = 1
            while n < len(words) and words[n] in _JOINERS:
                n += 1
            for w in words[:n]:
                start += text[start:end].index(w) + len(w)
            start += len(text[start:end]) - len(text[start:end].lstrip())
            words, sentence_start = words[n:], False
            before = text[max(0, start - 30) : start].split()
        if all(w.lower() in _GENERIC for w in words):  # "Militias", "Security Forces": no name in them
            continue
        kind = _kind(words, before[-1] if before else "")
        if kind == "name" and (len(words) < 2 or sentence_start and len(words) < 3):
            continue
        name = " ".join(words).rstrip("'’-")
        key = name_key(name)
        if not key or key.isdigit():
            continue
        if key in found:
            found[key].count += 1
            continue
        line, column = position(starts, start)
        found[key] = Unknown(line, column, name, kind)
    return list(found.values())


def suggest(unknown: list[Unknown], index: NameIndex, *, at_least: int = 75, limit: int = 3) -> None:
    """Fill each unknown name's ``maybe`` with the known entities it may be a spelling of (the matcher's
    candidates scoring ``at_least``)."""
    for u in unknown:
        try:
            found = index.candidates(u.text, limit=limit)
        except NameProblem:
            continue
        u.maybe = [c for c in found if c.score >= at_least]


# --------------------------------------------------------------------------- sentences and coverage

# Where a sentence ends: . ! ? (perhaps closed by a quote mark or bracket) before whitespace, or a line break
# (reports as read from the web hold a paragraph a line, and headings and list items end without a stop),
# unless the line was wrapped: a long line (WRAPPED_AT characters or more) that stops mid-sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|[ \t]*(?:\r\n|\r|\n)\s*")
WRAPPED_AT = 60
MIN_SENTENCE_WORDS = 4  # shorter lines are headings, bylines, menu items: not statements to cover


@dataclass
class Sentence:
    line: int
    column: int
    text: str
    words: int
    start: int = 0  # offsets in the report (the text has its whitespace runs made single spaces)
    end: int = 0
    covered: bool = False
    mentions: list[Mention] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "covered": self.covered,
            "ids": sorted({i for m in self.mentions for i in m.ids}),
        }


def sentences(text: str, *, starts: list[int] | None = None) -> list[Sentence]:
    """The statements of a report (sentences of at least MIN_SENTENCE_WORDS words), with where they start.

    >>> [(s.line, s.column, s.text) for s in sentences("Title\\nOne two three four. Five six seven eight!")]
    [(2, 1, 'One two three four.'), (2, 21, 'Five six seven eight!')]
    >>> [s.text for s in sentences("A line of a report wrapped at a fixed width, as e-mail is, goes\\non here.")]
    ['A line of a report wrapped at a fixed width, as e-mail is, goes on here.']
    """
    starts = starts if starts is not None else line_starts(text)
    out = []
    begin = 0
    for m in [*(m for m in SENTENCE_END.finditer(text) if not _wrapped(text, m)), None]:
        end = m.start() if m is not None else len(text)
        chunk = text[begin:end]
        stripped = chunk.strip()
        if stripped:
            offset = begin + len(chunk) - len(chunk.lstrip())
            n = len(stripped.split())
            if n >= MIN_SENTENCE_WORDS:
                line, column = position(starts, offset)
                out.append(Sentence(line, column, " ".join(stripped.split()), n, offset, offset + len(stripped)))
        if m is not None:
            begin = m.end()
    return out


def _wrapped(text: str, m: re.Match) -> bool:
    """Whether a line break ends a line wrapped mid-sentence (one break after a long line without a stop)."""
    gap = m.group()
    if gap.count("\n") + gap.count("\r") - gap.count("\r\n") != 1:
        return False
    line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].rstrip()
    return len(line) >= WRAPPED_AT and line[-1:] not in ".!?:;"


def coverage(found: list[Sentence], quotes: Iterable[str], *, normalize: Callable[[str], str]) -> int:
    """Mark the sentences a quote falls in (or overlaps) as covered; return how many are.

    >>> ss = sentences("Militias left the town. They came back later on.")
    >>> coverage(ss, ["left  the town"], normalize=lambda t: " ".join(t.split())), [s.covered for s in ss]
    (1, [True, False])
    """
    joined: list[str] = []
    bounds: list[tuple[int, int]] = []
    at = 0
    for s in found:
        norm = normalize(s.text)
        bounds.append((at, at + len(norm)))
        joined.append(norm)
        at += len(norm) + 1
    text = " ".join(joined)
    for quote in {normalize(q) for q in quotes}:
        if not quote:
            continue
        start = text.find(quote)
        while start >= 0:
            end = start + len(quote)
            for i, (b, e) in enumerate(bounds):
                if b < end and start < e:
                    found[i].covered = True
            start = text.find(quote, start + 1)
    return sum(s.covered for s in found)


# --------------------------------------------------------------------------- the whole scan


@dataclass
class Scan:
    """What :func:`scan` found in one report."""

    mentions: list[Mention]
    unknown: list[Unknown]
    sentences: list[Sentence]
    covered: int | None = None  # None: no source to measure coverage by

    @property
    def percent(self) -> float | None:
        if self.covered is None:
            return None
        return round(100 * self.covered / len(self.sentences), 1) if self.sentences else 100.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "mentions": [m.as_dict() for m in self.mentions],
            "unknown": [u.as_dict() for u in self.unknown],
            "sentences": [s.as_dict() for s in self.sentences],
            "coverage": None
            if self.covered is None
            else {"covered": self.covered, "sentences": len(self.sentences), "percent": self.percent},
        }


def scan(
    text: str,
    finder: MentionFinder,
    *,
    quotes: Iterable[str] | None = None,
    normalize: Callable[[str], str] | None = None,
    index: NameIndex | None = None,
) -> Scan:
    """Mentions, unknown names (with ``index``: what known entity each may be) and, with the ``quotes`` of
    the report's source and the validator's ``normalize``, the sentences they cover."""
    starts = line_starts(text)
    mentions = finder.find(text, starts=starts)
    unknown = unknown_names(text, mentions, starts=starts)
    if index is not None:
        suggest(unknown, index)
    found = sentences(text, starts=starts)
    _attach(found, mentions)
    covered = None
    if quotes is not None:
        covered = coverage(found, quotes, normalize=normalize or (lambda t: " ".join(t.split())))
    return Scan(mentions, unknown, found, covered)


def _attach(found: list[Sentence], mentions: list[Mention]) -> None:
    """Each sentence's mentions (both in text order)."""
    j = 0
    for s in found:
        end = s.end
        while j < len(mentions) and mentions[j].start < s.start:
            j += 1
        k = j
        while k < len(mentions) and mentions[k].start < end:
            s.mentions.append(mentions[k])
            k += 1


# --------------------------------------------------------------------------- a draft fact file

REVIEW = "review"  # the mark the loader refuses: a drafted record not yet completed by the curator
DRAFT_TYPE = {"actor": "ArmedGroup", "site": "Site", "place": "Place"}


def slug(text: str) -> str:
    """An id made from a name (Latin letters and digits; ``entity`` when none are left).

    >>> slug("Hawks Brigade"), slug("Tall Abyad"), slug("البوكمال")
    ('hawks-brigade', 'tall-abyad', 'entity')
    """
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:80].strip("-") or "entity"


def _q(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar: report text can never turn into YAML syntax.
    return json.dumps(value, ensure_ascii=False)


def _quote_of(text: str) -> str:
    words = text.split()
    return " ".join(words[:MAX_QUOTE_WORDS])


def draft_yaml(
    result: Scan,
    *,
    report: str,
    source_id: str,
    new_source: bool,
    known_ids: Iterable[str] = (),
    when: str,
) -> str:
    """A fact file to complete: the source (when new), an entity per unknown name, and a relation stub per
    sentence not yet quoted that mentions two entities (the sentence as the quote). Every record carries a
    ``review:`` line saying what to check; the loader refuses the file until each is completed and its
    ``review:`` line removed."""
    taken = set(known_ids)
    lines = [
        f"# Drafted by kg scan from {report} on {when}.",
        "# Every record has a `review:` line: check and complete the record, then delete that line.",
        "# kg validate refuses this file while any `review:` line is left.",
    ]
    if new_source:
        lines += [
            "sources:",
            f"  - id: {_q(source_id)}",
            f"    {REVIEW}: {_q('give the title, publisher, published (or retrieved) date and reliability (A-F)')}",
            f"    title: {_q('')}",
            f"    publisher: {_q('')}",
            f"    retrieved: {_q(when[:10])}",
            f"    reliability: {_q('')}",
            f"    document: {_q(report)}",
        ]
    ids: dict[str, str] = {}
    entities: list[str] = []
    for u in result.unknown:
        base = slug(u.text)
        eid, n = base, 2
        while eid in taken:
            eid, n = f"{base}-{n}", n + 1
        taken.add(eid)
        ids[u.text] = eid
        maybe = "; ".join(f"{c.name} ({c.id})" for c in u.maybe)
        note = f"is it new? the graph has {maybe}" if maybe else "check the type and the name; add aliases"
        entities += [
            f"  - id: {_q(eid)}",
            f"    {REVIEW}: {_q(f'line {u.line}: {note}')}",
            f"    type: {_q(DRAFT_TYPE.get(u.kind, 'ArmedGroup'))}",
            f"    name: {_q(u.text)}",
            "    evidence:",
            f"      - {{source: {_q(source_id)}, quote: {_q(u.text)}}}",
        ]
    if entities:
        lines += ["entities:", *entities]
    relations: list[str] = []
    for s in result.sentences:
        if s.covered:
            continue
        at = [(m.start - s.start, m.ids[0]) for m in s.mentions]  # in the order the sentence names them
        at += [(s.text.find(u.text), ids[u.text]) for u in result.unknown if u.text in s.text]
        named = list(dict.fromkeys(i for _, i in sorted(at)))
        if len(named) < 2:
            continue
        relations += [
            "  - type: RELATION_TYPE",
            f"    {REVIEW}: {_q(f'line {s.line}: choose the type, the ends and the grade; trim the quote')}",
            f"    from: {_q(named[0])}",
            f"    to: {_q(named[1])}",
            f"    credibility: {_q('')}",
            "    evidence:",
            f"      - {{source: {_q(source_id)}, quote: {_q(_quote_of(s.text))}}}",
        ]
    if relations:
        lines += ["relations:", *relations]
    return "\n".join(lines) + "\n"


def iter_uncovered(result: Scan) -> Iterator[Sentence]:
    """The sentences no quote covers, in order."""
    return (s for s in result.sentences if not s.covered)
