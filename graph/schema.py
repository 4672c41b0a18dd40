"""The schema registry, read from ``schema.yaml`` and checked on import.

Everything type-specific in actorgraph (models, validation, legends, Neo4j
labels) is derived from :data:`REGISTRY`; nothing else names a type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")

ATTRIBUTE_KINDS = ("string", "integer", "number", "date", "strings")
# Labels and relationship types end up in Cypher text, so they must be plain identifiers.
_ENTITY_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_RELATION_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# The built-in fields, declared once. Every entity record has ENTITY_FIELDS;
# every relation record has RELATION_FIELDS; the in-memory graph adds
# EDGE_DERIVED to an edge; exports and stores name edges and their ends with
# EDGE_NAMING and keep their own bookkeeping in STORE_FIELDS. A type may
# declare none of these as an attribute.
ENTITY_FIELDS = ("id", "type", "name", "aliases", "description", "lat", "lon", "geo_precision", "evidence", "inferred")
RELATION_FIELDS = ("type", "from", "to", "evidence", "credibility", "valid_from", "valid_to")
EDGE_DERIVED = ("reliability",)
EDGE_NAMING = ("id", "key", "source", "target", "sources", "quotes")
STORE_FIELDS = ("location", "dataset", "names", "name_keys", "hash")
# Properties the store derives by family: network measures written back (graph.neo4j.measures) and
# the evidence and window lists of the mapping. No attribute may start with these.
STORE_PREFIXES = ("measure_", "evidence_", "observed_", "valid_from_", "valid_to_")
ENTITY_RESERVED = ENTITY_FIELDS + STORE_FIELDS
RELATION_RESERVED = RELATION_FIELDS + EDGE_DERIVED + EDGE_NAMING + STORE_FIELDS


class SchemaError(Exception):
    """The registry contradicts itself."""


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str
    description: str = ""


@dataclass(frozen=True)
class EntityType:
    name: str
    description: str
    color: str
    shape: str
    attributes: dict[str, Attribute] = field(default_factory=dict)


@dataclass(frozen=True)
class RelationType:
    name: str
    description: str
    sources: frozenset[str]  # allowed entity types at the "from" end
    targets: frozenset[str]  # allowed entity types at the "to" end
    attributes: dict[str, Attribute] = field(default_factory=dict)


@dataclass(frozen=True)
class Scale:
    """A grading scale, best grade first: Admiralty reliability (A-F) or credibility (1-6), or the
    precision of coordinates (exact ... country; each with the ``radius_m`` maps draw around it)."""

    name: str
    title: str
    description: str
    grades: tuple[str | int, ...]
    meanings: dict[str | int, str]
    radius_m: dict[str | int, int] = field(default_factory=dict)

    @property
    def best(self) -> str | int:
        return self.grades[0]

    @property
    def worst(self) -> str | int:
        return self.grades[-1]

    def rank(self, grade: str | int) -> int:
        """0 for the best grade, 1 for the next...

        >>> REGISTRY.grades["credibility"].rank(1), REGISTRY.grades["reliability"].rank("C")
        (0, 2)
        """
        return self.grades.index(grade)

    def at_least(self, grade: str | int, threshold: str | int | None) -> bool:
        """Whether ``grade`` is as good as ``threshold`` or better (None: any grade).

        >>> credibility = REGISTRY.grades["credibility"]
        >>> credibility.at_least(2, 3), credibility.at_least(4, 3), credibility.at_least(6, None)
        (True, False, True)
        """
        return threshold is None or self.rank(grade) <= self.rank(threshold)

    def label(self, grade: str | int) -> str:
        """``B (usually reliable)``."""
        return f"{grade} ({self.meanings[grade]})"

    def span(self) -> str:
        """``A-F``, ``1-6``: the scale as a range for messages."""
        return f"{self.best}-{self.worst}"

    def as_dict(self) -> dict:
        """The scale for pages and the API: ``{"name", "description", "grades": [{"grade", "meaning"}]}``."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "grades": [
                {"grade": g, "meaning": self.meanings[g], **({"radius_m": self.radius_m[g]} if self.radius_m else {})}
                for g in self.grades
            ],
        }


@dataclass(frozen=True)
class Registry:
    entities: dict[str, EntityType]
    relations: dict[str, RelationType]
    groups: dict[str, tuple[str, ...]]
    grades: dict[str, Scale] = field(default_factory=dict)

    def entity(self, name: str) -> EntityType:
        return self.entities[name]

    def relation(self, name: str) -> RelationType:
        return self.relations[name]

    @property
    def reliability(self) -> Scale:
        return self.grades["reliability"]

    @property
    def credibility(self) -> Scale:
        return self.grades["credibility"]

    @property
    def geo_precision(self) -> Scale:
        """How precisely coordinates place an entity, finest first: exact, site, town, district, region, country."""
        return self.grades["geo_precision"]

    def legend(self) -> list[dict]:
        """Entity types with their colour and shape, in declaration order."""
        return [
            {"type": t.name, "color": t.color, "shape": t.shape, "description": t.description}
            for t in self.entities.values()
        ]


