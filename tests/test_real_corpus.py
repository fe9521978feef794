"""The real articles of ../shared/corpus/real: exact offsets, no quantity on a trap, sane indicators.

Extracted once per test session (about 15 s); skipped when ../shared is absent.
"""
from __future__ import annotations

import re

import pytest

from conftest import REAL, require_shared
from extractor.normalise import read_text
from test_offsets import check

# what must never be (part of) a quantity: dates, month/year, period ranges, legal numbers, codes
TRAPS = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\s?[-–]\s?(?:19|20)\d{2}\b"
    r"|\b\d+/\d{4}/[A-ZĐ][A-ZĐ\-]*\b|Covid-19|COVID-19|\bC/O\b|\b\d{1,2}h\d{2}\b"
)


@pytest.fixture(scope="module")
def real_docs(extractor):
    files = sorted(require_shared(REAL).rglob("*.txt"))
    assert files
    return [(f, read_text(f), extractor.extract(read_text(f))) for f in files]


def test_offsets_exact_on_every_real_article(real_docs, extractor) -> None:
    for _, text, doc in real_docs:
        check(extractor, text, doc)


def test_no_quantity_overlaps_a_trap(real_docs) -> None:
    bad = []
    for f, text, doc in real_docs:
        traps = [(m.start(), m.end(), m.group(0)) for m in TRAPS.finditer(text)]
        for q in doc.quantities:
            for s, e, t in traps:
                if q.start < e and s < q.end:
                    bad.append(f"{f.name}: {q.text!r} overlaps {t!r}")
    assert not bad, bad[:20]


def test_every_indicator_named_and_every_change_has_an_amount(real_docs) -> None:
    for f, text, doc in real_docs:
        for ind in doc.indicators:
            assert ind.name.strip(), f
            assert text[ind.name_start:ind.name_end] == ind.name
            for ch in ind.changes:
                assert ch.amount is not None and ch.amount.number is not None, f
            if ind.parent is not None:
                assert 0 <= ind.parent < len(doc.indicators)
