"""Names as analysts meet them: one matcher for every place a name is given.

Arabic names reach analysts in many romanisations (Abu Kamal, Abou Kamal,
Boukamal, البوكمال). Three layers, from strict to loose:

* :func:`name_key`: the exact spelling with case, accents, punctuation and
  spaces ignored (``Fog’ 47`` = ``FOG-47``). Curated aliases match this way.
* :func:`fold`: also the usual transliteration differences (articles al-/el-/
  ez-/ال, ou/u, o/u, e/i, k/q, doubled letters, a final h) and Arabic letter
  variants (alef forms, ta marbuta, alef maqsura, hamza seats, tatweel).
* :func:`skeleton`: the consonants only, in one Latin alphabet for both
  scripts, so that ``البوكمال`` and ``Al-Bukamal`` meet (``bkml``).

:class:`NameIndex` looks names up by these keys in dicts (so 100k entities stay
fast) and falls back to fuzzy matching (rapidfuzz) on a small candidate set
blocked by trigrams. It ranks candidates with the reason they matched;
:meth:`NameIndex.resolve` uses a unique clear best match and says so, and
raises :class:`AmbiguousName` or :class:`UnknownName` otherwise.

Why rapidfuzz over difflib: ``bench/bench_names.py`` (README "Name matching").
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

__all__ = [
    "MAX_NAME_CHARS",
    "REASONS",
    "AmbiguousName",
    "BadName",
    "Candidate",
    "NameIndex",
    "NameProblem",
    "UnknownName",
    "check_name",
    "fold",
    "lucene_keys",
    "match_keys",
    "name_key",
    "phonetic",
    "skeleton",
]

MAX_NAME_CHARS = 1_000  # as graph.models: no name or alias is longer, so no query needs to be
REASONS = ("alias", "folded", "phonetic", "skeleton", "fuzzy")  # strict to loose
# Scores by reason: a key match is exact within its layer; fuzzy scores stay below every key match.
SCORES = {"alias": 100, "folded": 95, "phonetic": 90, "skeleton": 85}
FUZZY_CAP = 84
FUZZY_CUTOFF = 60  # below this a fuzzy score is noise
BLOCK_CAP = 2_000  # forms scored fuzzily for one name, at most (about: the last trigram's are all taken)
SUBSET_WEIGHT = 0.85  # a name's words within a longer name: less than the whole name
RESOLVE_AT_LEAST = 75  # the best candidate must score this much to be used (a fuzzy one FUZZY_RESOLVES)...
FUZZY_RESOLVES = 80
CLEAR_MARGIN = 6  # ...and this much more than the next entity, or the name is ambiguous
ALSO_AT_LEAST = 80  # other entities of its type scoring this much are named when a name resolves ("also matches")
OTHER_NUMBER = 60  # a name with other numbers in it (Fog 74 / Fog 47): a suggestion at most
WORD_SCORE = 70  # all words' skeletons in common, in any order: enough to suggest, not to resolve


def name_key(text: str) -> str:
    """The exact spelling, compared: ``Fog’ 47``, ``fog 47`` and ``FOG-47`` share one key.

    Spelling variants (Albukamal / Abu Kamal) do not share it: they meet in
    :func:`fold` and :func:`skeleton`. Case, accents, Arabic diacritics, spaces
    and punctuation never matter.

    >>> name_key("Fog’ 47"), name_key("FOG-47"), name_key("Déir ez-Zor")
    ('fog47', 'fog47', 'deirezzor')
    >>> name_key("البُوكمال") == name_key("البوكمال")
    True
    """
    if text.isascii():  # the usual case, 20 times faster: NFKD and casefold change nothing but the case there
        return text.encode("ascii").translate(None, _ASCII_NOT_ALNUM).lower().decode("ascii")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


_ASCII_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())


# --------------------------------------------------------------------------- folding

# Arabic letter variants (after NFKD, which already splits hamza and madda off alef, waw and yeh).
_ARABIC = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u0629": "\u0647",  # ta marbuta -> heh
        "\u0621": None,  # lone hamza
        "\u0640": None,  # tatweel
        "\u06cc": "\u064a",  # Persian yeh
        "\u06a9": "\u0643",  # Persian kaf (keheh)
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # extended (Persian) digits
    }
)
# Marks that stand for an ayn or hamza in romanisations: dropped without splitting the word (Kata'ib).
_JOINERS = re.compile(r"['’‘ʿʾʼ`´]")
_NOT_WORD = re.compile(r"[\W_]+")
# Latin articles: al-/el-/ul-/il- always; sun-letter forms only before the same letter (ez-Zor, as-Suwayda).
_ARTICLE = re.compile(r"(?<![^\W\d_])(?:[aeui]l|([aeu])(sh|th|dh|[tdrzsn]))[-‐‑\s]+(?=\w)")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]")
# Common transliteration differences, applied in this order to a Latin word.
_LATIN_RULES = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"dj"), "j"),
    (re.compile(r"ou|oo"), "u"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"ei|ey|ai"), "ay"),
    (re.compile(r"(?<=\w)[ae]h$"), "a"),  # ta marbuta: Hasakah, Hasakeh, Hasaka
    (re.compile(r"e"), "i"),
    (re.compile(r"o"), "u"),
    (re.compile(r"([a-z])\1+"), r"\1"),  # doubled letters (not digits: 99 is not 9): Hussam, Hezbollah
    (re.compile(r"(?<=[aiu])h$"), ""),  # a final h after a vowel: Hamah, Allah
)
_LATIN_WORD = re.compile(r"^[a-z0-9]+$")


def _article(m: re.Match) -> str:
    vowel, consonant = m.group(1), m.group(2)
    if vowel is None:
        return ""
    rest = m.string[m.end() : m.end() + len(consonant)]
    return "" if rest.casefold() == consonant else m.group(0)


def _plain(text: str) -> str:
    """NFKC, Arabic variants, accents and diacritics gone, case folded."""
    if text.isascii():  # most names arrive so: every step below keeps ASCII as it is, but the case
        return text.lower()
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC)
    decomposed = unicodedata.normalize("NFKD", text)
    # Nonspacing marks (accents, harakat, shadda, hamza and madda split off their seat); viz/assets/common.js
    # drops \p{Mn} alike.
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").casefold().translate(_ARABIC)


@lru_cache(maxsize=131_072)  # words repeat across names far more than names do
def _latin(word: str) -> str:
    if not _LATIN_WORD.match(word):
        return word
    for pattern, repl in _LATIN_RULES:
        word = pattern.sub(repl, word)
    return word


@lru_cache(maxsize=65_536)
def _words(text: str) -> tuple[str, ...]:
    """The words of a name, folded (see :func:`fold`); cached: names repeat, in an index and as one types."""
    text = _JOINERS.sub("", _plain(text))
    text = _ARTICLE.sub(_article, text)
    words = _NOT_WORD.sub(" ", text).split()
    out = []
    for i, w in enumerate(words):
        if w in ("al", "el", "ul", "il") and i + 1 < len(words):  # a free-standing article: Deir al Zour
            continue
        if w.startswith("ال") and len(w) > 3:  # the Arabic article: البوكمال
            w = w[2:]
        out.append(_latin(w))
    return tuple(out)


def fold(text: str) -> str:
    """The form spelling variants of one name share: words kept, single spaces.

    >>> fold("Abou Kamal"), fold("Al-Bukamal"), fold("Boukamal"), fold("Deir ez-Zor"), fold("Dayr az-Zawr")
    ('abu kamal', 'bukamal', 'bukamal', 'dayr zur', 'dayr zawr')
    >>> fold("Hossam Louka") == fold("Husam Luqa"), fold("Kata'ib Hizbollah"), fold("Hasakeh") == fold("Hasakah")
    (True, 'katayb hizbula', True)
    >>> fold("البُوكمال"), fold("مشفى بدر") == fold("مشفي بدر"), fold("إيران") == fold("ايران")
    ('بوكمال', True, True)
    >>> fold("US-led coalition"), fold("’…!?")
    ('us lid cualitiun', '')
    """
    return " ".join(_words(text))


# --------------------------------------------------------------------------- keys

# One Latin consonant alphabet for both scripts: emphatic and plain letters meet, vowels and
# semivowels (alef, waw, yeh; a e i o u w y) and ayn/hamza drop out.
_ARABIC_CONSONANTS = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ط": "t", "ج": "j", "چ": "j", "ح": "h", "ه": "h", "خ": "k",
    "ك": "k", "ق": "k", "گ": "g", "غ": "g", "د": "d", "ذ": "d", "ض": "d", "ر": "r", "ز": "z", "ظ": "z",
    "ژ": "z", "س": "s", "ش": "s", "ص": "s", "ف": "f", "ڤ": "f", "ل": "l", "م": "m", "ن": "n",
}  # fmt: skip
# Latin g is the Egyptian (and Persian-era) spelling of jim (Fog / فوج); ghayn is written gh.
_LATIN_CONSONANTS = {c: c for c in "bdfhjklmnrstz"} | {"p": "b", "v": "f", "q": "k", "c": "k", "x": "ks", "g": "j"}
_CONSONANTS = _ARABIC_CONSONANTS | _LATIN_CONSONANTS | {"ɣ": "g"} | {str(d): str(d) for d in range(10)}
_DIGRAPHS = re.compile(r"([sktdgcp])h")  # sh kh th dh gh ch ph: one consonant
_DIGRAPH = {"s": "s", "k": "k", "t": "t", "d": "d", "g": "ɣ", "c": "s", "p": "f"}  # ɣ: ghayn, not jim


@lru_cache(maxsize=131_072)
def _skeleton_word(word: str) -> str:
    word = _DIGRAPHS.sub(_digraph, word)
    out = "".join(_CONSONANTS.get(ch, "") for ch in word)
    return out[:-1] if out.endswith("h") and len(out) > 1 else out  # final h / ta marbuta


def _squeeze(text: str) -> str:
    # Most skeletons repeat no letter: a search is several times cheaper than a substitution.
    return _REPEATS.sub(r"\1", text) if _REPEATS.search(text) else text


_REPEATS = re.compile(r"(.)\1+")


def skeleton(text: str) -> str:
    """The consonants of a name in one alphabet for Arabic and Latin script, spaces gone.

    >>> skeleton("Al-Bukamal"), skeleton("البوكمال"), skeleton("Abou Kamal"), skeleton("Boukamal")
    ('bkml', 'bkml', 'bkml', 'bkml')
    >>> skeleton("Hezbollah"), skeleton("حزب الله"), skeleton("Husam Luqa"), skeleton("حسام لوقا")
    ('hzbl', 'hzbl', 'hsmlk', 'hsmlk')
    """
    return _squeeze("".join(_skeleton_word(w) for w in _words(text)))


def _skeleton_variants(words: list[str]) -> Iterator[str]:
    whole = _squeeze("".join(map(_skeleton_word, words)))
    yield whole
    # An article written onto the word (Albukamal, Elbukamal): the name without it too.
    for i, w in enumerate(words):
        if len(w) > 4 and w[:2] in ("al", "il") and _LATIN_WORD.match(w):
            rest = [*words[:i], w[2:], *words[i + 1 :]]
            short = _squeeze("".join(_skeleton_word(x) for x in rest))
            if len(short) >= 3:
                yield short


def phonetic(text: str) -> str:
    """The folded name with every run of vowels one ``a`` and spaces gone: stricter than the skeleton.

    >>> phonetic("Homs"), phonetic("Hamas"), phonetic("Hizballah") == phonetic("Hezbollah")
    ('hams', 'hamas', True)
    """
    return _phonetic(_words(text))


def _phonetic(words: Iterable[str]) -> str:
    return _squeeze("".join(map(_phonetic_word, words)))


@lru_cache(maxsize=131_072)  # a name's words are mostly ones other names have
def _phonetic_word(word: str) -> str:
    return _VOWELS.sub("a", _DIGRAPHS.sub(_digraph, word))


def _digraph(m: re.Match) -> str:
    return _DIGRAPH[m.group(1)]


_VOWELS = re.compile(r"[aeiouwy]+")


def match_keys(text: str) -> frozenset[str]:
    """Every key a name is indexed under: ``f:`` folded, ``p:`` phonetic, ``s:`` skeleton (and variants).

    Two names that share a key are candidates for one another; the reason is the
    key's layer (:data:`REASONS`).

    >>> sorted(match_keys("Al-Bukamal"))
    ['f:bukamal', 'p:bakamal', 's:bkml']
    >>> match_keys("Albukamal") & match_keys("البوكمال")
    frozenset({'s:bkml'})
    >>> match_keys("’…!?")
    frozenset()
    """
    return frozenset(k for k in _keys(_words(text)) if not k.startswith("w:"))


@lru_cache(maxsize=65_536)
def _keys(words: tuple[str, ...]) -> frozenset[str]:
    """match_keys of a name's words (a function of its folded form: an index computes it once a form)."""
    if not words:
        return frozenset()
    keys = {"f:" + " ".join(words), "p:" + _phonetic(words)}
    keys.update("s:" + s for s in _skeleton_variants(list(words)) if s)
    keys.update("w:" + w for w in _skeletons_of(words))
    return frozenset(keys)