def _attributes(owner: str, raw: dict | None, reserved: tuple[str, ...]) -> dict[str, Attribute]:
    out = {}
    for name, spec in (raw or {}).items():
        if not _ATTRIBUTE_NAME.match(name):
            raise SchemaError(f"{owner}: attribute name {name!r} must be lower_snake_case")
        if name in reserved:
            raise SchemaError(f"{owner}: attribute {name!r} is a built-in field")
        if name.startswith(STORE_PREFIXES):
            raise SchemaError(f"{owner}: attribute {name!r} starts with a prefix the store keeps for itself")
        kind = (spec or {}).get("kind", "string")
        if kind not in ATTRIBUTE_KINDS:
            raise SchemaError(f"{owner}.{name}: unknown kind {kind!r} (one of {', '.join(ATTRIBUTE_KINDS)})")
        out[name] = Attribute(name, kind, (spec or {}).get("description", ""))
    return out


def _expand(owner: str, names: list[str], entities: dict, groups: dict) -> frozenset[str]:
    out: set[str] = set()
    for n in names or []:
        if n in groups:
            out.update(groups[n])
        elif n in entities:
            out.add(n)
        else:
            raise SchemaError(f"{owner}: endpoint {n!r} is neither an entity type nor a group")
    if not out:
        raise SchemaError(f"{owner}: needs at least one endpoint type")
    return frozenset(out)


# The scales the models use, and their grades' type.
_SCALES = {"reliability": str, "credibility": int, "geo_precision": str}


def _grades(raw: dict | None) -> dict[str, Scale]:
    out = {}
    for name, kind in _SCALES.items():
        spec = (raw or {}).get(name)
        if not spec or not spec.get("values"):
            raise SchemaError(f"grades: the {name} scale is missing")
        values = spec["values"]
        if any(not isinstance(g, kind) or isinstance(g, bool) for g in values):
            raise SchemaError(f"grades.{name}: every grade must be {'a letter' if kind is str else 'a whole number'}")
        radius = spec.get("radius_m") or {}
        if radius and (set(radius) != set(values) or any(not isinstance(r, int) or r < 0 for r in radius.values())):
            raise SchemaError(f"grades.{name}.radius_m: one whole number of metres (0 or more) for each grade")
        out[name] = Scale(
            name,
            spec.get("title", name),
            spec.get("description", ""),
            tuple(values),
            {g: str(m) for g, m in values.items()},
            {g: radius[g] for g in values} if radius else {},
        )
    for name in raw or {}:
        if name not in _SCALES:
            raise SchemaError(f"grades: unknown scale {name!r} (one of {', '.join(_SCALES)})")
    return out


def load_registry(path: Path = SCHEMA_FILE) -> Registry:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise SchemaError(f"{path.name}: expected a mapping with entities, relations, groups and grades")
    ent_raw = raw.get("entities") or {}
    entities: dict[str, EntityType] = {}
    for name, spec in ent_raw.items():
        if not _ENTITY_NAME.match(name):
            raise SchemaError(f"entity type {name!r} must be CamelCase letters and digits")
        if name in ("Entity", "Source", "Dataset", "Loading"):  # the store's own labels (graph.neo4j)
            raise SchemaError(f"entity type {name!r} is reserved")
        spec = spec or {}
        entities[name] = EntityType(
            name=name,
            description=spec.get("description", ""),
            color=spec.get("color", "#97c2fc"),
            shape=spec.get("shape", "dot"),
            attributes=_attributes(name, spec.get("attributes"), ENTITY_RESERVED),
        )
    groups: dict[str, tuple[str, ...]] = {}
    for gname, members in (raw.get("groups") or {}).items():
        if gname in entities:
            raise SchemaError(f"group {gname!r} has the name of an entity type")
        for m in members:
            if m not in entities:
                raise SchemaError(f"group {gname!r}: unknown entity type {m!r}")
        groups[gname] = tuple(members)
    relations: dict[str, RelationType] = {}
    for name, spec in (raw.get("relations") or {}).items():
        if not _RELATION_NAME.match(name):
            raise SchemaError(f"relation type {name!r} must be UPPER_SNAKE_CASE")
        spec = spec or {}
        relations[name] = RelationType(
            name=name,
            description=spec.get("description", ""),
            sources=_expand(f"{name}.from", spec.get("from"), entities, groups),
            targets=_expand(f"{name}.to", spec.get("to"), entities, groups),
            attributes=_attributes(name, spec.get("attributes"), RELATION_RESERVED),
        )
    if not entities or not relations:
        raise SchemaError("the registry declares no entity or no relation types")
    return Registry(entities=entities, relations=relations, groups=groups, grades=_grades(raw.get("grades")))


REGISTRY = load_registry()
