"""Serialisation exactly as SPEC.md says, and the JSON Schema generated from the models.

Output must be byte-identical across runs so that CI diffs of ``outputs/`` show rule changes
and nothing else: fixed key order (the models' field order), 2-space indent, UTF-8 without
``\\u`` escapes, a trailing newline, integral floats printed as integers and no NaN.
"""
from __future__ import annotations

import json
import math
import re
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import orjson
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from .models import Document

__all__ = ["to_dict", "to_json", "to_bytes", "json_schema", "schema_text"]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: Any) -> Any:
    """Integral floats become ints; NaN and infinities cannot be represented and become None."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return float(value)  # JSON readers (and orjson) hold 64-bit integers; larger ones are floats
    if isinstance(value, str) and _SURROGATE.search(value):
        # a lone surrogate (only possible in a Python str given to the library) cannot be UTF-8
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# --- fast path ---------------------------------------------------------------------------------
# Walking the whole dump with _clean costs more than dumping and writing it (a Python call per
# value, a regex search per string: ~900 values a document). Most of it cannot change anything:
# a field typed ``int``, ``str``, ``bool`` or a Literal holds exactly that once pydantic has
# serialised it without a warning (``warnings="error"`` turns a float in an ``int`` field, a
# tuple for a list, ... into an exception). So _clean runs only on the fields whose type may hold
# a float or anything else (``Quantity.number/low/high``, ``Meta``'s extra fields), found from
# the models themselves. What remains for _clean elsewhere, a lone surrogate in a str or an int of
# 2**63 or more, makes ``orjson.dumps(..., OPT_STRICT_INTEGER)`` raise (it refuses surrogates
# and ints beyond 53 bits); then the full walk runs. The result is _clean's in every case.

_ALL = "all"  # plan: give the whole value to _clean
_Plan = dict[str, Any] | str
_BIG = 2**63


def _type_plan(tp: Any, seen: frozenset[type]) -> _Plan | None:
    """What of a value of annotation ``tp`` may need _clean: nothing (None), all, or a model plan."""
    if tp in (int, str, bool, type(None)) or get_origin(tp) is Literal:
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _ALL if tp in seen else (_model_plan(tp, seen | {tp}) or None)
    if get_origin(tp) in (list, Union, UnionType):
        plans = [p for p in (_type_plan(a, seen) for a in get_args(tp)) if p is not None]
        if not plans:
            return None
        return plans[0] if len(plans) == 1 else _ALL
    return _ALL  # float, Any, dict, ...: anything _clean might change


def _model_plan(model: type[BaseModel], seen: frozenset[type]) -> _Plan:
    """Per field of a dumped ``model``, what may need _clean (fields that never do are left out)."""
    if model.model_config.get("extra") == "allow":
        return _ALL  # extra fields may hold anything
    plan = {}
    for name, info in model.model_fields.items():
        p = _type_plan(info.annotation, seen)
        if p is not None:
            plan[name] = p
    return plan


_DOCUMENT_PLAN = _model_plan(Document, frozenset({Document}))


def _apply(value: Any, plan: _Plan) -> Any:
    """``value`` with _clean applied where ``plan`` says (lists and dicts are changed in place)."""
    if value is None:
        return None
    if plan is _ALL:
        if type(value) is int and -_BIG < value < _BIG:
            return value  # the common case, which _clean returns unchanged
        return _clean(value)
    if type(value) is list:
        for i, v in enumerate(value):
            value[i] = _apply(v, plan)
        return value
    if type(value) is dict:
        for key, p in plan.items():  # type: ignore[union-attr]
            if key in value:
                value[key] = _apply(value[key], p)
        return value
    return _clean(value)


def _fast_dict(doc: Document) -> dict[str, Any] | None:
    """The dump with _clean applied where the types allow a change; None when a field holds a
    value its type does not allow (then only the full walk is exact)."""
    try:
        data = doc.model_dump(mode="python", warnings="error")
    except PydanticSerializationError:
        return None
    return _apply(data, _DOCUMENT_PLAN)


def to_dict(doc: Document) -> dict[str, Any]:
    """The document as plain JSON-ready data."""
    data = _fast_dict(doc)
    if data is None:
        return _clean(doc.model_dump(mode="python"))
    try:
        orjson.dumps(data, option=orjson.OPT_STRICT_INTEGER)  # no surrogate, no big int left?
    except orjson.JSONEncodeError:
        return _clean(data)  # _clean is idempotent: cleaning part of it first changes nothing
    return data


def to_bytes(doc: Document) -> bytes:
    """UTF-8 JSON bytes, deterministic, with a trailing newline."""
    data = _fast_dict(doc)
    if data is not None:
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_STRICT_INTEGER) + b"\n"
        except orjson.JSONEncodeError:
            data = _clean(data)
    else:
        data = _clean(doc.model_dump(mode="python"))
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def to_json(doc: Document) -> str:
    """:func:`to_bytes` as text."""
    return to_bytes(doc).decode("utf-8")


def json_schema() -> dict[str, Any]:
    """JSON Schema of a Document, generated from the models (the published contract)."""
    schema = Document.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "vnextract Document"
    return schema


def schema_text() -> str:
    """The committed form of :func:`json_schema` (sorted keys, 2-space indent, newline)."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
