"""The explorer's JSON API, as pydantic models (they make its OpenAPI schema).

Requests are ``*Request`` (and :class:`Filters`); responses are ``*Out``, named
apart from the domain's classes (:class:`graph.facts.Edge` is a fact,
:class:`EdgeOut` what the page draws of it). Every error is an :class:`ErrorOut`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, create_model
from typing_extensions import TypeAliasType

from graph.asof import TIME_BASES
from graph.facts import EDGE_ID_SEPARATOR
from graph.models import Credibility, Reliability, Source
from graph.schema import REGISTRY, Scale
from loaders.problems import did_you_mean

from .errors import KINDS


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- request values, as strict as
# their schema: what OpenAPI says is refused is refused, and what it allows is taken as it is.


def _registered(kind: str, known: dict) -> BeforeValidator:
    """A check naming the nearest type when a value is not one of the registry's (the enum of the schema)."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and value not in known:
            raise ValueError(f"unknown {kind} type {value!r}{did_you_mean(value, known)}")
        return value

    return BeforeValidator(check)


EntityTypeName = Annotated[Literal[tuple(REGISTRY.entities)], _registered("entity", REGISTRY.entities)]  # type: ignore[valid-type]
RelationTypeName = Annotated[
    Literal[tuple(REGISTRY.relations)],  # type: ignore[valid-type]
    _registered("relation", REGISTRY.relations),
]


def _number_not_bool_or_text(value: Any) -> Any:
    if isinstance(value, (bool, str)):
        raise ValueError("a number is written without quotes, and is not true or false")
    return value


# A whole number as JSON Schema has it: 5 or 5.0, never `true` or `"5"`.
WholeNumber = Annotated[int, BeforeValidator(_number_not_bool_or_text)]
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError(f"{value!r} is not a day: use YYYY-MM-DD")
    if not isinstance(value, (str, dt.date)) or isinstance(value, dt.datetime):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A day as JSON writes it (`format: date`): YYYY-MM-DD, not a timestamp or a date and time.
Day = Annotated[dt.date, BeforeValidator(_iso_day)]

# An edge id (graph.facts.edge_id): FROM|TYPE|TO with a relation type of the registry.
EDGE_ID_PATTERN = (
    f"^[^{re.escape(EDGE_ID_SEPARATOR)}]+{re.escape(EDGE_ID_SEPARATOR)}"
    f"({'|'.join(REGISTRY.relations)}){re.escape(EDGE_ID_SEPARATOR)}"
    f"[^{re.escape(EDGE_ID_SEPARATOR)}]+$"
)
EdgeId = Annotated[str, Field(pattern=EDGE_ID_PATTERN, max_length=500)]


def _threshold(scale: Scale, example: str | int) -> str:
    """A grade filter's description, from the registry's scale."""
    grades = "; ".join(scale.label(g) for g in scale.grades)
    accepted = ", ".join(str(g) for g in scale.grades if scale.at_least(g, example))
    return (
        f"Worst {scale.name} accepted ({scale.title}, {scale.span()}, best first: {grades}); "
        f"e.g. `{example}` accepts {accepted}."
    )


# --------------------------------------------------------------------------- filters


class Filters(Model):
    """What the view shows. A relation passes the grade filters when one piece of its evidence meets
    both: its credibility at least ``credibility_at_least`` and its source's reliability at least
    ``reliability_at_least`` (the registry's Admiralty scales, best first)."""

    entity_types: list[EntityTypeName] | None = Field(
        None, description="Entity types to show (None: all). Entities chosen by the user are always shown."
    )
    relation_types: list[RelationTypeName] | None = Field(None, description="Relation types to show (None: all).")
    as_of: Day | None = Field(
        None,
        description="Only relations that hold on this day, between entities that "
        "exist on it (graph.asof): stated validity (open ends hold; a "
        "partial date holds over its span: valid_to 2021 through "
        "2021-12-31), else the observations widened by the horizon "
        "of /api/meta.",
    )
    reliability_at_least: Reliability | None = Field(
        None, description=_threshold(REGISTRY.reliability, REGISTRY.reliability.grades[1])
    )
    credibility_at_least: Annotated[Credibility, BeforeValidator(_number_not_bool_or_text)] | None = Field(
        None, description=_threshold(REGISTRY.credibility, REGISTRY.credibility.grades[2])
    )