def _skeletons_of(words: Iterable[str]) -> set[str]:
    """The skeleton of each word with three consonants or more (shorter ones say little)."""
    return {w for w in map(_word_skeleton, words) if len(w) >= 3}


@lru_cache(maxsize=131_072)
def _word_skeleton(word: str) -> str:
    return _squeeze(_skeleton_word(word))


def lucene_keys(text: str, *, words: bool = True) -> str:
    """The name's keys as one Lucene query over a keyword-analysed index (Neo4j's ``entity_keys``).

    Keys hold letters, digits and ``_`` only, so nothing in them is Lucene syntax. ``words``: also
    the skeletons of its words (``w_``), which find names sharing a word (suggestions).

    >>> lucene_keys("Abou Kamal")
    'aboukamal OR f_abu_kamal OR p_abakamal OR s_bkml OR w_kml'
    """
    return " OR ".join(_key_list(text, words))


def _key_list(text: str, words: bool = True) -> list[str]:
    """lucene_keys as a list: the name key, the match keys (sorted), then the word skeletons (sorted)."""
    keys = _lucene_keys(_words(text))
    if not words:
        keys = tuple(k for k in keys if not k.startswith("w_"))
    head = name_key(text)
    return list(dict.fromkeys((head, *keys))) if head else list(keys)


