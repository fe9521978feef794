"""Serialisation exactly as SPEC.md says, and the JSON Schema generated from the models.

Output must be byte-identical across runs so that CI diffs of ``outputs/`` show rule changes
and nothing else: fixed key order (the models' field order), 2-space indent, UTF-8 without
``\\u`` escapes, a trailing newline, integral floats printed as integers and no NaN.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

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


def to_dict(doc: Document) -> dict[str, Any]:
    """The document as plain JSON-ready data."""
    return _clean(doc.model_dump(mode="python"))


def to_bytes(doc: Document) -> bytes:
    """UTF-8 JSON bytes, deterministic, with a trailing newline."""
    return orjson.dumps(to_dict(doc), option=orjson.OPT_INDENT_2) + b"\n"


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