# --------------------------------------------------------------------------- graph pieces


class NodeOut(Model):
    id: str = Field(description="Entity id (or 'source:<id>' / 'node:<element id>' for other nodes).")
    type: str = Field(description="Entity type from the schema registry, or the node's label.")
    name: str
    aliases: list[str] = []
    entity: bool = Field(True, description="False for nodes that are not entities (e.g. sources).")
    valid_from_day: str | None = Field(
        None, description="First day the entity exists (ISO day; None: open), e.g. an event's date."
    )
    valid_to_day: str | None = Field(
        None, description="Last day the entity exists (ISO day; None: open), e.g. a campaign's end."
    )


class EdgeOut(Model):
    id: str = Field(
        description="'<from>|<type>|<to>' for relations between entities (graph.facts.edge_id); "
        "'rel:<element id>' for other relationships of a query result."
    )
    source: str = Field(description="Id of the 'from' entity.")
    target: str = Field(description="Id of the 'to' entity.")
    type: str
    credibility: int | None = Field(None, description="Best credibility among the evidence.")
    reliability: str | None = Field(None, description="Best reliability among the sources.")
    valid_from: str | None = Field(None, description="Start of validity as written (YYYY, YYYY-MM or YYYY-MM-DD).")
    valid_to: str | None = Field(None, description="End of validity as written (YYYY, YYYY-MM or YYYY-MM-DD).")
    valid_from_day: str | None = Field(None, description="First day the relation holds (ISO day; None: open).")
    valid_to_day: str | None = Field(
        None, description="Last day the relation holds (ISO day; None: open): valid_to 2021 holds through 2021-12-31."
    )
    time_basis: Literal[TIME_BASES] | None = Field(  # type: ignore[valid-type]
        None,
        description="Where the window comes from: `stated` validity, or `inferred` from when the "
        "sources observed the fact (widened by the explorer's horizon, see /api/meta).",
    )
    evidence: int = Field(0, description="Number of pieces of evidence.")
    originators: int | None = Field(
        None,
        description="Number of distinct originators the evidence rests on "
        "(graph.attribution): fewer than its sources may be "
        "circular reporting. Sent with a relation's details.",
    )
    attributes: dict[str, Any] = Field({}, description="The relation type's attributes (use, role, ...).")


class GraphOut(Model):
    nodes: list[NodeOut] = []
    edges: list[EdgeOut] = []


# --------------------------------------------------------------------------- search / entity


class SuggestionOut(Model):
    id: str
    name: str
    type: str
    matched: str | None = Field(None, description="The alias that matched, when it was not the name.")


class SearchOut(Model):
    query: str
    suggestions: list[SuggestionOut]


class EntityDetailsOut(Model):
    id: str
    type: str
    name: str
    aliases: list[str] = []
    reported_names: list[str] = Field(
        [],
        description="The name and aliases a quote about the entity says (its own "
        "evidence or a relation's from or to it; viz.provenance): "
        "the others are the curator's.",
    )
    description: str | None = None
    lat: float | None = None
    lon: float | None = None
    dataset: str | None = None
    attributes: dict[str, Any] = {}
    valid_from_day: str | None = Field(None, description="First day the entity exists (ISO day), e.g. an event's date.")
    valid_to_day: str | None = Field(None, description="Last day the entity exists (ISO day), e.g. a campaign's end.")
    evidence: list[EvidenceOut] = Field([], description="The reports the entity's identification rests on.")
    inferred: str | None = Field(None, description="The curator's note when the identification is theirs.")
    relations: dict[str, int] = Field({}, description="Number of relations by type (both directions, unfiltered).")


