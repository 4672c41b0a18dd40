"""Strict pydantic models of curated facts, derived from the schema registry.

These are the boundary: every record read from a file is validated by one of
them, and a model's dump is the only road to a graph node, edge or database row.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    create_model,
    model_validator,
)

from .dates import first_day, last_day, parse_partial
from .schema import REGISTRY, Attribute, Registry

MAX_QUOTE_WORDS = 25
# Text limits, so that whatever validates can be written and indexed: Neo4j's
# range indexes (ids, names) take keys of at most 8 KB, and a character is at
# most 4 bytes of UTF-8. A quote of 25 words is far shorter than its limit.
MAX_NAME_CHARS = 1_000
MAX_QUOTE_CHARS = 600
MAX_TEXT_CHARS = 20_000
# Neo4j integers are 64-bit.
INT64 = (-(2**63), 2**63 - 1)
# C0 controls and DEL (NUL included) have no place in a curated fact; tab and
# line breaks do in long texts, not in a name.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029\x85]")


def _to_str(v: Any) -> Any:
    # JSON and CSV may give a year as a number; a date is text in our model.
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


def _check_partial(v: str) -> str:
    parse_partial(v)
    return v


def _check_quote(v: str) -> str:
    words = len(v.split())
    if words > MAX_QUOTE_WORDS:
        raise ValueError(f"quote has {words} words; quote at most {MAX_QUOTE_WORDS} words verbatim")
    return v


# The same rules as patterns, checked in pydantic's Rust core: a Python validator per text field
# cost more than half of validation's time at a million relations. text_problem() words a failure.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f\u2028\u2029\x85]*$"


def text_problem(v: str) -> str:
    """What makes ``v`` fail TEXT_PATTERN or NAME_PATTERN, in words.

    >>> text_problem("A\\x00B"), text_problem("two\\nlines")
    ('contains the control character U+0000 at position 2', 'a name is one line: remove the line break')
    """
    m = _CONTROL.search(v)
    if m:
        return f"contains the control character U+{ord(m.group()):04X} at position {m.start() + 1}"
    if _LINE_BREAK.search(v):
        return "a name is one line: remove the line break"
    return "contains a character a fact may not hold"


PartialDate = Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_partial)]
SLUG_PATTERN = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=200)]
_SLUG = re.compile(SLUG_PATTERN)


def is_slug(text: str) -> bool:
    """Whether ``text`` has the form of an id.

    >>> is_slug("sohr"), is_slug("a well-informed source")
    (True, False)
    """
    return len(text) <= 200 and _SLUG.match(text) is not None


# Free text (titles, descriptions, attributes) and names (names, aliases: indexed, one line).
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=TEXT_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=NAME_PATTERN)]
OptionalText = Annotated[str, Field(max_length=MAX_TEXT_CHARS, pattern=TEXT_PATTERN)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Integer = Annotated[int, Field(ge=INT64[0], le=INT64[1])]


# The Admiralty scales of the registry (graph/schema.yaml `grades`).
def _not_bool(v: Any) -> Any:
    # JSON `true` would pass as the integer 1, the best grade.
    if isinstance(v, bool):
        raise ValueError(f"a grade is a number {REGISTRY.credibility.span()}, not {str(v).lower()}")
    return v


Credibility = Annotated[
    int,
    # The bounds first: then JSON Schema (the explorer's OpenAPI document) states them as minimum/maximum.
    Field(ge=REGISTRY.credibility.best, le=REGISTRY.credibility.worst),
    BeforeValidator(_not_bool),
]
Reliability = Literal[REGISTRY.reliability.grades]  # type: ignore[valid-type]
GeoPrecision = Literal[REGISTRY.geo_precision.grades]  # type: ignore[valid-type]
_COMMA_DECIMAL = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _decimal_point(v: Any) -> Any:
    """Refuse ``"34,45"``: a comma decimal would be read as text, or by some tools as two numbers.

    >>> _decimal_point("34.45"), _decimal_point(34.45)
    ('34.45', 34.45)
    >>> _decimal_point("34,45")
    Traceback (most recent call last):
    ValueError: '34,45' has a comma as its decimal mark: write 34.45 (decimal degrees, with a point)
    """
    if isinstance(v, str) and _COMMA_DECIMAL.match(v):
        raise ValueError(
            f"{v.strip()!r} has a comma as its decimal mark: write {v.strip().replace(',', '.')} "
            "(decimal degrees, with a point)"
        )
    return v


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), BeforeValidator(_decimal_point)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), BeforeValidator(_decimal_point)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class Source(Strict):
    id: Slug
    title: Text
    publisher: Text
    author: Name | None = None
    # When the report was published, and when it was read: either may be unknown, not both.
    published: PartialDate | None = None
    retrieved: PartialDate | None = None
    reliability: Reliability
    document: Name | None = None
    url: Name | None = None

    @model_validator(mode="after")
    def _dated(self):
        if self.published is None and self.retrieved is None:
            raise ValueError(
                "give published (when the report came out) or, if that is unknown, retrieved (when it was read)"
            )
        if self.published and self.retrieved and last_day(self.retrieved) < first_day(self.published):
            raise ValueError(f"retrieved {self.retrieved} is before published {self.published}")
        return self

    @property
    def observed(self) -> str:
        """When the source saw what it reports, unless a piece of evidence says otherwise: its publication
        (or, when that is unknown, the day it was read, the latest it can be)."""
        return self.published or self.retrieved  # type: ignore[return-value]


class Evidence(Strict):
    source: Slug
    quote: Annotated[
        str, Field(min_length=1, max_length=MAX_QUOTE_CHARS, pattern=TEXT_PATTERN), AfterValidator(_check_quote)
    ]
    # A piece of evidence may grade itself; otherwise the relation's grade holds.
    credibility: Credibility | None = None
    # When the report saw it, if earlier than its publication ("in 2017, ...").
    observed: PartialDate | None = None
    # Who made the claim: an entity id (a person, outlet, government...) or, for an
    # anonymous originator, words ("a source familiar with the government forces").
    according_to: Name | None = None
    # The outlet the source relays (an entity id): the Levant report via SOHR.
    via: Slug | None = None

    @property
    def anonymous(self) -> bool:
        """Whether ``according_to`` describes an originator in words rather than naming an entity."""
        return self.according_to is not None and not is_slug(self.according_to)


class EntityBase(Strict):
    id: Slug
    type: str
    name: Name
    aliases: list[Name] = Field(default_factory=list)
    description: OptionalText | None = None
    # Decimal degrees (WGS 84), and how precisely they place it (the registry's geo_precision scale).
    lat: Latitude | None = None
    lon: Longitude | None = None
    geo_precision: GeoPrecision | None = None
    # Where the identification, names and description come from: reports (evidence), or
    # the curator's own inference, said in a note.
    evidence: list[Evidence] = Field(default_factory=list)
    inferred: OptionalText | None = None

    @model_validator(mode="after")
    def _both_coordinates(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        scale = REGISTRY.geo_precision
        if self.lat is not None and self.geo_precision is None:
            raise ValueError(
                f"coordinates need geo_precision: how precisely lat/lon place it (one of {', '.join(scale.grades)})"
            )
        if self.lat is None and self.geo_precision is not None:
            raise ValueError("geo_precision without coordinates: give lat and lon too, or leave geo_precision out")
        return self

    def attributes(self) -> dict[str, Any]:
        """The type's declared attributes that are set."""
        return {k: v for k, v in self.__dict__.items() if k not in _ENTITY_BASE and v not in (None, [])}


