"""Hypothesis strategies for whole datasets, drawn from the schema registry and the models' own limits.

Everything a strategy makes is valid by the models (graph.models): entity and relation types from
:data:`graph.schema.REGISTRY`, relations only between the types their registry entry allows, attributes
by their declared kind, partial dates in years 1-9999, Admiralty grades from the registry's scales,
names and texts in any script (control characters only where the models allow them: tab and line
breaks in free text, never in names), ids at their pattern and length, quotes of at most 25 words.
``according_to`` and ``via`` name entities of the dataset; observations are never later than their
source. What the pipeline does with such data is the property under test.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from graph.dates import first_day, last_day
from graph.models import INT64, MAX_NAME_CHARS, MAX_QUOTE_WORDS, SLUG_PATTERN
from graph.schema import REGISTRY

# C0 controls and DEL: never in a fact. Tab and line breaks: in free text only.
_C0 = "".join(chr(c) for c in range(0x20)) + "\x7f"
_BREAKS = "\n\r\u2028\u2029\x85"
# Surrogates cannot be encoded; everything else of Unicode may turn up.
NAME_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters=_C0 + _BREAKS)
# A lone carriage return is left out: XML readers (GraphML) turn it into a line feed, so the round trip
# would differ; its CSV export has a test of its own (test_csv_export_keeps_a_carriage_return_in_its_cell).
TEXT_CHARS = st.one_of(st.characters(exclude_categories=("Cs",), exclude_characters=_C0), st.sampled_from("\t\n"))
# A text's first and last characters are letters or digits: the models strip surrounding whitespace,
# and a text of whitespace alone is empty.
EDGE = st.characters(categories=("L", "N"))
WORD_CHARS = NAME_CHARS.filter(lambda c: not c.isspace())


def _framed(middle: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(EDGE, st.builds(lambda a, m, b: a + m + b, EDGE, middle, EDGE))


names = st.one_of(
    _framed(st.text(NAME_CHARS, max_size=40)),
    # Now and then one at the models' limit: 1,000 characters, 4 bytes each in UTF-8 for some scripts.
    st.builds(lambda c, n: c * n, EDGE, st.integers(MAX_NAME_CHARS - 10, MAX_NAME_CHARS)),
)
texts = _framed(st.text(TEXT_CHARS, max_size=80))
slugs = st.from_regex(SLUG_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 200)
quotes = st.lists(st.text(WORD_CHARS, min_size=1, max_size=20), min_size=1, max_size=MAX_QUOTE_WORDS).map(" ".join)
reliabilities = st.sampled_from(REGISTRY.reliability.grades)
credibilities = st.sampled_from(REGISTRY.credibility.grades)
# Words, not an id: an anonymous originator ("a source close to the council").
anonymous = st.builds(lambda w: f"a source {w}", st.text(string.ascii_letters + " ", max_size=20))


@st.composite
def partial_dates(draw, min_year: int = 1, max_year: int = 9999) -> str:
    """``2021``, ``2021-12`` or ``2021-12-05``, any year from ``min_year`` to ``max_year``."""
    year = draw(st.integers(min_year, max_year))
    shape = draw(st.sampled_from(("y", "ym", "ymd")))
    if shape == "y":
        return f"{year:04d}"
    month = draw(st.integers(1, 12))
    if shape == "ym":
        return f"{year:04d}-{month:02d}"
    day = draw(st.integers(1, last_day(f"{year:04d}-{month:02d}").day))
    return f"{year:04d}-{month:02d}-{day:02d}"


@st.composite
def date_spans(draw) -> tuple[str, str]:
    """Two partial dates in order: the second's last day is not before the first's first day."""
    a, b = draw(partial_dates()), draw(partial_dates())
    return (a, b) if last_day(b) >= first_day(a) else (b, a)  # else b lies wholly before a


def _value(kind: str) -> st.SearchStrategy:
    return {
        "string": texts,
        "date": partial_dates(),
        "integer": st.integers(*INT64),
        "number": st.floats(allow_nan=False, allow_infinity=False),
        "strings": st.lists(texts, min_size=1, max_size=3),
    }[kind]


def _attributes(declared: dict) -> st.SearchStrategy[dict]:
    """Some of the declared attributes, each by its kind."""
    return st.fixed_dictionaries({}, optional={name: _value(a.kind) for name, a in declared.items()})


@st.composite
def sources(draw, sid: str) -> dict:
    src = {"id": sid, "title": draw(texts), "publisher": draw(texts), "reliability": draw(reliabilities)}
    dates = draw(st.sampled_from(("published", "retrieved", "both")))
    if dates == "both":
        src["published"], src["retrieved"] = draw(date_spans())
    else:
        src[dates] = draw(partial_dates())
    for key, strategy in (("author", names), ("url", names)):
        if draw(st.booleans()):
            src[key] = draw(strategy)
    return src


@st.composite
def evidence(draw, srcs: list[dict], entity_ids: list[str]) -> dict:
    src = draw(st.sampled_from(srcs))
    ev = {"source": src["id"], "quote": draw(quotes)}
    if draw(st.booleans()):
        ev["credibility"] = draw(credibilities)
    if draw(st.booleans()):
        # No later than what the source saw: a year up to the source's, only a year when it is the same.
        seen = last_day(src.get("published") or src["retrieved"]).year
        year = draw(st.integers(1, seen))
        ev["observed"] = f"{year:04d}" if year == seen else draw(partial_dates(year, year))
    if entity_ids and draw(st.booleans()):
        ev["according_to"] = draw(st.one_of(st.sampled_from(entity_ids), anonymous))
    if entity_ids and draw(st.booleans()):
        ev["via"] = draw(st.sampled_from(entity_ids))
    return ev


@st.composite
def datasets(draw, max_entities: int = 8, max_relations: int = 10) -> dict[str, list[dict]]:
    """``{"sources": [...], "entities": [...], "relations": [...]}``: a valid dataset."""
    source_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    srcs = [draw(sources(sid)) for sid in source_ids]
    entity_ids = draw(st.lists(slugs, min_size=1, max_size=max_entities, unique=True))
    entities = []
    for eid in entity_ids:
        etype = draw(st.sampled_from(list(REGISTRY.entities)))
        ent = {"id": eid, "type": etype, "name": draw(names), **draw(_attributes(REGISTRY.entities[etype].attributes))}
        if draw(st.booleans()):
            ent["aliases"] = draw(st.lists(names, max_size=3))
        if draw(st.booleans()):
            ent["description"] = draw(texts)
        if draw(st.booleans()):
            ent["lat"], ent["lon"] = draw(st.floats(-90, 90)), draw(st.floats(-180, 180))
            ent["geo_precision"] = "exact"
        if draw(st.booleans()):
            ent["evidence"] = draw(st.lists(evidence(srcs, entity_ids), min_size=1, max_size=2))
        elif draw(st.booleans()):
            ent["inferred"] = draw(texts)
        entities.append(ent)
    by_type: dict[str, list[str]] = {}
    for ent in entities:
        by_type.setdefault(ent["type"], []).append(ent["id"])
    possible = [
        rt
        for rt in REGISTRY.relations.values()
        if any(t in by_type for t in rt.sources) and any(t in by_type for t in rt.targets)
    ]
    relations, keys = [], set()
    for _ in range(draw(st.integers(0, max_relations if possible else 0))):
        rt = draw(st.sampled_from(possible))
        frm = draw(st.sampled_from([e for t in sorted(rt.sources) for e in by_type.get(t, [])]))
        to = draw(st.sampled_from([e for t in sorted(rt.targets) for e in by_type.get(t, [])]))
        if (frm, rt.name, to) in keys:  # one statement per edge: a second could contradict its attributes
            continue
        keys.add((frm, rt.name, to))
        rel = {
            "type": rt.name,
            "from": frm,
            "to": to,
            "credibility": draw(credibilities),
            "evidence": draw(st.lists(evidence(srcs, entity_ids), min_size=1, max_size=3)),
            **draw(_attributes(rt.attributes)),
        }
        span = draw(st.sampled_from(("none", "from", "to", "both")))
        start, end = draw(date_spans())
        if span in ("from", "both"):
            rel["valid_from"] = start
        if span in ("to", "both"):
            rel["valid_to"] = end
        relations.append(rel)
    return {"sources": srcs, "entities": entities, "relations": relations}