@lru_cache(maxsize=65_536)
def _lucene_keys(words: tuple[str, ...]) -> tuple[str, ...]:
    """_keys(words) sorted, written as Lucene keys: ``f_``, ``p_`` and ``s_`` keys, then (``w`` sorting last)
    the ``w_`` word skeletons; ``_`` for ``:`` and spaces."""
    return tuple(k.replace(":", "_", 1).replace(" ", "_") for k in sorted(_keys(words)))


def stored_keys(*names: str) -> list[str]:
    """The keys an entity is stored under (Neo4j ``names``): every spelling's name key and match keys.

    >>> stored_keys("al-bukamal", "Al-Bukamal", "البوكمال")
    ['albukamal', 'f_bukamal', 'p_bakamal', 's_bkml', 'w_bkml', 'البوكمال', 'f_بوكمال', 'p_بوكمال']
    """
    out: dict[str, None] = {}
    for text in names:
        out.update(dict.fromkeys(_key_list(text)))
    return list(out)


# What one `name_keys` value may hold: well under what Neo4j's TEXT index takes in one value (a longer one
# fails the write), and far more than the spellings of any real name.
KEY_TEXT_BYTES = 8000


def key_text(*names: str) -> str:
    """The name keys of every spelling, space-separated (Neo4j ``name_keys``, under a TEXT index): names
    containing what was typed are found by ``CONTAINS`` on it, a trigram index seek (a key never holds a
    space, so no match spans two spellings).

    At most :data:`KEY_TEXT_BYTES` bytes of UTF-8: a longer value is refused by the index (an entity with
    thousands of aliases, or a 10,000-character name, would fail the whole load); the spellings that do not
    fit are still found by the full-text and exact lookups.

    >>> key_text("al-bukamal", "Al-Bukamal", "Abu Kamal", "البوكمال")
    'albukamal abukamal البوكمال'
    >>> len(key_text("x" * 9000).encode()) == KEY_TEXT_BYTES
    True
    """
    out: list[str] = []
    room = KEY_TEXT_BYTES
    for key in dict.fromkeys(k for k in map(name_key, names) if k):
        size = len(key.encode()) + (1 if out else 0)
        if size > room:
            if not out:  # one key longer than the room: its beginning, cut on a character
                out.append(key.encode()[:room].decode(errors="ignore"))
            break
        out.append(key)
        room -= size
    return " ".join(out)


