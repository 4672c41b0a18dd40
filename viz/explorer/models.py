"""The explorer's JSON API, as pydantic models (they make its OpenAPI schema).

Requests are ``*Request`` (and :class:`Filters`); responses are ``*Out``, named
apart from the domain's classes (:class:`graph.facts.Edge` is a fact,
:class:`EdgeOut` what the page draws of it). Every error is an :class:`ErrorOut`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from graph.asof import TIME_BASES
from graph.models import INT64, Credibility, Reliability, Source
from graph.schema import REGISTRY, Scale

from .errors import KINDS


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _threshold(scale: Scale, example: str | int) -> str:
    """A grade filter's description, from the registry's scale."""
    grades = "; ".join(scale.label(g) for g in scale.grades)
    accepted = ", ".join(str(g) for g in scale.grades if scale.at_least(g, example))
    return (f"Worst {scale.name} accepted ({scale.title}, {scale.span()}, best first: {grades}); "
            f"e.g. `{example}` accepts {accepted}.")


# --------------------------------------------------------------------------- filters


class Filters(Model):
    """What the view shows. A relation passes the grade filters when one piece of its evidence meets
    both: its credibility at least ``credibility_at_least`` and its source's reliability at least
    ``reliability_at_least`` (the registry's Admiralty scales, best first)."""

    entity_types: list[str] | None = Field(
        None, description="Entity types to show (None: all). Entities chosen by the user are always shown.")
    relation_types: list[str] | None = Field(None, description="Relation types to show (None: all).")
    as_of: dt.date | None = Field(None, description="Only relations that hold on this day, between entities that "
                                                    "exist on it (graph.asof): stated validity (open ends hold; a "
                                                    "partial date holds over its span: valid_to 2021 through "
                                                    "2021-12-31), else the observations widened by the horizon "
                                                    "of /api/meta.")
    reliability_at_least: Reliability | None = Field(
        None, description=_threshold(REGISTRY.reliability, REGISTRY.reliability.grades[1]))
    credibility_at_least: Credibility | None = Field(
        None, description=_threshold(REGISTRY.credibility, REGISTRY.credibility.grades[2]))

    @field_validator("entity_types", "relation_types")
    @classmethod
    def _registered_types(cls, v, info):
        if v is not None:
            kind = info.field_name.split("_")[0]  # entity / relation
            known = REGISTRY.entities if kind == "entity" else REGISTRY.relations
            bad = [t for t in v if t not in known]
            if bad:
                raise ValueError(f"unknown {kind} type(s): {', '.join(map(repr, bad))}")
        return v


# --------------------------------------------------------------------------- graph pieces


class NodeOut(Model):
    id: str = Field(description="Entity id (or 'source:<id>' / 'node:<element id>' for other nodes).")
    type: str = Field(description="Entity type from the schema registry, or the node's label.")
    name: str
    aliases: list[str] = []
    entity: bool = Field(True, description="False for nodes that are not entities (e.g. sources).")
    valid_from_day: str | None = Field(None, description="First day the entity exists (ISO day; None: open), "
                                                         "e.g. an event's date.")
    valid_to_day: str | None = Field(None, description="Last day the entity exists (ISO day; None: open), "
                                                       "e.g. a campaign's end.")


class EdgeOut(Model):
    id: str = Field(description="'<from>|<type>|<to>' for relations between entities (graph.facts.edge_id); "
                                "'rel:<element id>' for other relationships of a query result.")
    source: str = Field(description="Id of the 'from' entity.")
    target: str = Field(description="Id of the 'to' entity.")
    type: str
    credibility: int | None = Field(None, description="Best credibility among the evidence.")
    reliability: str | None = Field(None, description="Best reliability among the sources.")
    valid_from: str | None = Field(None, description="Start of validity as written (YYYY, YYYY-MM or YYYY-MM-DD).")
    valid_to: str | None = Field(None, description="End of validity as written (YYYY, YYYY-MM or YYYY-MM-DD).")
    valid_from_day: str | None = Field(None, description="First day the relation holds (ISO day; None: open).")
    valid_to_day: str | None = Field(None, description="Last day the relation holds (ISO day; None: open): "
                                                       "valid_to 2021 holds through 2021-12-31.")
    time_basis: Literal[TIME_BASES] | None = Field(  # type: ignore[valid-type]
        None, description="Where the window comes from: `stated` validity, or `inferred` from when the "
                          "sources observed the fact (widened by the explorer's horizon, see /api/meta).")
    evidence: int = Field(0, description="Number of pieces of evidence.")
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
    description: str | None = None
    lat: float | None = None
    lon: float | None = None
    dataset: str | None = None
    attributes: dict[str, Any] = {}
    relations: dict[str, int] = Field({}, description="Number of relations by type (both directions, unfiltered).")


# --------------------------------------------------------------------------- neighbourhood / view


class ExpandRequest(Model):
    id: str = Field(description="The entity to expand.")
    known: list[str] = Field([], max_length=20000,
                             description="Entities already on screen: relations between them and the new ones "
                                         "come too.")
    removed: list[str] = Field([], max_length=20000, description="Entities the user removed: never brought back.")
    filters: Filters = Filters()
    limit: int = Field(100, ge=1, le=2000, description="At most this many neighbours.")


class ExpandOut(GraphOut):
    centre: str
    total: int = Field(description="Neighbours passing the filters.")
    shown: int = Field(description="Neighbours returned (at most the limit).")
    edges_truncated: bool = Field(False, description="True when relations among the entities were left out "
                                                     "(a view holds at most a few thousand).")


class ViewRequest(Model):
    roots: list[str] = Field([], max_length=500,
                             description="Entities chosen by the user (shown with their neighbours).")
    expanded: list[str] = Field([], max_length=2000, description="Entities whose neighbours are shown too.")
    shown: list[str] = Field([], max_length=20000,
                             description="Entities shown without their neighbours (e.g. from a query result).")
    removed: list[str] = Field([], max_length=20000)
    filters: Filters = Filters()
    limit: int = Field(100, ge=1, le=2000, description="At most this many neighbours per expanded entity.")


class ViewOut(GraphOut):
    missing: list[str] = Field([], description="Requested entities that are not in the database.")
    truncated: dict[str, int] = Field({}, description="Expanded entities with more neighbours than shown: total.")
    edges_truncated: bool = Field(False, description="True when relations among the entities on screen were left "
                                                     "out (a view holds at most a few thousand).")


# --------------------------------------------------------------------------- evidence


# A source's metadata, field for field as the loader's model declares it (graph.models.Source).
SourceOut = create_model("SourceOut", __base__=Model, id=(str, ...),
                         **{name: (str | None, None) for name in Source.model_fields if name != "id"})


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
    observed: str | None = Field(None, description="When the source observed it (partial date): the evidence's "
                                                   "own `observed`, else the source's publication.")
    observed_stated: bool = Field(False, description="True when the evidence states `observed` itself.")
    according_to: str | None = Field(None, description="Who made the claim the source reports (entity id or words).")
    via: str | None = Field(None, description="The entity id of the outlet the source relays.")
    context: DocumentContextOut | None = Field(
        None, description="The document's text around the quote (when served with --documents and found).")


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


def _neo4j_values(value: Any, where: str = "") -> Any:
    """``value`` if Neo4j can hold every number in it (integers are 64-bit), else ValueError naming where.

    >>> _neo4j_values({"x": [1, 2**64]})
    Traceback (most recent call last):
    ...
    ValueError: x[1]: 18446744073709551616 is out of Neo4j's integer range (64 bits)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        raise ValueError(f"{where}: {value} is out of Neo4j's integer range (64 bits)")
    if isinstance(value, dict):
        for k, v in value.items():
            _neo4j_values(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _neo4j_values(v, f"{where}[{i}]")
    return value


class ParamsRequest(Model):
    params: dict[str, Any] = Field({}, description="Values for the query's parameters, by name.")

    @field_validator("params")
    @classmethod
    def _values_neo4j_holds(cls, v):
        return _neo4j_values(v)


class NamedQueryRequest(ParamsRequest):
    """A named query's parameters (see GET /api/queries)."""


class CypherRequest(ParamsRequest):
    query: str = Field(min_length=1, max_length=20000, description="Cypher to read with (writes are refused).")


class QueryResultOut(Model):
    columns: list[str]
    rows: list[list[Any]] = Field(description="Values as JSON; nodes, relationships and paths as small objects.")
    truncated: bool = Field(description="True when the row limit cut the result.")
    row_limit: int
    elapsed_ms: float
    graph: GraphOut | None = Field(None, description="Nodes and relationships in the result, ready to draw.")


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
    dates: list[str] = Field(description="Days at which some relation starts or stops holding (for the as-of slider).")
    entities: int
    relations: int
    datasets: list[str]
    documents: bool = Field(description="Whether source documents are served for quote context.")
    row_limit: int
    query_timeout: float


class ExportRequest(Model):
    nodes: list[str] = Field(max_length=20000, description="Entity ids in the view.")
    edges: list[str] = Field([], max_length=100000, description="Edge ids '<from>|<type>|<to>' in the view.")
    title: str = Field("actorgraph explorer view", max_length=200)
    filters: Filters | None = Field(None, description="The filters of the view, named in the snapshot's heading.")


# --------------------------------------------------------------------------- errors


class ErrorOut(Model):
    """Every error the API answers with: its kind and what went wrong in one line."""

    error: Literal[tuple(KINDS)] = Field(description="What kind of error: " + "; ".join(  # type: ignore[valid-type]
        f"`{k}` ({status})" for k, (status, _) in KINDS.items()) + ".")
    detail: str = Field(description="What went wrong, in one line.")
