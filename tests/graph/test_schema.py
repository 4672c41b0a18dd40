"""graph/schema.py: the registry checks itself, and its grading scales."""

from __future__ import annotations

import copy

import pytest
import yaml

from graph.schema import REGISTRY, SCHEMA_FILE, SchemaError, load_registry

# A small registry that passes every check; each bad variant below breaks one thing.
GOOD = {
    "grades": {
        "reliability": {
            "title": "Admiralty source grading",
            "description": "How reliable the source is.",
            "values": {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable"},
        },
        "credibility": {
            "title": "Admiralty information grading",
            "values": {1: "confirmed by other sources", 2: "probably true", 3: "possibly true"},
        },
        "geo_precision": {
            "title": "Geographic precision",
            "values": {"exact": "the exact spot", "town": "somewhere in the town"},
            "radius_m": {"exact": 0, "town": 3000},
        },
    },
    "groups": {"actor": ["Person", "ArmedGroup"]},
    "entities": {
        "Person": {
            "description": "A named individual.",
            "color": "#e15759",
            "shape": "dot",
            "attributes": {"rank": {"kind": "string", "description": "Military rank"}},
        },
        "ArmedGroup": {},
        "Site": {"attributes": {"opened": {"kind": "date"}}},
    },
    "relations": {
        "MEMBER_OF": {"from": ["Person"], "to": ["ArmedGroup"], "attributes": {"role": None}},
        "OCCUPIES": {"description": "Holds a site.", "from": ["actor"], "to": ["Site"]},
    },
}


def registry_from(tmp_path, change=None):
    """The registry of GOOD after ``change(raw)``, written to a file and loaded like schema.yaml."""
    raw = copy.deepcopy(GOOD)
    if change:
        change(raw)
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_registry(path)


def test_the_project_schema_loads_and_is_the_registry():
    assert load_registry(SCHEMA_FILE) == REGISTRY
    assert {"Person", "ArmedGroup", "Site", "Place"} <= set(REGISTRY.entities)
    assert REGISTRY.reliability.grades == ("A", "B", "C", "D", "E", "F")
    assert REGISTRY.credibility.grades == (1, 2, 3, 4, 5, 6)
    assert REGISTRY.geo_precision.grades == ("exact", "site", "town", "district", "region", "country")
    # Finer precision never draws a wider circle.
    radii = [REGISTRY.geo_precision.radius_m[g] for g in REGISTRY.geo_precision.grades]
    assert radii == sorted(radii)


def test_a_good_registry(tmp_path):
    reg = registry_from(tmp_path)
    assert list(reg.entities) == ["Person", "ArmedGroup", "Site"]
    # Groups expand into their entity types; defaults fill what a type leaves out.
    assert reg.relation("OCCUPIES").sources == frozenset({"Person", "ArmedGroup"})
    assert reg.relation("OCCUPIES").targets == frozenset({"Site"})
    assert (reg.entity("ArmedGroup").color, reg.entity("ArmedGroup").shape) == ("#97c2fc", "dot")
    assert reg.relation("MEMBER_OF").attributes["role"].kind == "string"
    assert reg.entity("Site").attributes["opened"].kind == "date"
    assert reg.entity("Person").attributes["rank"].description == "Military rank"
    assert reg.groups == {"actor": ("Person", "ArmedGroup")}
    assert reg.legend()[0] == {
        "type": "Person",
        "color": "#e15759",
        "shape": "dot",
        "description": "A named individual.",
    }
    assert [row["type"] for row in reg.legend()] == ["Person", "ArmedGroup", "Site"]


def _set(path: str, value):
    """A change that sets ``raw["a"]["b"]["c"] = value`` for the path ``a.b.c``."""
    *parents, last = path.split(".")

    def change(raw):
        node = raw
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _delete(path: str):
    """A change that deletes ``raw["a"]["b"]["c"]`` for the path ``a.b.c``."""
    *parents, last = path.split(".")

    def change(raw):
        node = raw
        for key in parents:
            node = node[key]
        del node[last]

    return change


@pytest.mark.parametrize(
    "change,message",
    [
        # Names end up in Cypher text: plain identifiers only.
        (_set("entities.person", {}), "entity type 'person' must be CamelCase letters and digits"),
        (_set("entities.Armed Group", {}), "entity type 'Armed Group' must be CamelCase letters and digits"),
        (_set("entities.Entity", {}), "entity type 'Entity' is reserved"),
        (_set("entities.Source", {}), "entity type 'Source' is reserved"),
        (
            _set("relations.MemberOf", {"from": ["Person"], "to": ["ArmedGroup"]}),
            "relation type 'MemberOf' must be UPPER_SNAKE_CASE",
        ),
        (
            _set("relations.MEMBER-OF", {"from": ["Person"], "to": ["ArmedGroup"]}),
            "relation type 'MEMBER-OF' must be UPPER_SNAKE_CASE",
        ),
        (_set("entities.Person.attributes.Rank", {}), "Person: attribute name 'Rank' must be lower_snake_case"),
        (
            _set("relations.MEMBER_OF.attributes.role-name", {}),
            "MEMBER_OF: attribute name 'role-name' must be lower_snake_case",
        ),
        # Built-in fields, derived edge data and the stores' bookkeeping are no attributes.
        (_set("entities.Person.attributes.name", {}), "Person: attribute 'name' is a built-in field"),
        (_set("entities.Person.attributes.lat", {}), "Person: attribute 'lat' is a built-in field"),
        (_set("entities.Site.attributes.dataset", {}), "Site: attribute 'dataset' is a built-in field"),
        (_set("entities.Site.attributes.names", {}), "Site: attribute 'names' is a built-in field"),
        (_set("relations.MEMBER_OF.attributes.valid_to", {}), "MEMBER_OF: attribute 'valid_to' is a built-in field"),
        (
            _set("relations.MEMBER_OF.attributes.reliability", {}),
            "MEMBER_OF: attribute 'reliability' is a built-in field",
        ),
        (_set("relations.MEMBER_OF.attributes.sources", {}), "MEMBER_OF: attribute 'sources' is a built-in field"),
        (_set("relations.MEMBER_OF.attributes.hash", {}), "MEMBER_OF: attribute 'hash' is a built-in field"),
        (
            _set("entities.Person.attributes.measure_rank", {}),
            "Person: attribute 'measure_rank' starts with a prefix the store keeps for itself",
        ),
        (
            _set("entities.Person.attributes.rank", {"kind": "float"}),
            "Person.rank: unknown kind 'float' (one of string, integer, number, date, strings)",
        ),
        # Endpoints name entity types or groups.
        (
            _set("relations.OCCUPIES.from", ["Persn"]),
            "OCCUPIES.from: endpoint 'Persn' is neither an entity type nor a group",
        ),
        (
            _set("relations.OCCUPIES.to", ["Place"]),
            "OCCUPIES.to: endpoint 'Place' is neither an entity type nor a group",
        ),
        (_set("relations.OCCUPIES.to", []), "OCCUPIES.to: needs at least one endpoint type"),
        (_delete("relations.OCCUPIES.from"), "OCCUPIES.from: needs at least one endpoint type"),
        (_set("groups.Person", ["ArmedGroup"]), "group 'Person' has the name of an entity type"),
        (_set("groups.actor", ["Person", "Persn"]), "group 'actor': unknown entity type 'Persn'"),
        # The grading scales the models use must be there, with grades of the right type.
        (_delete("grades.credibility"), "grades: the credibility scale is missing"),
        (_delete("grades"), "grades: the reliability scale is missing"),
        (_set("grades.reliability.values", {}), "grades: the reliability scale is missing"),
        (_set("grades.reliability.values", {1: "one", 2: "two"}), "grades.reliability: every grade must be a letter"),
        (_set("grades.credibility.values", {"1": "one"}), "grades.credibility: every grade must be a"),
        (_set("grades.credibility.values", {True: "yes"}), "grades.credibility: every grade must be a"),
        (
            _set("grades.confidence", {"values": {"high": "sure"}}),
            "grades: unknown scale 'confidence' (one of reliability, credibility, geo_precision)",
        ),
        (_delete("grades.geo_precision"), "grades: the geo_precision scale is missing"),
        (
            _set("grades.geo_precision.radius_m", {"exact": 0}),
            "grades.geo_precision.radius_m: one whole number of metres (0 or more) for each grade",
        ),
        (
            _set("grades.geo_precision.radius_m", {"exact": 0, "town": -1}),
            "grades.geo_precision.radius_m: one whole number of metres (0 or more) for each grade",
        ),
        (_set("relations", {}), "the registry declares no entity or no relation types"),
    ],
)
def test_a_bad_registry_says_what_is_wrong(tmp_path, change, message):
    with pytest.raises(SchemaError) as err:
        registry_from(tmp_path, change)
    assert str(err.value).startswith(message)


# --------------------------------------------------------------------------- scales


def test_scale_order_is_best_first():
    cred, rel = REGISTRY.credibility, REGISTRY.reliability
    assert (cred.best, cred.worst, rel.best, rel.worst) == (1, 6, "A", "F")
    assert [cred.rank(g) for g in (1, 2, 6)] == [0, 1, 5]
    assert rel.rank("D") == 3
    with pytest.raises(ValueError):
        rel.rank("G")


@pytest.mark.parametrize(
    "grade,threshold,kept",
    [
        (1, 3, True),
        (3, 3, True),
        (4, 3, False),
        (6, None, True),
        (1, 1, True),
        (2, 1, False),
        ("A", "B", True),
        ("B", "B", True),
        ("C", "B", False),
        ("F", None, True),
    ],
)
def test_at_least(grade, threshold, kept):
    scale = REGISTRY.credibility if isinstance(grade, int) else REGISTRY.reliability
    assert scale.at_least(grade, threshold) is kept


def test_labels_spans_and_the_scale_for_pages(tmp_path):
    assert REGISTRY.reliability.label("B") == "B (usually reliable)"
    assert REGISTRY.credibility.label(6) == "6 (truth cannot be judged)"
    assert (REGISTRY.reliability.span(), REGISTRY.credibility.span()) == ("A-F", "1-6")
    small = registry_from(tmp_path).reliability
    assert small.as_dict() == {
        "name": "reliability",
        "title": "Admiralty source grading",
        "description": "How reliable the source is.",
        "grades": [
            {"grade": "A", "meaning": "completely reliable"},
            {"grade": "B", "meaning": "usually reliable"},
            {"grade": "C", "meaning": "fairly reliable"},
        ],
    }
    assert registry_from(tmp_path).credibility.description == ""  # optional in the file