# --------------------------------------------------------------------------- problems


class NameProblem(ValueError):
    """A name that cannot be used as given; ``str()`` is one line fit for a CLI or an API."""


class BadName(NameProblem):
    """Nothing to match: empty, too long, or no letters or digits."""


class UnknownName(NameProblem):
    """No entity goes by the name; ``suggestions`` are the closest candidates."""

    def __init__(self, text: str, suggestions: list[Candidate] | None = None, *, what: str = "entity"):
        self.text, self.suggestions = text, list(suggestions or [])
        hint = ""
        if self.suggestions:
            hint = " (did you mean " + ", ".join(c.label() for c in self.suggestions) + "?)"
        super().__init__(f"no {what} is named {_shown(text)}{hint}")


class AmbiguousName(NameProblem):
    """Several entities match about as well; ``candidates`` lists them, best first."""

    def __init__(self, text: str, candidates: list[Candidate], *, what: str = "entity"):
        self.text, self.candidates = text, list(candidates)
        listed = "; ".join(f"{c.label()} [{c.reason} {c.score}]" for c in self.candidates)
        super().__init__(f"{what} {_shown(text)} could be any of: {listed}; give the id")


def _shown(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def check_name(text: Any) -> str:
    """``text`` if it can be matched, else :class:`BadName` saying why.

    >>> check_name("Abou Kamal")
    'Abou Kamal'
    >>> try:
    ...     check_name("؟!")
    ... except BadName as e:
    ...     print(e)
    the name '؟!' has no letters or digits to match
    """
    if not isinstance(text, str) or not text.strip():
        raise BadName("the name is empty")
    if len(text) > MAX_NAME_CHARS:
        raise BadName(f"a name is at most {MAX_NAME_CHARS} characters; this one has {len(text)}")
    if not _words(text):
        raise BadName(f"the name {_shown(text)} has no letters or digits to match")
    return text


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class Candidate:
    """An entity a name may mean: ``matched`` is the spelling (name, alias or id) that matched, and why."""

    id: str
    name: str
    matched: str
    score: int
    reason: str
    type: str = ""
    also: tuple[Candidate, ...] = field(default=(), compare=False)  # set by resolve: others that match too

    def label(self) -> str:
        """``Al-Bukamal (al-bukamal)``."""
        return f"{self.name!r} ({self.id})"

    def said(self, text: str) -> str:
        """What a resolved name is taken to mean, for the analyst to see.

        >>> Candidate("al-bukamal", "Al-Bukamal", "Abu Kamal", 95, "folded").said("Abou Kamal")
        "'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'"
        """
        how = {"alias": "", "folded": "folded like", "phonetic": "sounds like", "skeleton": "same consonants as"}
        head = f"{_shown(text)} -> {self.label()}"
        if self.reason == "alias" and name_key(self.matched) == name_key(text):
            out = head
        elif self.reason == "fuzzy":
            out = f"{head}, closest to {self.matched!r} ({self.score}%)"
        else:
            out = f"{head}, {how[self.reason] or 'as'} {self.matched!r}"
        if self.also:
            out += "; also matches " + ", ".join(c.label() for c in self.also)
        return out

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("id", "name", "type", "matched", "score", "reason")}
        if self.also:
            out["also"] = [c.as_dict() for c in self.also]
        return out