class RelationBase(Strict):
    type: str
    from_: Slug = Field(alias="from")
    to: Slug
    evidence: list[Evidence] = Field(min_length=1)
    credibility: Credibility
    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.valid_from and self.valid_to and last_day(self.valid_to) < first_day(self.valid_from):
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def attributes(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _RELATION_BASE and v not in (None, [])}

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.from_, self.type, self.to)


# The built-in fields, once: reading model_fields costs a microsecond a call, a second a million relations.
_ENTITY_BASE = frozenset(EntityBase.model_fields)
_RELATION_BASE = frozenset(RelationBase.model_fields)

_KIND_TYPES: dict[str, Any] = {
    "string": Text,
    "integer": Integer,
    "number": Number,
    "date": PartialDate,
    "strings": list[Text],
}


def _fields(attrs: dict[str, Attribute]) -> dict[str, Any]:
    return {
        a.name: (_KIND_TYPES[a.kind] | None, Field(default=None, description=a.description)) for a in attrs.values()
    }


def _build(registry: Registry):
    entity_models = {
        name: create_model(f"{name}Entity", __base__=EntityBase, type=(Literal[name], ...), **_fields(t.attributes))
        for name, t in registry.entities.items()
    }
    relation_models = {
        name: create_model(f"{name}Relation", __base__=RelationBase, type=(Literal[name], ...), **_fields(t.attributes))
        for name, t in registry.relations.items()
    }
    return entity_models, relation_models


ENTITY_MODELS, RELATION_MODELS = _build(REGISTRY)
# Module attributes under their class names, so that records pickle (kg diff sends them between processes).
globals().update({m.__name__: m for m in (*ENTITY_MODELS.values(), *RELATION_MODELS.values())})

# One adapter per record kind; the `type` field picks the model, which keeps
# JSON Lines validation in pydantic's Rust core (no Python json round trip).
EntityAdapter: TypeAdapter = TypeAdapter(
    Annotated[Union[tuple(ENTITY_MODELS.values())], Field(discriminator="type")]  # noqa: UP007 (a Union of a tuple)
)
RelationAdapter: TypeAdapter = TypeAdapter(
    Annotated[Union[tuple(RELATION_MODELS.values())], Field(discriminator="type")]  # noqa: UP007 (a Union of a tuple)
)
SourceAdapter: TypeAdapter = TypeAdapter(Source)
