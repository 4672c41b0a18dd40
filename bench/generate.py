"""Deterministic synthetic datasets in actorgraph's fact format, at any size.

    python bench/generate.py --entities 100000 --relations 1000000 --out bench/data/100k

writes ``bench.sources.jsonl``, ``bench.entities.jsonl`` and ``bench.relations.jsonl``
(JSON Lines, one record a line, as :mod:`loaders.tabular` reads them) that pass
``kg validate``. The same seed gives the same bytes.

The world is shaped like the real thing: a hierarchy of places (country >
governorate > city > neighbourhood), sites located in cities, a few large armed
groups with many members and many small ones, governments backing groups, a
leader for every group, body and campaign, events that take place somewhere;
then relations of every registered type between weighted-random endpoints.
Provenance: a few hundred sources graded A-F, a short quote per piece of
evidence, credibility 1-6, some validity dates; some relations are stated by two
sources (as a two-item evidence list, or as a second row that the loader merges).

Everything type-specific is derived from ``graph.schema.REGISTRY``: endpoints are
always drawn from a relation's allowed types, attributes from the declared ones.
The preferences below (who tends to back whom) only narrow those sets, and a type
added to the registry gets generic records without touching this file.

``--relations`` counts distinct edges (from, type, to): the built graph has exactly
that many; the relations file has about 1% more rows (the second statements).

From other benches (with ``bench/`` on ``sys.path``)::

    from generate import generate, iter_records

    paths = generate(100_000, 1_000_000, "bench/data/100k")  # {section: Path}
    for section, record in iter_records(1_000, 5_000):
        ...  # in memory, same records
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

from graph.schema import REGISTRY, Registry

# -- shape of the world ---------------------------------------------------------

# Share of entities per type (unknown types get DEFAULT_SHARE).
ENTITY_SHARES = {
    "Person": 0.45,
    "ArmedGroup": 0.05,
    "Government": 0.0001,
    "Organization": 0.04,
    "Site": 0.10,
    "Place": 0.15,
    "Campaign": 0.02,
    "Event": 0.19,
}
DEFAULT_SHARE = 0.02
# Popularity skew per type (Zipf exponent): a few groups and governments draw most ties.
SKEW = {
    "ArmedGroup": 1.05,
    "Government": 1.0,
    "Organization": 0.8,
    "Site": 0.5,
    "Campaign": 0.7,
    "Person": 0.2,
    "Event": 0.1,
}
# Weight of each relation type among the randomly drawn relations (unknown types: DEFAULT_WEIGHT).
RELATION_WEIGHTS = {
    "MEMBER_OF": 0.30,
    "OPERATES_IN": 0.09,
    "ATTACKS": 0.07,
    "TARGETS": 0.07,
    "OCCUPIES": 0.06,
    "OPPOSES": 0.05,
    "ALLIED_WITH": 0.04,
    "RECRUITS_IN": 0.04,
    "SUPPORTS": 0.04,
    "CONTROLS": 0.03,
    "BACKED_BY": 0.03,
    "NEAR": 0.03,
    "PART_OF": 0.02,
    "RUNS": 0.02,
    "LEADS": 0.02,
    "TAKES_PLACE_IN": 0.03,
    "LOCATED_IN": 0.01,
}
DEFAULT_WEIGHT = 0.02
# Preferred endpoint types (intersected with what the registry allows; ignored if that is empty).
PREFER = {
    "MEMBER_OF": (("Person",), ("ArmedGroup", "Organization", "Government")),
    "BACKED_BY": (("ArmedGroup",), ("Government", "ArmedGroup")),
    "PART_OF": (("ArmedGroup", "Organization"), ("ArmedGroup", "Organization")),
    "ALLIED_WITH": (("ArmedGroup", "Government", "Organization"), ("ArmedGroup", "Government")),
    "OPPOSES": (("ArmedGroup", "Government"), ("ArmedGroup", "Government")),
    "SUPPORTS": (("Government", "Organization", "ArmedGroup"), ("Campaign", "ArmedGroup")),
    "RUNS": (("ArmedGroup", "Government", "Organization"), ("Campaign",)),
    "CONTROLS": (("ArmedGroup", "Government"), ("Place",)),
    "OPERATES_IN": (("ArmedGroup", "Organization", "Government"), ("Place",)),
    "RECRUITS_IN": (("ArmedGroup",), ("Place",)),
    "ATTACKS": (("ArmedGroup", "Event", "Government"), ("ArmedGroup", "Site", "Place")),
    "TARGETS": (("Event", "Campaign"), ("ArmedGroup", "Place", "Site", "Person")),
    "LEADS": (("Person",), ("ArmedGroup", "Organization", "Campaign")),
}
# Type weights within a preferred endpoint set (default 1): members join groups more than bodies.
PREFER_WEIGHT = {("MEMBER_OF", "ArmedGroup"): 6, ("TARGETS", "Person"): 0.2}
# Place hierarchy, top down; LOCATED_IN points one level up.
PLACE_LEVELS = ("country", "governorate", "city", "neighbourhood")

MULTI_EVIDENCE = 0.03  # share of relations with a two-item evidence list
SECOND_ROW = 0.01  # share of relations stated again in a later row (merged by the loader)
DATED = 0.35  # share of relations with valid_from (some of those also valid_to)

# -- vocabulary -----------------------------------------------------------------

GIVEN = (
    "Ahmad Ali Hassan Hussein Omar Khalid Mahmoud Mustafa Ibrahim Youssef Samir Nabil Fadi Ziad Tariq "
    "Walid Bashar Maher Rami Jamil Suhail Adnan Fawaz Issam Qasim Hadi Abbas Jaafar Karim Munir Nizar "
    "Salim Talal Wissam Yasser Zuhair Firas Ghassan Hamza Imad Jawad Louay Majd Nour Rafiq Sami Tamer "
    "Usama Wael Fatima Zainab Maryam Rania Huda Lina Dima Salma"
).split()
FAMILY = (
    "al-Hassan al-Ali al-Ahmad al-Khatib al-Masri al-Halabi al-Shami al-Homsi al-Tikriti al-Jubouri "
    "al-Obeidi al-Dulaimi al-Shammari al-Zubaidi al-Rawi al-Ani al-Hadidi al-Bakr al-Hamad al-Nuaimi "
    "Haddad Khoury Mansour Nasser Saleh Suleiman Darwish Hamdan Qasem Ayoub Barakat Daher Farhat Ghanem "
    "Habib Jaber Kanaan Maalouf Najjar Rahal Sabbagh Tannous Yazbek Zein Aswad Bitar Fakhoury Hijazi "
    "Jarrah Karam Makdisi Othman Rizk Shalhoub Taha Wehbe Zaher"
).split()
RANKS = (
    "Major General",
    "Brigadier General",
    "Colonel",
    "Lieutenant Colonel",
    "Major",
    "Captain",
    "Lieutenant",
    "Sheikh",
    "Emir",
    "Commander",
)
ADJ = (
    "Northern Southern Eastern Western Free Popular National Revolutionary Islamic Desert Mountain "
    "Coastal Martyrs Victory Dawn Liberation Unity Loyal Steadfast Golden Black White Red Green Iron "
    "Thunder Storm Falcon Sword Shield"
).split()
NOUN = (
    "Lions Eagles Falcons Tigers Wolves Hawks Knights Guardians Defenders Brigades Battalions Sons "
    "Youth Tribes Regiment Companions Partisans Volunteers Rangers Hunters Mujahideen Commandos "
    "Swords Shields Arrows Spears Banners Horsemen Sentinels"
).split()
UNIT = ("Brigade", "Battalion", "Division", "Regiment", "Front", "Army", "Corps", "Forces", "Movement", "Gathering")
ORG = (
    "Intelligence Directorate",
    "Security Office",
    "Media Foundation",
    "Relief Committee",
    "Police Command",
    "Customs Authority",
    "Holding Company",
    "Charitable Society",
    "Recruitment Office",
    "Political Bureau",
)
SITE = (
    "Hospital",
    "Compound",
    "Base",
    "Checkpoint",
    "Crossing",
    "Mosque",
    "School",
    "Airport",
    "Warehouse",
    "Headquarters",
    "Prison",
    "Factory",
)
SYL = (
    "tal kafr deir ain bab jisr qasr ras khan beit abu umm sahl wadi jabal maarat al ram nahr tell "
    "mazraa hama raqa zor bid ham dan sur kar nab mal har bar"
).split()
PUBLISHERS = (
    "Levant Monitor",
    "Regional Observer",
    "Frontline Wire",
    "Desert Dispatch",
    "Crisis Watch",
    "Conflict Review",
    "Border Report",
    "Daily Courier",
    "Field Notes Agency",
    "Open Source Desk",
    "Human Rights Ledger",
    "Security Bulletin",
)
TITLES = (
    "field report",
    "investigation",
    "interview",
    "press release",
    "situation report",
    "analysis",
    "leaked memo",
    "court record",
    "satellite assessment",
    "monthly bulletin",
)
TAILS = (
    "residents said",
    "according to local sources",
    "a commander confirmed",
    "witnesses reported",
    "officials said",
    "footage showed",
    "two sources said",
    "documents show",
    "the statement said",
    "activists reported",
    "a former member said",
    "according to the report",
)
MONTHS = ("January February March April May June July August September October November December").split()
# Attribute values by attribute name (entity-type specific first); else the description's examples.
VOCAB = {
    ("ArmedGroup", "kind"): ("militia", "militia", "militia", "unit", "army", "insurgency", "resistance", "coalition"),
    ("Organization", "kind"): ("intelligence agency", "police", "media outlet", "NGO", "company", "ministry"),
    ("Site", "kind"): tuple(s.lower() for s in SITE),
    ("Campaign", "kind"): ("recruitment", "reconciliation", "strike campaign", "siege", "offensive"),
    ("Event", "kind"): ("airstrike", "attack", "arrest wave", "ambush", "shelling", "assassination", "bombing"),
    "rank": RANKS,
    "nationality": ("Syrian", "Iraqi", "Lebanese", "Iranian", "Turkish", "Jordanian", "Afghan", "Pakistani"),
    "title": ("commander", "head", "founder", "deputy commander", "emir", "director"),
    "role": ("spokesman", "officer", "fighter", "financier", "recruiter", "sniper", "medic", "driver"),
    "use": ("headquarters", "base", "warehouse", "checkpoint", "recruitment centre", "prison", "training camp"),
    "method": ("pay", "drugs", "brokers", "forced conscription", "airstrike", "drone", "rockets", "artillery"),
}
# (Verb phrases for quotes; a relation type not listed is said with its lowercased name.)
VERBS = {
    "LEADS": "is led by",
    "MEMBER_OF": "is a member of",
    "PART_OF": "operates under",
    "BACKED_BY": "is armed by",
    "ALLIED_WITH": "fights alongside",
    "OPPOSES": "clashed with",
    "OCCUPIES": "took over",
    "CONTROLS": "controls",
    "OPERATES_IN": "is active in",
    "RECRUITS_IN": "recruits fighters in",
    "LOCATED_IN": "lies in",
    "NEAR": "is next to",
    "RUNS": "launched",
    "SUPPORTS": "backs",
    "TARGETS": "hit",
    "TAKES_PLACE_IN": "happened in",
    "ATTACKS": "struck",
}


def _words(text: str, limit: int = 25) -> str:
    w = text.split()
    return " ".join(w[:limit])


def _cum(weights) -> list[float]:
    return list(accumulate(weights))


class _Pick:
    """Weighted random choice over a fixed population (cumulative weights + bisect)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = _cum(weights)
        self.total = self.cum[-1] if self.cum else 0.0

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