class NameIndex:
    """Entities by every spelling they go by; ranked candidates and resolution of a name.

    Built from ``(id, name, type)`` entries, one per spelling (the first name of
    an id is its display name; the id is a spelling too).

    >>> ix = NameIndex(
    ...     [
    ...         ("al-bukamal", "Al-Bukamal", "Place"),
    ...         ("al-bukamal", "Abu Kamal", "Place"),
    ...         ("kataib-hezbollah", "Kata'ib Hezbollah", "ArmedGroup"),
    ...         ("lebanese-hezbollah", "Lebanese Hezbollah", "ArmedGroup"),
    ...         ("lebanese-hezbollah", "Hezbollah", "ArmedGroup"),
    ...     ]
    ... )
    >>> ix.resolve("Abou Kamal").said("Abou Kamal")
    "'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'"
    >>> ix.resolve("البوكمال").reason
    'skeleton'
    >>> print(ix.resolve("hezbollah").said("hezbollah"))
    'hezbollah' -> 'Lebanese Hezbollah' (lebanese-hezbollah); also matches "Kata'ib Hezbollah" (kataib-hezbollah)
    """

    def __init__(self, entries: Iterable[tuple[str, str, str]] = ()):
        self.names: dict[str, str] = {}  # id -> display name
        self.types: dict[str, str] = {}
        self._spellings: list[tuple[str, str, int]] = []  # (id, spelling, form)
        self._seen: set[tuple[str, str]] = set()  # (id, name key): one spelling of each per entity
        self._exact: dict[str, list[int]] = {}  # name key -> spellings
        # Keys, trigrams and scores belong to folded forms, which many spellings share (names repeat).
        self._form_ids: dict[str, int] = {}
        self._forms: list[str] = []  # folded form
        self._form_spellings: list[list[int]] = []
        self._keys: dict[str, list[int]] = {}  # match key -> forms
        self._grams: dict[str, list[int]] = {}  # trigram of the folded form -> forms
        for eid, name, etype in entries:
            first = eid not in self.names
            if first:
                self.names[eid], self.types[eid] = name, etype
            self._add(eid, name)
            if first:  # after the name: a spelling the id shares with it is shown as the name
                self._add(eid, eid)

    @classmethod
    def from_graph(cls, G: Any) -> NameIndex:
        """Every id, name and alias of a networkx graph's nodes (as :func:`graph.build.build_graph` makes them)."""
        return cls(
            (n, text, data.get("type", ""))
            for n, data in G.nodes(data=True)
            for text in (data.get("name") or n, *(data.get("aliases") or ()))
        )

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, eid: object) -> bool:
        return eid in self.names

    def _add(self, eid: str, text: str) -> None:
        exact = name_key(text)
        if not exact or (eid, exact) in self._seen:
            return  # nothing to match, or a spelling this entity already has
        self._seen.add((eid, exact))
        words = _words(text)
        folded = " ".join(words)
        form = self._form_ids.get(folded)
        if form is None:
            form = self._form_ids[folded] = len(self._forms)
            self._forms.append(folded)
            self._form_spellings.append([])
            for k in _keys(words):
                self._keys.setdefault(k, []).append(form)
            for g in _grams(folded):
                self._grams.setdefault(g, []).append(form)
        i = len(self._spellings)
        self._spellings.append((eid, text, form))
        self._form_spellings[form].append(i)
        self._exact.setdefault(exact, []).append(i)

    # ---- matching

    def candidates(
        self, text: str, *, limit: int = 10, types: Iterable[str] | None = None, fuzzy: bool = True
    ) -> list[Candidate]:
        """Entities ``text`` may name, best first, one per entity (its best-matching spelling).

        Raises :class:`BadName` for a name with nothing to match. ``types``
        keeps entities of those types only.
        """
        check_name(text)
        wanted = set(types) if types is not None else None
        words = _words(text)
        folded = " ".join(words)
        digits = _digits(folded)
        # The best (score, reason) of each folded form that matches, then of each entity (its best spelling).
        by_form: dict[int, tuple[int, int]] = {}

        def offer_form(form: int, score: int, reason: int) -> None:
            old = by_form.get(form)
            if old is None or score > old[0]:
                by_form[form] = (score, reason)

        keys = _keys(words)
        for key in sorted(keys):
            if key[0] == "w":
                continue
            reason = {"f": 1, "p": 2, "s": 3}[key[0]]
            # Short skeletons are weak (Sweida and Assad are both "sd"): they rank below the name's other matches.
            score = SCORES[REASONS[reason]] - (10 * max(0, 6 - len(key)) if reason == 3 else 0)
            for form in self._keys.get(key, ()):
                offer_form(form, score, reason)
        # A word in common (مشفى بدر and Badr Hospital): a suggestion, never a resolution.
        asked = sorted(k for k in keys if k[0] == "w")
        shared = Counter(f for k in asked for f in self._keys.get(k, ()))
        for form, n in shared.items():
            offer_form(form, _round(WORD_SCORE * n / len(asked)), 3)
        if fuzzy:
            for form, score in self._fuzzy(folded, limit=max(limit * 4, 20)):
                offer_form(form, min(FUZZY_CAP, score), 4)

        best: dict[str, tuple[int, int, int]] = {}  # id -> (score, reason, spelling)
        spellings, types = self._spellings, self.types

        def offer(i: int, score: int, reason: int) -> None:
            eid, spelling, _ = spellings[i]
            if wanted is not None and types.get(eid) not in wanted:
                return
            old = best.get(eid)
            # On a tie the spelling an analyst wrote (name, alias) is shown rather than the id.
            if old is None or score > old[0] or (score == old[0] and spellings[old[2]][1] == eid != spelling):
                best[eid] = (score, reason, i)

        if text in self.names:  # an id always wins (its spelling is the id's, or the name's when they share a key)
            offer(self._id_spelling(text), SCORES["alias"], 0)
        for i in self._exact.get(name_key(text), ()):
            offer(i, SCORES["alias"], 0)
        for form, (score, reason) in by_form.items():
            if _digits(self._forms[form]) != digits:  # Brigade 9 is not Brigade 19: suggest only
                score = min(score, OTHER_NUMBER)
            for i in self._form_spellings[form]:
                offer(i, score, reason)
        names = self.names
        ranked = heapq.nsmallest(
            limit, best.items(), key=lambda kv: (-kv[1][0], kv[0] != text, kv[1][1], names[kv[0]], kv[0])
        )
        return [
            Candidate(eid, names[eid], spellings[i][1], score, REASONS[reason], types.get(eid, ""))
            for eid, (score, reason, i) in ranked
        ]

    def _id_spelling(self, eid: str) -> int:
        return next(i for i in self._exact.get(name_key(eid), ()) if self._spellings[i][0] == eid)

    def _fuzzy(self, folded: str, *, limit: int) -> list[tuple[int, int]]:
        """(form, score) of the closest folded forms, scored (as :func:`similarity`) among the block.

        :func:`similarity` is the maximum of three rapidfuzz scorers: each runs over the block in C,
        which is many times faster than one Python scorer (bench/bench_names.py)."""
        block = self._block(folded)
        if not block:
            return []
        choices = {form: self._forms[form] for form in block}
        scores: dict[int, float] = {}
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _, score, form in process.extract(
                folded, choices, scorer=scorer, limit=None, score_cutoff=FUZZY_CUTOFF
            ):
                scores[form] = max(score, scores.get(form, 0.0))
        if len(folded) >= 4:  # words of a longer name (similarity says why)
            longer = {form: text for form, text in choices.items() if len(text) >= len(folded)}
            cutoff = FUZZY_CUTOFF / SUBSET_WEIGHT
            for _, score, form in process.extract(
                folded, longer, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=cutoff
            ):
                scores[form] = max(SUBSET_WEIGHT * score, scores.get(form, 0.0))
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(form, _round(score)) for form, score in best if score >= FUZZY_CUTOFF]

    def _block(self, folded: str, *, share: float = 0.4, cap: int = BLOCK_CAP) -> list[int]:
        """The forms worth a fuzzy score (the pages' port blocks alike): those with one of the name's rarest
        n - k + 1 trigrams, k = 40% of its n, which any form sharing k of them has (a prefix filter). Past
        ``cap`` forms no further trigram is added: a name made of common trigrams is compared with those
        sharing its rarest ones."""
        grams = _grams(folded)
        if not grams:
            return []
        need = max(1, int(len(grams) * share))
        postings = self._grams
        rarest = sorted(grams, key=lambda g: (len(postings.get(g, ())), g))
        out: set[int] = set()
        for g in rarest[: len(grams) - need + 1]:
            out.update(postings.get(g, ()))
            if len(out) > cap:
                break
        return sorted(out)

    def resolve(self, text: str, *, types: Iterable[str] | None = None, what: str = "entity") -> Candidate:
        """The one entity ``text`` names: a unique clear best match, with ``also`` the others close to it.

        Raises :class:`AmbiguousName` when several match about as well,
        :class:`UnknownName` (with suggestions) when none matches well enough,
        :class:`BadName` when there is nothing to match.
        """
        found = self.candidates(text, limit=12, types=types)
        if not found or found[0].score < (FUZZY_RESOLVES if found[0].reason == "fuzzy" else RESOLVE_AT_LEAST):
            raise UnknownName(text, found[:3], what=what)
        top, rest = found[0], found[1:]
        if top.id == text:  # an id names one entity, always
            return top
        close = [c for c in rest if c.score > top.score - CLEAR_MARGIN and c.reason != "fuzzy" or c.score == top.score]
        if close:
            raise AmbiguousName(text, [top, *close][:8], what=what)
        also = tuple(c for c in rest if c.score >= ALSO_AT_LEAST and c.type == top.type)
        return replace(top, also=also[:5])

    def naive(self, text: str, *, limit: int = 10) -> list[tuple[str, int]]:
        """The baseline the benchmark compares with: every spelling scored (no keys, no blocking)."""
        folded = [self._forms[form] for _, _, form in self._spellings]
        found = process.extract(fold(text), folded, scorer=similarity, limit=limit)
        return [(self._spellings[i][0], _round(score)) for _, score, i in found]


