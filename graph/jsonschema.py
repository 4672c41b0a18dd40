"""A JSON Schema of fact files, derived from the models (and so from the schema registry), for editors.

An editor with a YAML language server (VS Code's YAML extension, Neovim, Helix, Zed...) reads the schema a
file names in its first line (:func:`modeline`) and then completes sections, entity and relation types,
their attributes and, when the schema is written with a dataset's ids (:func:`fact_file_schema`), the ids
a field may name (a relation's ``from``/``to`` of the types it allows, evidence sources), shows each
type's and attribute's description, and underlines what the loader would refuse while one types.

The schema is draft-07 (every YAML language server reads it). Each record is checked by the model of its
``type`` through ``if``/``then``, so an editor reports the one mistake rather than "matches no schema" of
every type. What only the loader can check (ids that exist, dates in order, grades against the policy,
quotes in their documents) stays with ``kg validate``.

Two differences of YAML parsers are allowed for: an editor reads ``published: 2021`` as a number (the
loader reads every scalar as text), so a date may be a whole number; and an empty section (``relations:``)
is allowed, as the loader allows it.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from .models import ENTITY_MODELS, RELATION_MODELS, PartialDate, Source
from .resolutions import Resolution
from .schema import REGISTRY

DRAFT = "http://json-schema.org/draft-07/schema#"
# A partial date as the loader reads it (graph.dates checks the calendar): 2021, 2021-12, 2021-12-05.
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
DATE = {
    "anyOf": [{"type": "string", "pattern": DATE_PATTERN}, {"type": "integer", "minimum": 1, "maximum": 9999}],
    "description": "A date, as precise as known: 2021, 2021-12 or 2021-12-05.",
}
# Hover text of the built-in fields (a type's own attributes carry the registry's descriptions).
FIELD_HELP = {
    "id": "The record's id: lowercase letters, digits and - _ . (other records refer to it).",
    "type": "The record's type, from the schema registry (graph/schema.yaml).",
    "name": "The name the entity is best known by.",
    "aliases": "Other names and spellings: romanisations, Arabic script, abbreviations.",
    "description": "A short description, in the curator's own words.",
    "evidence": "Where the fact comes from: a list of {source, quote}.",
    "inferred": "When the identification is the curator's own inference rather than a report's: why.",
    "lat": "Latitude in decimal degrees (WGS 84), a number with a point: 34.45.",
    "lon": "Longitude in decimal degrees (WGS 84), a number with a point: 40.92.",
    "geo_precision": f"How precisely lat/lon place it, finest first: {', '.join(REGISTRY.geo_precision.grades)}.",
    "credibility": f"{REGISTRY.credibility.title}, {REGISTRY.credibility.span()} (1 is best).",
    "reliability": f"{REGISTRY.reliability.title}, {REGISTRY.reliability.span()} (A is best).",
    "source": "The id of the source (report) the quote is from.",
    "quote": "The report's words, verbatim (at most 25 words).",
    "according_to": "Who made the claim: an entity id, or words describing an anonymous originator.",
    "via": "The id of the outlet the source relays.",
    "from": "The id of the entity the relation starts at.",
    "to": "The id of the entity the relation ends at.",
    "same": "Entity ids that are one entity: the first is kept, the others merge into it.",
    "different": "Entity ids that are not the same entity (never proposed as duplicates again).",
    "by": "Who decided.",
    "on": "When it was decided.",
    "why": "Why: what the decision rests on.",
}


def _is_date(annotation: Any) -> bool:
    """Whether a model field's annotation is a partial date (perhaps optional)."""
    return annotation == PartialDate or any(_is_date(a) for a in typing.get_args(annotation))


def _model(model: type[BaseModel], defs: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/definitions/{model}", mode="validation")
    for name, nested in schema.pop("$defs", {}).items():
        if name not in defs:
            defs[name] = _fields(_model_named(name), nested)
    _fields(model, schema)
    if description:
        schema["description"] = description
    return schema


def _model_named(name: str) -> type[BaseModel] | None:
    from .models import Evidence  # the one nested model of fact records

    return Evidence if name == Evidence.__name__ else None


def _fields(model: type[BaseModel] | None, schema: dict[str, Any]) -> dict[str, Any]:
    """Dates as :data:`DATE`, and hover text for built-in fields."""
    props = schema.get("properties", {})
    for name, field in (model.model_fields if model is not None else {}).items():
        key = field.alias or name
        prop = props.get(key)
        if prop is None:
            continue
        if _is_date(field.annotation):
            optional = any(alt.get("type") == "null" for alt in prop.get("anyOf", ()))
            date = {"anyOf": [*DATE["anyOf"], *([{"type": "null"}] if optional else [])]}
            props[key] = prop = {**date, "description": field.description or DATE["description"]}
        elif field.description:
            prop.setdefault("description", field.description)
        if key in FIELD_HELP:
            prop.setdefault("description", FIELD_HELP[key])
        prop.pop("title", None)
    schema.pop("title", None)
    return schema


def _ids(prop: dict[str, Any], ids: Iterable[str]) -> None:
    """Offer ``ids`` for completion (as examples: an id defined later in the same file is still valid)."""
    ids = sorted(set(ids))
    if not ids:
        return
    target = next((alt for alt in prop.get("anyOf", ()) if alt.get("type") == "string"), prop)
    if target.get("type") == "array":
        target = target["items"]
    target["examples"] = ids


def _by_type(records: Iterable[tuple[str, str]], discriminated: Mapping[str, dict], name: str) -> dict[str, Any]:
    """One record schema that applies the schema of its ``type``, told by ``if``/``then``."""
    types = list(discriminated)
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": types, "description": FIELD_HELP["type"]}},
        "allOf": [
            {
                "if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                "then": {"$ref": f"#/definitions/{t}{name}"},
            }
            for t in types
        ],
        "description": "; ".join(f"{t}: {d}" for t, d in records),
    }


