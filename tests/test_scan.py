"""The fast scans of extractor.scan find exactly what the patterns they stand for find.

Every ``FoldedScan`` and ``FoldedSearch`` the extractors hold keeps its reference pattern (as the
rule was written, ``re.IGNORECASE`` and leading look-behind) next to the faster lower-cased,
literal-first one; the periods' number-first scan and the quote patterns were rewritten the same
way. Each is compared here with its reference on the corpus (also upper-cased and swap-cased) and
on generated text mixing the vocabulary with letters whose case rules are odd (ı İ ſ K ß).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import periods as _periods
from extractor.organizations import LOWER, UPPER
from extractor.pipeline import Extractor
from extractor.rules import flat_alternation, load_rules
from extractor.scan import FoldedScan, FoldedSearch, lower_form

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"
EX = Extractor()


def _instances(kind: type) -> dict[str, Any]:
    """The extractors' scans of ``kind``, by a readable name."""
    found: dict[str, Any] = {}
    for holder in (EX._numbers, EX._periods, EX._comparisons, EX._quotes, EX._indicators):
        for name, value in vars(holder).items():
            if isinstance(value, kind):
                found[f"{type(holder).__name__}.{name}"] = value
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, tuple) and item and isinstance(item[-1], kind):
                        found[f"{type(holder).__name__}.{name}[{i}] {item[0]}"] = item[-1]
    return found


SCANS: dict[str, FoldedScan] = _instances(FoldedScan)
SEARCHES: dict[str, FoldedSearch] = _instances(FoldedSearch)

_quotes = load_rules("quotes.yaml")
# the quote patterns as they were written before being rewritten verbs first
QUOTE_REFERENCES = {
    "_indirect_re": re.compile(
        rf"(?<![\w])(?:(?:{flat_alternation(_quotes['indirect_verbs'])})(?:\s+thêm)?(?:\s*[,:]\s*(?:rằng\s+)?|\s+rằng[,:]?\s+)"
        rf"|(?:{flat_alternation(_quotes['bare_indirect_verbs'])})\s+(?=[{LOWER}{UPPER}\d]))"),
    "_theo_re": re.compile(r"(?<![\w])[Tt]heo\s+"),
}


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    if REAL.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(REAL.rglob("*.txt"))[:60]]
    return texts + [t.upper() for t in texts[:10]] + [t.swapcase() for t in texts[:10]]


TEXTS = _texts()


def _found(matches: Any) -> list[tuple[tuple[int, int], tuple[Any, ...]]]:
    return [(m.span(), m.groups()) for m in matches]


def _check(text: str) -> None:
    for name, scan in SCANS.items():
        assert _found(scan.finditer(text)) == _found(scan.pattern.finditer(text)), name
    low = lower_form(text)
    cuts = [m.start() for m in re.finditer(r"\d", text)] or [len(text)]
    for name, search in SEARCHES.items():
        for i in cuts:  # what numbers.py asks: the 24 characters before a number
            a = max(0, i - 24)
            got = search.search(text[a:i], low[a:i] if low is not None else None)
            want = search.pattern.search(text[a:i])
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (name, text[a:i])
    finder = EX._periods
    if low is not None and finder._number_month is not None:
        starts = finder._number_month_starts(low)
        for kind, pat in finder._patterns:
            if kind in _periods._NUMBER_FIRST:
                assert _found(_periods._finditer_at(pat, text, starts)) == _found(pat.finditer(text)), kind
    for name, ref in QUOTE_REFERENCES.items():
        assert _found(getattr(EX._quotes, name).finditer(text)) == _found(ref.finditer(text)), name


def test_scans_were_found() -> None:
    """The comparison below covers the scans the extractors really use."""
    assert len(SCANS) >= 12 and len(SEARCHES) >= 3, (sorted(SCANS), sorted(SEARCHES))


def test_same_matches_on_the_corpus() -> None:
    for text in TEXTS:
        _check(text)


_WORDS = [
    "tháng", "Tháng", "THÁNG", "9", "12", "3", "mười hai", "chín", "quý", "Quý", "IV", "iv", "II", "năm", "Năm",
    "2023", "nay", "qua", "đầu năm", "cả năm", "nửa đầu năm", "ngày", "15/3", "/", "tuần", "trước", "kỳ hạn",
    "so", "So", "SO", "với", "cùng kỳ", "Cùng Kỳ", "kế hoạch", "dự toán", "%", "vượt", "hơn", "gấp", "lần",
    "một nửa", "Một Nửa", "khoảng", "Khoảng", "từ", "Từ", "trên", "dưới", "gần", "tỷ", "triệu", "nghìn",
    "cho biết", "Cho biết", "nói", "khẳng định", "rằng", "thêm", "theo", "Theo", "ı", "İ", "ſ", "K", "ß", "x", "đạt",
]
_SEPARATORS = [" ", "", "\n", ", ", ". ", ": ", " (", ") "]


@settings(deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS)), max_size=30))
def test_same_matches_on_generated_text(parts: list[tuple[str, str]]) -> None:
    _check("".join(w + s for w, s in parts))
