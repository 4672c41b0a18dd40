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
# Fields every entity / relation has; a type may not redeclare them.
ENTITY_FIELDS = ("id", "type", "name", "aliases", "description", "lat", "lon", "location", "dataset")
RELATION_FIELDS = ("type", "from", "to", "evidence", "credibility", "valid_from", "valid_to",
                   "reliability", "sources", "quotes", "source", "target", "key", "id", "dataset")


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
class Registry:
    entities: dict[str, EntityType]
    relations: dict[str, RelationType]
    groups: dict[str, tuple[str, ...]]

    def entity(self, name: str) -> EntityType:
        return self.entities[name]

    def relation(self, name: str) -> RelationType:
        return self.relations[name]

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


def load_registry(path: Path = SCHEMA_FILE) -> Registry:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    ent_raw = raw.get("entities") or {}
    entities: dict[str, EntityType] = {}
    for name, spec in ent_raw.items():
        if not _ENTITY_NAME.match(name):
            raise SchemaError(f"entity type {name!r} must be CamelCase letters and digits")
        if name in ("Entity", "Source"):
            raise SchemaError(f"entity type {name!r} is reserved")
        spec = spec or {}
        entities[name] = EntityType(
            name=name,
            description=spec.get("description", ""),
            color=spec.get("color", "#97c2fc"),
            shape=spec.get("shape", "dot"),
            attributes=_attributes(name, spec.get("attributes"), ENTITY_FIELDS),
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
            attributes=_attributes(name, spec.get("attributes"), RELATION_FIELDS),
        )
    if not entities or not relations:
        raise SchemaError("the registry declares no entity or no relation types")
    return Registry(entities=entities, relations=relations, groups=groups)


REGISTRY = load_registry()