def fact_file_schema(
    *, entity_types: Mapping[str, str] | None = None, source_ids: Iterable[str] = ()
) -> dict[str, Any]:
    """The JSON Schema of a fact file. With ``entity_types`` (entity id -> type) and ``source_ids``, fields
    that name an entity or a source offer those ids for completion (relation ends only ids of the types the
    relation allows).

    >>> schema = fact_file_schema(entity_types={"al-bukamal": "Place", "fog-47": "ArmedGroup"})
    >>> sorted(schema["properties"]), schema["definitions"]["Entity"]["properties"]["type"]["enum"][:2]
    (['entities', 'relations', 'resolutions', 'sources'], ['Person', 'ArmedGroup'])
    >>> schema["definitions"]["OCCUPIESRelation"]["properties"]["to"]["examples"]
    ['al-bukamal']
    """
    entity_types = dict(entity_types or {})
    defs: dict[str, Any] = {}
    defs["Source"] = _model(Source, defs, "A report facts are drawn from, graded for reliability.")
    for name, model in ENTITY_MODELS.items():
        defs[f"{name}Entity"] = _model(model, defs, REGISTRY.entities[name].description)
    for name, model in RELATION_MODELS.items():
        rtype = REGISTRY.relations[name]
        schema = defs[f"{name}Relation"] = _model(model, defs, rtype.description)
        for end, allowed in (("from", rtype.sources), ("to", rtype.targets)):
            prop = schema["properties"][end]
            types = ", ".join(t for t in REGISTRY.entities if t in allowed)
            prop["description"] = f"{FIELD_HELP[end]} One of: {types}."
            _ids(prop, (i for i, t in entity_types.items() if t in allowed))
    defs["Resolution"] = _model(Resolution, defs, "A curator's decision that entities are, or are not, the same.")
    for key in ("same", "different"):
        _ids(defs["Resolution"]["properties"][key], entity_types)
    evidence = defs["Evidence"]["properties"]
    _ids(evidence["source"], source_ids)
    for key in ("according_to", "via"):
        _ids(evidence[key], entity_types)
    defs["Entity"] = _by_type(((t.name, t.description) for t in REGISTRY.entities.values()), ENTITY_MODELS, "Entity")
    defs["Relation"] = _by_type(
        ((t.name, t.description) for t in REGISTRY.relations.values()), RELATION_MODELS, "Relation"
    )

    def section(ref: str, description: str) -> dict[str, Any]:
        return {"type": ["array", "null"], "items": {"$ref": f"#/definitions/{ref}"}, "description": description}

    return {
        "$schema": DRAFT,
        "title": "actorgraph fact file",
        "description": "Sources, entities, relations and resolutions, as `kg validate` reads them (README: Facts).",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "sources": section("Source", "The reports the facts come from."),
            "entities": section("Entity", "Actors, places, sites, campaigns and events."),
            "relations": section("Relation", "Facts between two entities, each with its evidence."),
            "resolutions": section("Resolution", "Curators' decisions: entities that are, or are not, the same."),
        },
        "definitions": defs,
    }


MODELINE = "# yaml-language-server: $schema="


def modeline(schema_ref: str) -> str:
    """The first line that tells a YAML language server which schema a file follows.

    >>> modeline("../facts.schema.json")
    '# yaml-language-server: $schema=../facts.schema.json'
    """
    return MODELINE + schema_ref


def with_modeline(text: str, schema_ref: str) -> str:
    """``text`` (a YAML file's content) with the modeline as its first line: added, or replaced if there is one.

    >>> with_modeline("entities:\\n", "s.json")
    '# yaml-language-server: $schema=s.json\\nentities:\\n'
    >>> with_modeline("# yaml-language-server: $schema=old.json\\r\\nentities:\\r\\n", "s.json")
    '# yaml-language-server: $schema=s.json\\r\\nentities:\\r\\n'
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    newline = "\r\n" if "\r\n" in body.split("\n", 1)[0] + "\n" else "\n"
    first, sep, rest = body.partition("\n")
    if first.rstrip("\r").startswith(MODELINE):
        return bom + modeline(schema_ref) + newline + rest if sep else bom + modeline(schema_ref) + newline
    return bom + modeline(schema_ref) + newline + body