def similarity(a: str, b: str, *, score_cutoff: float | None = None, **_: Any) -> float:
    """How alike two folded names are, 0-100: whole strings, words in any order, or one's words within the other's.

    ``a`` is what was asked, ``b`` a known name. Words of a known name count for less
    (Hezbollah in Kata'ib Hezbollah), and a short name inside a long one (US in Husam Luqa),
    or a known name inside what was asked, for nothing special.

    >>> similarity("palmira", "palmyra") > 80, similarity("hizbula", "katayb hizbula"), round(similarity("x", "x furs"))
    (True, 85.0, 29)
    """
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    # Part of a name (Hezbollah for Kata'ib Hezbollah), not more than it (wire 2022 OR x for wire 2022);
    # and one letter or two within a long name says nothing.
    if 4 <= len(a) <= len(b):
        score = max(score, SUBSET_WEIGHT * fuzz.token_set_ratio(a, b))
    return score if score_cutoff is None or score >= score_cutoff else 0.0


def _word_skeletons(text: str) -> set[str]:
    return _skeletons_of(_words(text))


def _digits(folded: str) -> tuple[str, ...]:
    """The numbers in a folded name (Fog 47: ("47",)): names with other numbers are other units."""
    return tuple(_DIGIT_RUNS.findall(folded))


_DIGIT_RUNS = re.compile(r"\d+")


def _round(x: float) -> int:
    return round(x)  # half to even, as the pages' port (viz/assets/common.js roundHalfEven)


def _grams(folded: str) -> set[str]:
    padded = f" {folded} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
