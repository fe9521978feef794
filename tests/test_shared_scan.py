"""``SharedScan`` (titles and roles found with one scan per article) gives exactly what a scan of
each vocabulary gives: organizations and officials read its spans instead of scanning three times."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.context import Context
from extractor.normalise import normalise
from extractor.organizations import Caseless, SharedScan
from extractor.rules import load_rules

PEOPLE = load_rules("officials.yaml")
# prefixes of each other across the two parts ("chuyên viên" / "chuyên viên phân tích")
TITLES = ["Giám đốc", "Phó Giám đốc", "chuyên viên", "Tổng Giám đốc", "Viên"]
ROLES = ["chuyên viên phân tích", "nhà đầu tư", "đốc công", "giám", "phân tích viên"]
WORDS = TITLES + ROLES + ["phó", "tổng", "ông", "A", "-", ",", "(", "İ", "x"]


def _context(text: str) -> Context:
    return Context(nt=normalise(text), sentence_spans=[], tokens=[])


def _check(parts: dict[str, list[str]], text: str) -> None:
    scan = SharedScan(parts)
    ctx = _context(text)
    union = Caseless([f for forms in parts.values() for f in forms])
    assert scan.spans(ctx) == [m.span() for m in union.finditer(ctx.text)]
    for name, forms in parts.items():
        assert scan.spans(ctx, name) == [m.span() for m in Caseless(forms).finditer(ctx.text)], name


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=25), st.lists(st.sampled_from([" ", "", "  "]), min_size=25, max_size=25))
def test_generated(words: list[str], gaps: list[str]) -> None:
    """Overlapping titles and roles, glued words, and a letter whose lower case is longer."""
    _check({"titles": TITLES, "roles": ROLES}, "".join(w + g for w, g in zip(words, gaps)))


def test_corpus() -> None:
    """The real vocabularies over corpus/."""
    parts = {"titles": PEOPLE["titles"], "roles": PEOPLE["roles"]}
    for path in sorted((Path(__file__).parents[1] / "corpus").glob("*.txt")):
        _check(parts, path.read_text(encoding="utf-8"))
