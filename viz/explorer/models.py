"""The explorer's JSON API, as pydantic models (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.schema import REGISTRY

Reliability = Literal["A", "B", "C", "D", "E", "F"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- filters


class Filters(Model):
    """What the view shows. Grades follow the Admiralty code (1 and A are best):
    ``credibility_at_least=3`` keeps facts graded 1-3, ``reliability_at_least="B"`` keeps facts
    with at least one source graded A or B. A relation passes when one piece of evidence
    meets both grades."""

    entity_types: list[str] | None = Field(
        None, description="Entity types to show (None: all). Entities chosen by the user are always shown.")
    relation_types: list[str] | None = Field(None, description="Relation types to show (None: all).")
    as_of: dt.date | None = Field(None, description="Only relations valid on this day (open ends hold).")
    reliability_at_least: Reliability | None = Field(None, description="Worst source reliability accepted (A-F).")
    credibility_at_least: int | None = Field(None, ge=1, le=6, description="Worst credibility accepted (1-6).")

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


class Node(Model):
    id: str = Field(description="Entity id (or 'source:<id>' / 'node:<element id>' for other nodes).")
    type: str = Field(description="Entity type from the schema registry, or the node's label.")
    name: str
    aliases: list[str] = []
    entity: bool = Field(True, description="False for nodes that are not entities (e.g. sources).")


class Edge(Model):
    id: str = Field(description="'<from>|<type>|<to>' for relations between entities.")
    source: str = Field(description="Id of the 'from' entity.")
    target: str = Field(description="Id of the 'to' entity.")
    type: str
    credibility: int | None = Field(None, description="Best credibility among the evidence (1 best).")
    reliability: str | None = Field(None, description="Best reliability among the sources (A best).")
    valid_from: str | None = None
    valid_to: str | None = None
    evidence: int = Field(0, description="Number of pieces of evidence.")
    attributes: dict[str, Any] = Field({}, description="The relation type's attributes (use, role, ...).")


class GraphPart(Model):
    nodes: list[Node] = []
    edges: list[Edge] = []


# --------------------------------------------------------------------------- search / entity


class Suggestion(Model):
    id: str
    name: str
    type: str
    matched: str | None = Field(None, description="The alias that matched, when it was not the name.")


class SearchResult(Model):
    query: str
    suggestions: list[Suggestion]


class EntityDetails(Model):
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
                             description="Entities already on screen: relations between them and the new ones come too.")
    removed: list[str] = Field([], max_length=20000, description="Entities the user removed: never brought back.")
    filters: Filters = Filters()
    limit: int = Field(100, ge=1, le=2000, description="At most this many neighbours.")


class ExpandResult(GraphPart):
    centre: str
    total: int = Field(description="Neighbours passing the filters.")
    shown: int = Field(description="Neighbours returned (at most the limit).")
    edges_truncated: bool = Field(False, description="True when relations among the entities were left out "
                                                     "(a view holds at most a few thousand).")


class ViewRequest(Model):
    roots: list[str] = Field([], max_length=500, description="Entities chosen by the user (shown with their neighbours).")
    expanded: list[str] = Field([], max_length=2000, description="Entities whose neighbours are shown too.")
    shown: list[str] = Field([], max_length=20000,
                             description="Entities shown without their neighbours (e.g. from a query result).")
    removed: list[str] = Field([], max_length=20000)
    filters: Filters = Filters()
    limit: int = Field(100, ge=1, le=2000, description="At most this many neighbours per expanded entity.")


class ViewResult(GraphPart):
    missing: list[str] = Field([], description="Requested entities that are not in the database.")
    truncated: dict[str, int] = Field({}, description="Expanded entities with more neighbours than shown: total.")
    edges_truncated: bool = Field(False, description="True when relations among the entities on screen were left "
                                                     "out (a view holds at most a few thousand).")


# --------------------------------------------------------------------------- evidence


class SourceInfo(Model):
    id: str
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    reliability: str | None = None
    document: str | None = None
    url: str | None = None


class DocumentContext(Model):
    before: str
    match: str
    after: str
    truncated_before: bool
    truncated_after: bool


class EvidenceItem(Model):
    source: SourceInfo
    quote: str
    credibility: int | None
    context: DocumentContext | None = Field(
        None, description="The document's text around the quote (when served with --documents and found).")


class EdgeDetails(Model):
    edge: Edge
    source_name: str
    target_name: str
    evidence: list[EvidenceItem]


# --------------------------------------------------------------------------- queries


class QueryParam(Model):
    name: str
    type: str = "string"
    default: Any = None
    description: str = ""
    required: bool = True


class NamedQuery(Model):
    name: str
    title: str = Field(description="The question the query answers.")
    description: str = ""
    params: list[QueryParam] = []
    examples: list[str] = []


class NamedQueryRequest(Model):
    params: dict[str, Any] = {}


class CypherRequest(Model):
    query: str = Field(min_length=1, max_length=20000, description="Cypher to read with (writes are refused).")
    params: dict[str, Any] = {}


class QueryResult(Model):
    columns: list[str]
    rows: list[list[Any]] = Field(description="Values as JSON; nodes, relationships and paths as small objects.")
    truncated: bool = Field(description="True when the row limit cut the result.")
    row_limit: int
    elapsed_ms: float
    graph: GraphPart | None = Field(None, description="Nodes and relationships in the result, ready to draw.")


# --------------------------------------------------------------------------- meta / export


class EntityTypeInfo(Model):
    type: str
    color: str
    shape: str
    description: str
    attributes: list[str]


class RelationTypeInfo(Model):
    type: str
    description: str
    attributes: list[str]


class Meta(Model):
    entity_types: list[EntityTypeInfo]
    relation_types: list[RelationTypeInfo]
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


class Problem(Model):
    detail: str = Field(description="What went wrong, in one line.")