# --------------------------------------------------------------------------- neighbourhood / view


class ExpandRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "badr-hospital", "known": ["al-bukamal"], "filters": {"as_of": "2021-12-15"}, "limit": 50}
            ]
        }
    )

    id: str = Field(description="The entity to expand.")
    known: list[str] = Field(
        [],
        max_length=20000,
        description="Entities already on screen: relations between them and the new ones come too.",
    )
    removed: list[str] = Field([], max_length=20000, description="Entities the user removed: never brought back.")
    filters: Filters = Filters()
    limit: WholeNumber = Field(100, ge=1, le=2000, description="At most this many neighbours.")


class ExpandOut(GraphOut):
    centre: str
    total: int = Field(description="Neighbours passing the filters.")
    shown: int = Field(description="Neighbours returned (at most the limit).")
    edges_truncated: bool = Field(
        False, description="True when relations among the entities were left out (a view holds at most a few thousand)."
    )


class ViewRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"roots": ["al-bukamal"], "expanded": ["badr-hospital"], "filters": {"reliability_at_least": "C"}}
            ]
        }
    )

    roots: list[str] = Field(
        [], max_length=500, description="Entities chosen by the user (shown with their neighbours)."
    )
    expanded: list[str] = Field([], max_length=2000, description="Entities whose neighbours are shown too.")
    shown: list[str] = Field(
        [], max_length=20000, description="Entities shown without their neighbours (e.g. from a query result)."
    )
    removed: list[str] = Field([], max_length=20000)
    filters: Filters = Filters()
    limit: WholeNumber = Field(100, ge=1, le=2000, description="At most this many neighbours per expanded entity.")


class ViewOut(GraphOut):
    missing: list[str] = Field([], description="Requested entities that are not in the database.")
    truncated: dict[str, int] = Field({}, description="Expanded entities with more neighbours than shown: total.")
    edges_truncated: bool = Field(
        False,
        description="True when relations among the entities on screen were left "
        "out (a view holds at most a few thousand).",
    )


# --------------------------------------------------------------------------- evidence


# A source's metadata, field for field as the loader's model declares it (graph.models.Source).
SourceOut = create_model(
    "SourceOut",
    __base__=Model,
    id=(str, ...),
    **{name: (str | None, None) for name in Source.model_fields if name != "id"},
)


class DocumentContextOut(Model):
    before: str
    match: str
    after: str
    truncated_before: bool
    truncated_after: bool


class EvidenceOut(Model):
    source: SourceOut
    quote: str
    credibility: int | None
    observed: str | None = Field(
        None,
        description="When the source observed it (partial date): the evidence's "
        "own `observed`, else the source's publication.",
    )
    observed_stated: bool = Field(False, description="True when the evidence states `observed` itself.")
    according_to: str | None = Field(None, description="Who made the claim the source reports (entity id or words).")
    via: str | None = Field(None, description="The entity id of the outlet the source relays.")
    attribution: str = Field(
        "",
        description="Who said it, by name: 'Levant, according to local sources, via "
        "SOHR' (graph.attribution.attribution_text).",
    )
    context: DocumentContextOut | None = Field(
        None, description="The document's text around the quote (when served with --documents and found)."
    )


class EdgeDetailsOut(Model):
    edge: EdgeOut
    source_name: str
    target_name: str
    evidence: list[EvidenceOut]


# --------------------------------------------------------------------------- queries


class QueryParamOut(Model):
    name: str
    type: str = Field("text", description="entity, source, text, integer or date (queries/library.py).")
    default: Any = None
    description: str = ""
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None


class NamedQueryOut(Model):
    name: str = Field(description="The query's name, as `kg query NAME` takes it.")
    question: str = Field(description="The question the query answers, in one line.")
    notes: str = Field("", description="More about the query: what it counts, what it leaves out.")
    params: list[QueryParamOut] = []
    examples: list[str] = []


