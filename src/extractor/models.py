"""The JSON contract of ../shared/SPEC.md as pydantic models.

Field names and their order are the contract: users, CI diffs and the acceptance scorer read them.
Fields added beyond SPEC.md are documented on the field (``description``) and in the schema.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

QuantityKind = Literal["percent", "money", "count", "measure", "points", "percentage_points", "ratio"]
Qualifier = Literal["nearly", "approximately", "more_than", "less_than", "at_least", "at_most", "range"]
ComparisonKind = Literal[
    "previous_period", "same_period_last_year", "plan", "period_start", "explicit_period", "average", "other"
]
Direction = Literal["increase", "decrease", "unchanged"]
OrgKind = Literal["government", "company", "association", "international", "education", "media", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Span(_Model):
    """A piece of the input text: ``text == article[start:end]``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence: int = Field(ge=0, description="index into `sentences`")


class Sentence(_Model):
    index: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Period(_Model):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    year: int | None = None
    month: int | None = Field(default=None, ge=1, le=12)
    quarter: int | None = Field(default=None, ge=1, le=4)
    months: int | None = Field(default=None, ge=1, description="length of a cumulative window")
    day: int | None = Field(default=None, ge=1, le=31)


class Quantity(Span):
    number: float | int
    unit: str
    kind: QuantityKind
    qualifier: Qualifier | None = None
    low: float | int | None = None
    high: float | int | None = None


class Comparison(Span):
    kind: ComparisonKind
    period: Period | None = None


class Change(_Model):
    direction: Direction
    amount: Quantity
    comparison: Comparison | None = None
    period: Period | None = None


class Share(_Model):
    amount: Quantity
    of: str


class Indicator(_Model):
    name: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence: int = Field(ge=0)
    period: Period | None = None
    estimated: bool = False
    value: Quantity | None = None
    changes: list[Change] = Field(default_factory=list)
    share: Share | None = None
    plan_ratio: Quantity | None = None
    parent: int | None = None
    name_start: int | None = Field(default=None, description="added: input offset of `name`")
    name_end: int | None = Field(default=None, description="added: input end offset of `name`")


class Mention(_Model):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence: int = Field(ge=0)


class Organization(_Model):
    name: str
    canonical: str
    kind: OrgKind
    abbreviation: str | None = None
    mentions: list[Mention] = Field(default_factory=list)


class Official(_Model):
    name: str
    honorific: str | None = None
    title: str | None = None
    organization: str | None = None
    mentions: list[Mention] = Field(default_factory=list)


class Quote(_Model):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: Literal["direct", "indirect"]
    speaker: str | None = None
    sentence: int | None = Field(default=None, description="added: sentence where the quote starts")


class ExtractionWarning(_Model):
    code: str
    message: str
    start: int | None = None
    end: int | None = None


class Meta(BaseModel):
    """What the input carried; unknown fields are kept."""

    model_config = ConfigDict(extra="allow")
    title: str | None = None
    published: str | None = None
    source: str | None = None
    url: str | None = None


class Document(_Model):
    schema_version: str = SCHEMA_VERSION
    doc_id: str
    text_sha256: str
    meta: Meta = Field(default_factory=Meta)
    sentences: list[Sentence] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    comparisons: list[Comparison] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    organizations: list[Organization] = Field(default_factory=list)
    officials: list[Official] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    warnings: list[ExtractionWarning] = Field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON-ready dict of SPEC.md (integral floats as ints)."""
        from .output import to_dict

        return to_dict(self)

    def to_json(self) -> str:
        """Deterministic JSON text: 2-space indent, UTF-8 without escapes, trailing newline."""
        from .output import to_json

        return to_json(self)
