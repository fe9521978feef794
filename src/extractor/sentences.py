"""Sentence boundaries on the matching form of a text.

Vietnamese news puts full stops inside abbreviations ("TP.HCM", "TP. HCM", "v.v.", "ThS."), numbers
("1.200") and quotations that run over several sentences. A boundary is a sentence-final mark
followed by white space and a capital letter, a digit or an opening quote, outside abbreviations
and outside a quotation that closes in the same paragraph. Paragraphs (lines) always end a sentence.
"""
from __future__ import annotations

import bisect
import re

from .rules import load_rules

__all__ = ["SentenceSplitter", "SentenceIndex"]

_END = re.compile(r"[.!?]+(?:[\"')\]]+)?(?=\s+[\"'(\[]?(?P<next>\w))")


class SentenceSplitter:
    """Splits text into sentence spans; abbreviations come from ``rules/abbreviations.yaml``."""

    def __init__(self) -> None:
        data = load_rules("abbreviations.yaml")
        self._abbrev = {a.casefold() for a in data["no_sentence_end_after"]}

    def _is_abbrev(self, text: str, dot: int) -> bool:
        """True when the word before the full stop at ``dot`` is a known abbreviation or an initial."""
        j = dot
        while j > 0 and not text[j - 1].isspace() and text[j - 1] not in "\"'([":
            j -= 1
        word = text[j:dot]
        if not word:
            return False
        if word.casefold() in self._abbrev:
            return True
        # a single capital initial ("N. V. An"), or dotted abbreviations like "v.v"
        return (len(word) == 1 and word.isupper()) or word.casefold().rstrip(".") in self._abbrev

    def split(self, text: str) -> list[tuple[int, int]]:
        """Half-open sentence spans over ``text``, trimmed of surrounding white space."""
        spans: list[tuple[int, int]] = []
        pos = 0
        for line in text.split("\n"):
            self._split_paragraph(text, pos, pos + len(line), spans)
            pos += len(line) + 1
        return spans

    def _split_paragraph(self, text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
        para = text[start:end]
        quoted = _quoted_regions(para)
        cur = 0
        for m in _END.finditer(para):
            nxt = m.group("next")
            if not (nxt.isupper() or nxt.isdigit()):  # a sentence starts with a capital or a digit
                continue
            first_mark = m.start()
            if para[first_mark] == "." and m.group(0) == "." and self._is_abbrev(para, first_mark):
                continue
            if _inside(quoted, first_mark):
                continue
            _emit(out, start, para, cur, m.end())
            cur = m.end()
        _emit(out, start, para, cur, len(para))


def _quoted_regions(para: str) -> list[tuple[int, int]]:
    """Pairs of straight double quotes in a paragraph (the matching form has only straight quotes)."""
    # str.find jumps from quote to quote in C; a Python loop over every character cost most of
    # the sentence split
    pos = []
    i = para.find('"')
    while i >= 0:
        pos.append(i)
        i = para.find('"', i + 1)
    return [(pos[i], pos[i + 1]) for i in range(0, len(pos) - 1, 2)]


def _inside(regions: list[tuple[int, int]], i: int) -> bool:
    """True when ``i`` lies inside a quotation (after its opening quote, before its closing mark).

    The regions are disjoint and in order, so only the last one opening before ``i`` can hold
    it: a binary search instead of a pass over every quotation of the paragraph.
    """
    k = bisect.bisect_left(regions, i, key=lambda r: r[0]) - 1
    return k >= 0 and i < regions[k][1] - 1


def _emit(out: list[tuple[int, int]], base: int, para: str, a: int, b: int) -> None:
    seg = para[a:b]
    stripped = seg.strip()
    if not stripped:
        return
    lead = len(seg) - len(seg.lstrip())
    out.append((base + a + lead, base + a + lead + len(stripped)))


class SentenceIndex:
    """Finds the sentence of an offset in O(log n)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self._starts = [s for s, _ in spans]

    def of(self, offset: int) -> int:
        """Index of the sentence containing (or, between sentences, preceding) ``offset``."""
        return max(bisect.bisect_right(self._starts, offset) - 1, 0)