def _neo4j_values(value: Any, where: str = "", depth: int = 0) -> Any:
    """``value`` if every number in it is within ±:data:`MAX_NUMBER` and it nests at most
    :data:`MAX_DEPTH` lists or maps deep, else ValueError naming where.

    >>> _neo4j_values({"x": [1, 2**64]})
    Traceback (most recent call last):
    ...
    ValueError: x[1]: 18446744073709551616 is out of range: numbers in parameters stay within ±9007199254740991 \
(what JSON carries exactly)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise ValueError(
            f"{where}: {value} is out of range: numbers in parameters stay within ±{MAX_NUMBER} "
            "(what JSON carries exactly)"
        )
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        top = re.split(r"[.\[]", where, maxsplit=1)[0]
        raise ValueError(f"{top}: lists and maps in parameters nest at most {MAX_DEPTH} deep")
    if isinstance(value, dict):
        for k, v in value.items():
            _neo4j_values(v, f"{where}.{k}" if where else str(k), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _neo4j_values(v, f"{where}[{i}]", depth + 1)
    return value


# A query parameter's value: what JSON carries exactly and Neo4j can hold. Beyond 2**53 JSON readers
# (browsers, schema validators) turn integers into nearby floats, so numbers stay within ±(2**53 - 1).
MAX_NUMBER = 2**53 - 1
# How deep lists and maps nest in a parameter (the params map itself is the first level).
MAX_DEPTH = 64
Neo4jValue = TypeAliasType(
    "Neo4jValue",
    Union[  # noqa: UP007 (a recursive alias needs the Union form)
        None,
        bool,
        Annotated[int, Strict(), Field(ge=-MAX_NUMBER, le=MAX_NUMBER)],
        Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)],
        str,
        list["Neo4jValue"],
        dict[str, "Neo4jValue"],
    ],
)


class ParamsRequest(Model):
    params: Annotated[dict[str, Neo4jValue], BeforeValidator(_neo4j_values)] = Field(
        {},
        description="Values for the query's parameters, by name (numbers within ±(2**53 - 1); lists and maps "
        f"nested at most {MAX_DEPTH} deep).",
    )


class NamedQueryRequest(ParamsRequest):
    """A named query's parameters (see GET /api/queries)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"params": {"site": "Badr Hospital"}}]})


class CypherRequest(ParamsRequest):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "MATCH (g:Entity {id: $id})-[r:OCCUPIES]->(s) RETURN g, r, s.name AS site",
                    "params": {"id": "fog-47"},
                }
            ]
        }
    )

    query: str = Field(min_length=1, max_length=20000, description="Cypher to read with (writes are refused).")


class QueryResultOut(Model):
    columns: list[str]
    rows: list[list[Any]] = Field(description="Values as JSON; nodes, relationships and paths as small objects.")
    truncated: bool = Field(description="True when a limit cut the result (see `truncated_by`).")
    truncated_by: Literal["rows", "bytes"] | None = Field(
        None,
        description="Which limit cut the result: `rows` (`row_limit`) or `bytes` (`byte_limit`: the rows "
        "that fit are returned, none when the first alone is too large).",
    )
    truncated_reason: str | None = Field(None, description="Why the rows stop where they do, in one line.")
    row_limit: int
    byte_limit: int = Field(description="Most bytes of JSON the rows of a result take.")
    elapsed_ms: float
    graph: GraphOut | None = Field(None, description="Nodes and relationships in the result, ready to draw.")
    matched: list[str] = Field(
        default_factory=list,
        description="Named queries: how each name given as a parameter was taken when it was not an exact "
        "spelling, and who else it matches, as `kg query` says it "
        "(\"place: 'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'\"). Plain text.",
    )


# --------------------------------------------------------------------------- meta / export


class EntityTypeOut(Model):
    type: str
    color: str
    shape: str
    description: str
    attributes: list[str]


