"""Serialisation: the fast path of extractor.output gives exactly what the full ``_clean`` walk gives.

``to_dict``/``to_bytes`` clean only the fields whose types allow a change and fall back to the
full walk when a value breaks its type, or when a surrogate or a 64-bit-overflowing int is left.
These cases put odd values where a library user could (model fields are assignable) and compare
with the reference: ``_clean(model_dump())``, written with orjson.
"""
from __future__ import annotations

import warnings
from typing import Any

import orjson
import pytest

from extractor import output
from extractor.models import Document, Period
from extractor.pipeline import Extractor

_TEXT = "Tháng 3/2023, GDP tăng 5% so với cùng kỳ, đạt 100 tỷ đồng. Xuất khẩu đạt 1,5 tỷ USD."
_VALUES: list[Any] = [
    1.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 2**63, 2**63 - 1, -(2**63), 2**64, 2**70,
    -(2**70), 2**53 + 1, 10**19, True, None, "x", "\ud800", 1e300, 123456789.0, 2.0**63, 2.0**64, (1.0, 2),
    [1.0, "\udc00"], {"a": 2.0, "b": [3.0, 2**64]}, {"\ud800": 1},
]
_PLACES = ["number", "low", "meta", "meta_extra", "text", "start", "year", "name"]


@pytest.fixture(scope="module")
def base() -> Document:
    doc = Extractor().extract(_TEXT, doc_id="e")
    assert doc.quantities and doc.comparisons and doc.indicators and doc.sentences
    return doc


def _reference_dict(doc: Document) -> Any:
    return output._clean(doc.model_dump(mode="python"))


def _reference_bytes(doc: Document) -> bytes:
    return orjson.dumps(_reference_dict(doc), option=orjson.OPT_INDENT_2) + b"\n"


def _outcome(fn: Any, doc: Document) -> tuple[str, list[str]]:
    """What ``fn(doc)`` returns or raises, and its warnings, as comparable text (NaN-safe)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", fn(doc))
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            result = ("error", type(e).__name__, str(e))
    return repr(result), [str(w.message) for w in caught]


def _place(doc: Document, where: str, value: Any) -> None:
    if where in ("number", "low"):
        setattr(doc.quantities[0], where, value)
    elif where == "meta":
        doc.meta.title = value
    elif where == "meta_extra":
        assert doc.meta.__pydantic_extra__ is not None
        doc.meta.__pydantic_extra__["x"] = value
    elif where == "text":
        doc.quantities[0].text = value
    elif where == "start":
        doc.sentences[0].start = value
    elif where == "year":
        doc.comparisons[0].period = Period(text="a", start=0, end=1)
        doc.comparisons[0].period.year = value
    else:
        doc.indicators[0].name = value


@pytest.mark.parametrize("where", _PLACES)
def test_fast_serialisation_equals_the_full_walk(base: Document, where: str) -> None:
    for value in _VALUES:
        doc = base.model_copy(deep=True)
        _place(doc, where, value)
        assert _outcome(output.to_dict, doc) == _outcome(_reference_dict, doc), (where, value)
        assert _outcome(output.to_bytes, doc) == _outcome(_reference_bytes, doc), (where, value)


def test_fast_serialisation_equals_the_full_walk_on_the_corpus() -> None:
    from pathlib import Path

    ex = Extractor()
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.txt")):
        doc = ex.extract(path.read_text(encoding="utf-8"), doc_id=path.stem)
        assert output.to_bytes(doc) == _reference_bytes(doc), path.name
