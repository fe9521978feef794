"""Whole-text scans rewritten to open with a literal (so that ``re`` can jump between candidate
letters) find exactly what the patterns they replace found."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.officials import OfficialExtractor
from extractor.organizations import UPPER, OrganizationExtractor
from extractor.rules import flat_alternation, load_rules

ORGS = load_rules("organizations.yaml")
PEOPLE = load_rules("officials.yaml")
CORPUS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parents[1] / "corpus").glob("*.txt"))]

# the patterns as they were written before
_latin = r"[A-Z][A-Za-z0-9&']*"
ENGLISH = re.compile(
    rf"(?<![\w&])(?!(?:{flat_alternation(ORGS['english_stop'])})\s)"
    rf"((?:{_latin} ){{1,3}}(?:{flat_alternation(ORGS['english_suffixes'])}))(?![\w&])")
PREFIX = re.compile(rf"(?<![\w.])(?:(?P<hon>{flat_alternation(PEOPLE['honorifics'])})"
                    rf"|(?P<acad>{flat_alternation(PEOPLE['academic'])})) ?(?=[{UPPER}])")

ORG = OrganizationExtractor()
OFFICIAL = OfficialExtractor()

EN_WORDS = ORGS["english_stop"] + ORGS["english_suffixes"][:6] + ["Vietnam", "X", "&", "Coca", "a", "The", "Inx"]
PREFIX_WORDS = PEOPLE["honorifics"] + PEOPLE["academic"] + ["Nguyễn", "An", "x", ".", "Anh", "bà", "TS.", "a"]
GAPS = st.sampled_from([" ", "", "  ", "\n", ".", "&", "-"])


def _english(text: str) -> None:
    assert [(m.span(), m.span(1)) for m in ENGLISH.finditer(text)] == \
        [(m.span(), m.span(1)) for m in ORG._english_re.finditer(text)]


def _prefix(text: str) -> None:
    assert [(m.span(), m.group("hon"), m.group("acad")) for m in PREFIX.finditer(text)] == \
        [(m.span(), m.group("hon"), m.group("acad")) for m in OFFICIAL._prefixes(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(EN_WORDS), GAPS), max_size=12))
def test_english_generated(parts: list[tuple[str, str]]) -> None:
    _english("".join(w + g for w, g in parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PREFIX_WORDS), GAPS), max_size=12))
def test_prefix_generated(parts: list[tuple[str, str]]) -> None:
    _prefix("".join(w + g for w, g in parts))


def test_corpus() -> None:
    for text in CORPUS:
        _english(text)
        _prefix(text)