class RelationTypeOut(Model):
    type: str
    description: str
    attributes: list[str]


class GradeOut(Model):
    grade: str | int
    meaning: str


class ScaleOut(Model):
    """A grading scale of the registry (graph.schema.Scale.as_dict), best grade first."""

    name: str
    title: str
    description: str
    grades: list[GradeOut]


class GradesOut(Model):
    reliability: ScaleOut
    credibility: ScaleOut


class HorizonOut(Model):
    """How far around its observations a fact without stated validity holds (graph.asof.Horizon)."""

    look_back: str = Field(description="Before the first observation, e.g. `6m` (d, m, y).")
    look_ahead: str = Field(description="After the last observation, e.g. `1y`.")
    description: str = Field(description="The horizon in words, for the page to show beside the as-of day.")


class MetaOut(Model):
    entity_types: list[EntityTypeOut] = Field(description="The legend: entity types with their colour and shape.")
    relation_types: list[RelationTypeOut]
    grades: GradesOut = Field(description="The Admiralty scales of the registry, best grade first.")
    horizon: HorizonOut
    dates: list[str] = Field(
        description="The as-of slider's days: where some relation or entity starts or stops "
        "holding, and the report days."
    )
    stated_dates: list[str] = Field(
        [],
        description="Days where a stated window (a relation's valid_from / "
        "valid_to, an event's date, a campaign's start or end) starts or "
        "stops.",
    )
    report_dates: list[str] = Field(
        [],
        description="Days a report observed something: evidence observations, "
        "sources' publication and retrieval (partial dates at their "
        "first day).",
    )
    entities: int
    relations: int
    datasets: list[str]
    documents: bool = Field(description="Whether source documents are served for quote context.")
    row_limit: int
    byte_limit: int = Field(description="Most bytes of JSON the rows of a query result take.")
    query_timeout: float


# A position on the canvas: finite, and within what vis-network draws.
Coordinate = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-1e7, le=1e7)]


class ExportRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"nodes": ["fog-47", "badr-hospital"], "edges": ["fog-47|OCCUPIES|badr-hospital"], "title": "Fog 47"}
            ]
        }
    )

    nodes: list[str] = Field(max_length=20000, description="Entity ids in the view.")
    edges: list[EdgeId] = Field(
        [],
        max_length=100000,
        description="Edge ids '<from>|<type>|<to>' in the view, each with a relation type of the registry.",
    )
    title: str = Field("actorgraph explorer view", max_length=200)
    filters: Filters | None = Field(None, description="The filters of the view, named in the snapshot's heading.")
    positions: dict[str, tuple[Coordinate, Coordinate]] | None = Field(
        None,
        max_length=20000,
        description="Where each entity is on screen (drawing units): the snapshot keeps the arrangement. "
        "Entities left out are laid out beneath the others.",
    )


# --------------------------------------------------------------------------- placement


NodeId = Annotated[str, Field(min_length=1, max_length=200)]
# The half width of a node's shape on the canvas (drawing units): what the placement keeps clear around it.
NodeSize = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=200)]
PLACE_MAX_NODES = 20000