class _World:
    def __init__(self, n_entities: int, n_relations: int, seed: int, n_sources: int | None, registry: Registry):
        self.rng = random.Random(seed)
        self.reg = registry
        self.n_entities, self.n_relations = n_entities, n_relations
        self.n_sources = n_sources or max(3, min(400, n_relations // 2500))
        self.ids: list[str] = []
        self.types: list[str] = []
        self.names: list[str] = []
        self.by_type: dict[str, list[int]] = {t: [] for t in registry.entities}
        self.level: dict[int, int] = {}  # place index -> level in PLACE_LEVELS

    # -- small helpers ----------------------------------------------------------

    def date(self, lo: int = 2011, hi: int = 2024) -> str:
        r = self.rng
        y = r.randint(lo, hi)
        g = r.random()
        if g < 0.3:
            return str(y)
        m = r.randint(1, 12)
        if g < 0.7:
            return f"{y}-{m:02d}"
        return f"{y}-{m:02d}-{r.randint(1, 28):02d}"

    def place_name(self) -> str:
        r = self.rng
        a, b = r.choice(SYL), r.choice(SYL)
        name = (a + b).capitalize()
        return f"{r.choice(SYL).capitalize()} {name}" if r.random() < 0.4 else name

    def value(self, etype: str | None, attr) -> object:
        r = self.rng
        vocab = VOCAB.get((etype, attr.name)) or VOCAB.get(attr.name)
        if attr.kind == "date":
            return self.date()
        if attr.kind == "integer":
            return r.randint(1, 500)
        if attr.kind == "number":
            return round(r.uniform(0, 1000), 2)
        if attr.kind == "strings":
            return [r.choice(vocab) if vocab else f"{attr.name}-{r.randint(1, 50)}" for _ in range(r.randint(1, 3))]
        if attr.name == "casualties":
            return f"{r.randint(1, 60)} {r.choice(('killed', 'wounded', 'killed', 'detained'))}"
        if vocab:
            return r.choice(vocab)
        examples = [e.strip() for e in attr.description.replace("e.g.", ",").split(",")]
        examples = [e for e in examples if e and e != "..."]
        return r.choice(examples) if len(examples) > 2 else f"{attr.name} {r.randint(1, 50)}"

    # -- sources --------------------------------------------------------------

    def sources(self) -> Iterator[dict]:
        r = self.rng
        self.source_ids = [f"src-{i:04d}" for i in range(self.n_sources)]
        self.source_pick = _Pick(self.source_ids, [1 / (i + 1) ** 0.8 for i in range(self.n_sources)])
        for sid in self.source_ids:
            pub = r.choice(PUBLISHERS)
            rec = {
                "id": sid,
                "title": f"{pub} {r.choice(TITLES)} on {self.place_name()}",
                "publisher": pub,
                "published": self.date(2012, 2025),
                "reliability": r.choices("ABCDEF", (5, 30, 35, 20, 7, 3))[0],
            }
            if r.random() < 0.5:
                rec["author"] = f"{r.choice(GIVEN)} {r.choice(FAMILY)}"
            if r.random() < 0.6:
                rec["url"] = f"https://{pub.lower().replace(' ', '-')}.example.org/{sid}"
            yield rec

    # -- entities -------------------------------------------------------------

    def _counts(self) -> dict[str, int]:
        types = list(self.reg.entities)
        shares = {t: ENTITY_SHARES.get(t, DEFAULT_SHARE) for t in types}
        total = sum(shares.values())
        n = self.n_entities
        counts = {t: int(n * s / total) for t, s in shares.items()}
        if n >= len(types):
            for t in types:
                counts[t] = max(counts[t], 1)
        # What rounding left over goes to the biggest type.
        big = max(types, key=lambda t: shares[t])
        counts[big] += n - sum(counts.values())
        if counts[big] < 0:  # tiny worlds: trim from the biggest types down
            for t in sorted(types, key=lambda t: -counts[t]):
                give = min(counts[t] - 1, -counts[big])
                if t != big and give > 0:
                    counts[t] -= give
                    counts[big] += give
        return counts

    def _add(self, etype: str, name: str) -> int:
        i = len(self.ids)
        self.ids.append(f"{etype.lower()}-{len(self.by_type[etype]):06d}")
        self.types.append(etype)
        self.names.append(name)
        self.by_type[etype].append(i)
        return i

    def entities(self) -> Iterator[dict]:
        counts = self._counts()
        self.counts = counts
        # Places first: the hierarchy gives other names something to refer to.
        n_places = counts.get("Place", 0)
        if n_places:
            n_country = max(1, min(8, n_places // 2000 + 1))
            n_gov = max(1, min(n_places - n_country, max(n_country, n_places // 60)))
            n_city = max(0, min(n_places - n_country - n_gov, n_places // 6))
            sizes = (n_country, n_gov, n_city, n_places - n_country - n_gov - n_city)
            for lvl, size in enumerate(sizes):
                for _ in range(size):
                    i = self._add("Place", self.place_name())
                    self.level[i] = lvl
        self.countries = [i for i in self.by_type.get("Place", []) if self.level[i] == 0]
        for etype in self.reg.entities:
            if etype == "Place":
                continue
            for k in range(counts[etype]):
                self._add(etype, self._name(etype, k))
        for i in range(len(self.ids)):
            yield self._entity(i)

    def _name(self, etype: str, k: int) -> str:
        r = self.rng
        if etype == "Person":
            return f"{r.choice(GIVEN)} {r.choice(FAMILY)}"
        if etype == "ArmedGroup":
            return f"{r.choice(ADJ)} {r.choice(NOUN)} {r.choice(UNIT)}"
        if etype == "Government":
            if self.countries and k < len(self.countries):
                return f"Government of {self.names[self.countries[k]]}"
            kind = r.choice(("Provisional", "Interim", "Regional", "Autonomous"))
            return f"{kind} Administration of {self.place_name()}"
        if etype == "Organization":
            return f"{r.choice(ADJ)} {r.choice(ORG)}"
        if etype == "Site":
            return f"{self.place_name()} {r.choice(SITE)}"
        if etype == "Campaign":
            return f"Operation {r.choice(ADJ)} {r.choice(NOUN)}"
        if etype == "Event":
            return f"{r.choice(VOCAB[('Event', 'kind')]).capitalize()} on {self.place_name()}"
        return f"{etype} {k + 1}"

    def _entity(self, i: int) -> dict:
        r = self.rng
        etype, name = self.types[i], self.names[i]
        rec: dict = {"id": self.ids[i], "type": etype, "name": name}
        if etype == "Person" and r.random() < 0.25:
            rec["aliases"] = [f"Abu {r.choice(GIVEN)}"] + ([name.split()[0]] if r.random() < 0.3 else [])
        elif etype == "ArmedGroup" and r.random() < 0.5:
            rec["aliases"] = ["".join(w[0] for w in name.split() if w[0].isupper())]
        elif etype == "Place" and r.random() < 0.2:
            rec["aliases"] = [name.replace("a", "e", 1)]
        if etype in ("Place", "Site"):
            rec["lat"] = round(r.uniform(29.0, 37.5), 5)
            rec["lon"] = round(r.uniform(35.0, 48.0), 5)
            rec["geo_precision"] = "site" if etype == "Site" else "town"
        if r.random() < 0.1:
            rec["description"] = f"{etype} mentioned in {r.choice(TITLES)}s since {r.randint(2011, 2024)}."
        for attr in self.reg.entities[etype].attributes.values():
            if etype == "Place" and attr.name == "kind":
                rec["kind"] = PLACE_LEVELS[self.level[i]]
            elif etype == "Campaign" and attr.name == "end":
                continue
            elif r.random() < 0.6:
                rec[attr.name] = self.value(etype, attr)
        if etype == "Campaign" and "end" in self.reg.entities[etype].attributes and "start" in rec and r.random() < 0.5:
            rec["end"] = str(int(rec["start"][:4]) + r.randint(0, 3))
        return rec

    # -- relations ------------------------------------------------------------

    def _type_picks(self) -> None:
        """Per entity type, a popularity-skewed pick over its entities."""
        self.entity_pick: dict[str, _Pick] = {}
        for etype, members in self.by_type.items():
            if not members:
                continue
            if etype == "Place":  # the higher the level, the more ties
                weights = [(4.0, 2.5, 1.5, 1.0)[self.level[i]] for i in members]
            else:
                s = SKEW.get(etype, 0.5)
                weights = [1 / (k + 1) ** s for k in range(len(members))]
            self.entity_pick[etype] = _Pick(members, weights)

    def _end_pick(self, rel: str, allowed: frozenset[str], side: int) -> _Pick | None:
        present = [t for t in sorted(allowed) if t in self.entity_pick]
        pref = [t for t in PREFER.get(rel, ((), ()))[side] if t in present]
        types = pref or present
        if not types:
            return None
        # Draw the type by its head-count (times the preference weight), then the entity.
        w = [len(self.by_type[t]) * PREFER_WEIGHT.get((rel, t), 1) for t in types]
        return _Pick([self.entity_pick[t] for t in types], w)

    def relations(self) -> Iterator[dict]:
        self._type_picks()
        self.seen: set[tuple[int, int, int]] = set()
        self.rel_names = list(self.reg.relations)
        self.later: list[dict] = []
        self.made = 0
        yield from self._structure()
        yield from self._random()
        yield from self.later

    def _allowed(self, rel: str, a: str, b: str) -> bool:
        t = self.reg.relations.get(rel)
        return t is not None and a in t.sources and b in t.targets

    def _emit(self, rel: str, a: int, b: int) -> dict | None:
        """A relation row for a new edge a -rel-> b, or None if it exists or the budget is spent."""
        if self.made >= self.n_relations or a == b:
            return None
        key = (a, self.rel_index[rel], b)
        if key in self.seen:
            return None
        self.seen.add(key)
        self.made += 1
        r = self.rng
        cred = r.choices((1, 2, 3, 4, 5, 6), (4, 25, 35, 20, 10, 6))[0]
        row: dict = {
            "type": rel,
            "from": self.ids[a],
            "to": self.ids[b],
            "credibility": cred,
            "evidence": [self._evidence(rel, a, b)],
        }
        if r.random() < MULTI_EVIDENCE:
            ev = self._evidence(rel, a, b)
            if ev["source"] != row["evidence"][0]["source"]:
                if r.random() < 0.3:
                    ev["credibility"] = r.randint(1, 6)
                row["evidence"].append(ev)
        if r.random() < DATED:
            start = self.date()
            row["valid_from"] = start
            if r.random() < 0.4:
                row["valid_to"] = str(min(2025, int(start[:4]) + r.randint(1, 4)))
        for attr in self.reg.relations[rel].attributes.values():
            if r.random() < 0.5:
                row[attr.name] = self.value(None, attr)
        if r.random() < SECOND_ROW:
            again = {k: v for k, v in row.items() if k != "evidence"}
            ev = self._evidence(rel, a, b)
            if ev["source"] != row["evidence"][0]["source"]:
                again["evidence"] = [ev]
                self.later.append(again)
        return row

    def _evidence(self, rel: str, a: int, b: int) -> dict:
        r = self.rng
        verb = VERBS.get(rel, rel.lower().replace("_", " "))
        when = f"in {r.choice(MONTHS)} {r.randint(2011, 2024)}" if r.random() < 0.5 else ""
        quote = _words(f"{self.names[a]} {verb} {self.names[b]} {when}, {r.choice(TAILS)}".replace(" ,", ","))
        return {"source": self.source_pick(r), "quote": quote}

    def _structure(self) -> Iterator[dict]:
        r = self.rng
        self.rel_index = {name: k for k, name in enumerate(self.rel_names)}
        places = self.by_type.get("Place", [])
        by_level = [[i for i in places if self.level[i] == lvl] for lvl in range(len(PLACE_LEVELS))]
        # Place hierarchy and sites in cities or neighbourhoods.
        if self._allowed("LOCATED_IN", "Place", "Place"):
            for lvl in range(1, len(PLACE_LEVELS)):
                parents = by_level[lvl - 1] or by_level[0]
                for i in by_level[lvl]:
                    row = self._emit("LOCATED_IN", i, parents[int(r.random() ** 1.5 * len(parents))])
                    if row:
                        yield row
        towns = by_level[2] + by_level[3] or places
        if towns and self._allowed("LOCATED_IN", "Site", "Place"):
            for i in self.by_type.get("Site", []):
                row = self._emit("LOCATED_IN", i, r.choice(towns))
                if row:
                    yield row
        # A leader for every group, body, government and campaign.
        people = self.entity_pick.get("Person")
        if people:
            for etype in ("ArmedGroup", "Organization", "Government", "Campaign"):
                if self._allowed("LEADS", "Person", etype):
                    for i in self.by_type.get(etype, []):
                        row = self._emit("LEADS", people(r), i)
                        if row:
                            yield row
        # Events happen somewhere.
        tp = self.reg.relations.get("TAKES_PLACE_IN")
        where = self._end_pick("TAKES_PLACE_IN", tp.targets, 1) if tp and "Event" in tp.sources else None
        if where:
            for i in self.by_type.get("Event", []):
                row = self._emit("TAKES_PLACE_IN", i, where(r)(r))
                if row:
                    yield row
        # Small groups under large ones; governments backing groups.
        groups = self.by_type.get("ArmedGroup", [])
        big = groups[: max(1, len(groups) // 50)]
        if groups and self._allowed("PART_OF", "ArmedGroup", "ArmedGroup"):
            for i in groups[len(big) :]:
                if r.random() < 0.2:
                    row = self._emit("PART_OF", i, r.choice(big))
                    if row:
                        yield row
        govs = self.entity_pick.get("Government")
        if govs and self._allowed("BACKED_BY", "ArmedGroup", "Government"):
            for i in groups:
                if r.random() < 0.3:
                    row = self._emit("BACKED_BY", i, govs(r))
                    if row:
                        yield row

    def _random(self) -> Iterator[dict]:
        r = self.rng
        ends = []
        for rel in self.rel_names:
            t = self.reg.relations[rel]
            a, b = self._end_pick(rel, t.sources, 0), self._end_pick(rel, t.targets, 1)
            if a and b:
                ends.append((rel, a, b, RELATION_WEIGHTS.get(rel, DEFAULT_WEIGHT)))
        if not ends:
            return
        pick = _Pick([e[:3] for e in ends], [e[3] for e in ends])
        misses = 0
        while self.made < self.n_relations:
            rel, a, b = pick(r)
            row = self._emit(rel, a(r)(r), b(r)(r))
            if row is None:
                misses += 1
                if misses > 100_000 + self.n_relations:
                    raise ValueError(
                        f"cannot place {self.n_relations} distinct relations among "
                        f"{self.n_entities} entities (placed {self.made}): use more entities"
                    )
                continue
            yield row


def iter_records(
    n_entities: int, n_relations: int, seed: int = 0, n_sources: int | None = None, registry: Registry = REGISTRY
) -> Iterator[tuple[str, dict]]:
    """(section, record) pairs: every source, then every entity, then every relation row."""
    if n_entities < 2:
        raise ValueError("need at least 2 entities")
    w = _World(n_entities, n_relations, seed, n_sources, registry)
    for rec in w.sources():
        yield "sources", rec
    for rec in w.entities():
        yield "entities", rec
    for rec in w.relations():
        yield "relations", rec


def generate(
    n_entities: int,
    n_relations: int,
    out_dir: str | Path,
    seed: int = 0,
    n_sources: int | None = None,
    prefix: str = "bench",
) -> dict[str, Path]:
    """Write ``{prefix}.{section}.jsonl`` into ``out_dir``; return {section: path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {s: out / f"{prefix}.{s}.jsonl" for s in ("sources", "entities", "relations")}
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    handles = {s: p.open("w", encoding="utf-8") for s, p in paths.items()}
    try:
        for section, rec in iter_records(n_entities, n_relations, seed, n_sources):
            handles[section].write(dumps(rec) + "\n")
    finally:
        for h in handles.values():
            h.close()
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python bench/generate.py --entities 100000 --relations 1000000 --out bench/data/100k",
    )
    ap.add_argument("--entities", type=int, required=True, help="number of entities")
    ap.add_argument("--relations", type=int, required=True, help="number of distinct relations (edges)")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sources", type=int, default=None, help="number of sources (default: scales, 3-400)")
    ap.add_argument("--prefix", default="bench", help="file name prefix (default: bench)")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    try:
        paths = generate(args.entities, args.relations, args.out, args.seed, args.sources, args.prefix)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in paths.values()) / 1e6
    print(f"wrote {', '.join(str(p) for p in paths.values())} ({size:.0f} MB) in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