class PlaceRequest(Model):
    """Where new nodes go on a view the analyst arranged (viz.layout.layout_around): every node of
    ``positions`` stays exactly where it is; the ``nodes`` are placed around them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "positions": {"al-bukamal": [0, 0], "badr-hospital": [180, 40]},
                    "nodes": ["fog-47"],
                    "ties": [["fog-47", "badr-hospital"]],
                    "labels": {"fog-47": "Fog 47"},
                }
            ]
        }
    )

    positions: dict[NodeId, tuple[Coordinate, Coordinate]] = Field(
        {},
        max_length=PLACE_MAX_NODES,
        description="Nodes on screen and where they are (drawing units): held still. Empty: the nodes get a "
        "fresh layout, as the snapshot's.",
    )
    nodes: list[NodeId] = Field(
        min_length=1,
        max_length=PLACE_MAX_NODES,
        description="Nodes to place (a node listed twice is placed once; one already in `positions` stays there).",
    )
    ties: list[tuple[NodeId, NodeId]] = Field(
        [],
        max_length=100000,
        description="Pairs of nodes tied by a relation (direction ignored); a pair naming a node in neither "
        "`positions` nor `nodes` is left out.",
    )
    pinned: list[NodeId] = Field(
        [],
        max_length=PLACE_MAX_NODES,
        description="The nodes of `positions` the analyst pinned: held, as every node of `positions` is.",
    )
    labels: dict[NodeId, Annotated[str, Field(max_length=200)]] = Field(
        {},
        max_length=2 * PLACE_MAX_NODES,
        description="The label drawn beneath a node: room is kept for it (at about 13 units a line).",
    )
    sizes: dict[NodeId, NodeSize] = Field(
        {}, max_length=2 * PLACE_MAX_NODES, description="Half the width of a node's shape (default 14)."
    )


class PlaceOut(Model):
    positions: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        description="Where each node of `nodes` goes: [x, y] in drawing units."
    )
    held: int = Field(description="Nodes held where they were (all of `positions`).")
    overlaps: int = Field(description="Pairs of boxes with a new node still overlapping (0 unless out of room).")
    elapsed_ms: float


# --------------------------------------------------------------------------- map


class GeoRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"nodes": ["fog-47", "badr-hospital"], "edges": ["fog-47|OCCUPIES|badr-hospital"]}]
        }
    )

    nodes: list[str] = Field(max_length=20000, description="Entity ids on screen.")
    edges: list[EdgeId] = Field(
        [],
        max_length=100000,
        description="Edge ids on screen: those placing an actor at a located entity are listed with it.",
    )


class PrecisionGradeOut(Model):
    grade: str
    meaning: str
    radius_m: int = Field(description="Radius the map draws around coordinates of this precision (0: a point).")


class PrecisionScaleOut(Model):
    """The registry's geo_precision scale (graph.schema.Scale.as_dict), finest first."""

    name: str
    title: str
    description: str
    grades: list[PrecisionGradeOut]


class PlacedEvidenceOut(Model):
    source: str = Field(description="Source id.")
    source_title: str | None = None
    quote: str
    credibility: int | None = None


class PlacementOut(Model):
    """A relation on screen that places an actor at the located entity (graph.geo.placements)."""

    id: str = Field(description="Edge id '<actor>|<type>|<place>' (graph.facts.edge_id).")
    actor: str
    actor_name: str
    actor_type: str | None = None
    relation: str
    credibility: int | None = None
    reliability: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    evidence: list[PlacedEvidenceOut] = Field([], description="The first pieces of evidence (the details have all).")


class LocatedOut(Model):
    id: str = Field(description="Entity id.")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    precision: str = Field(description="A grade of the geo_precision scale.")
    radius_m: int = Field(description="Radius of the precision's circle in metres (0: a point).")
    inherited_from: str | None = Field(
        None, description="The place (LOCATED_IN, outwards) whose coordinates it took; None: its own."
    )
    inherited_from_name: str | None = None
    placed: list[PlacementOut] = []


class GeoOut(Model):
    precision: PrecisionScaleOut
    placing: list[str] = Field(description="The relation types that place an actor at a location (graph.geo.PLACING).")
    located: list[LocatedOut] = Field(description="The entities asked for that have a location, in the order asked.")


# --------------------------------------------------------------------------- errors


class ErrorOut(Model):
    """Every error the API answers with: its kind and what went wrong in one line."""

    error: Literal[tuple(KINDS)] = Field(
        description="What kind of error: "
        + "; ".join(  # type: ignore[valid-type]
            f"`{k}` ({status})" for k, (status, _) in KINDS.items()
        )
        + "."
    )
    detail: str = Field(description="What went wrong, in one line.")
