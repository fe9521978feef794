"""Whole-text scans without re.IGNORECASE and without a leading look-behind.

Shared by the extractors (numbers, periods, comparisons, quotes): each keeps its reference
pattern as written and gets from here a faster way to find the very same matches.
"""
from __future__ import annotations

import re

from .rules import alternation

__all__ = ["FOLD_UNSAFE", "lowered", "lower_form", "FoldedScan", "initial_dispatch", "words_first", "words_first_branches",
           "FoldedSearch", "lowered_words"]

# --- scanning without re.IGNORECASE ------------------------------------------------------------
# Whole-text scans are the costly part of the extractors. Two things make them slow: a pattern
# that opens with a look-behind ("(?<!\w)") or with re.IGNORECASE cannot use re's fast skip to its
# first character, so the engine runs the pattern at every position. The helpers below rewrite a
# scan so that it opens with a plain character (class) and runs case-sensitively over the
# lower-cased text, then read each match again with the original pattern, so that callers get the
# very same Match objects (groups, original case) as before.

# Characters that re.IGNORECASE treats as equal to a letter of another lower case ("ı" matches
# "i", "ſ" matches "s", "ς" matches "σ"): every non-ASCII character of CPython's extra case
# table (re._casefix). With one of them in the text or in a pattern, lower-casing and
# re.IGNORECASE could disagree, so the original pattern is used.
FOLD_UNSAFE = re.compile(
    "[\u00b5\u0131\u017f\u0345\u0390\u03b0\u03b2\u03b5\u03b8\u03b9\u03ba\u03bc\u03c0\u03c1"
    "\u03c2\u03c3\u03c6\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5\u0432\u0434\u043e\u0441"
    "\u0442\u044a\u0463\u1c80-\u1c88\u1e61\u1e9b\u1fbe\u1fd3\u1fe3\ua64b\ufb05\ufb06]")

_last_lower: tuple[str, str] = ("", "")


def lowered(text: str) -> str:
    """``text.lower()``, kept for the last text: every extractor scans the same article in turn,
    so the article is lower-cased once (also :attr:`extractor.context.Context.lower_text`)."""
    global _last_lower
    last = _last_lower
    if last[0] is text:
        return last[1]
    low = text.lower()
    _last_lower = (text, low)
    return low


def lower_form(text: str) -> str | None:
    r"""``text.lower()`` when a case-sensitive scan of it finds exactly what re.IGNORECASE finds in
    ``text`` (same offsets), else None.

    That holds when lower-casing keeps every character one character long ("İ" becomes two) and
    no character of ``FOLD_UNSAFE`` is present; ``\w``, ``\s`` and ``\d`` do not change under
    lower-casing.
    """
    low = lowered(text)
    if len(low) != len(text) or FOLD_UNSAFE.search(low):
        return None
    return low


class FoldedScan:
    """``finditer`` of an re.IGNORECASE pattern, found by a faster case-sensitive pattern run over
    the lower-cased text.

    ``lowered`` must match, on ``text.lower()``, exactly the spans ``pattern`` matches on ``text``
    (it is written in lower case, opens with a character or class for re's fast skip, and may drop
    group names). Every match is then read again with ``pattern`` at its start, so callers see the
    original Match objects. Texts that ``lower_form`` refuses are scanned with ``pattern``."""

    def __init__(self, pattern: re.Pattern[str], lowered: str) -> None:
        self.pattern = pattern
        self._lowered = None if FOLD_UNSAFE.search(lowered) else re.compile(lowered)

    def finditer(self, text: str) -> list[re.Match[str]]:
        """The matches ``pattern.finditer(text)`` gives, in order."""
        low = lower_form(text) if self._lowered is not None else None
        if low is None or self._lowered is None:
            return list(self.pattern.finditer(text))
        out: list[re.Match[str]] = []
        match = self.pattern.match
        for lm in self._lowered.finditer(low):
            m = match(text, lm.start())
            if m is None or m.end() != lm.end():  # cannot happen (see lower_form); stay exact anyway
                return list(self.pattern.finditer(text))
            out.append(m)
        return out


def initial_dispatch(branches: list[tuple[str, str]], not_after: tuple[str, ...] = (r"\w",)) -> str:
    r"""An alternation that opens with one character class, for re's fast skip.

    ``branches`` are ``(first, rest)`` pairs in the original alternation's order: ``first`` a
    character class body matching the branch's first character ("0-9", "m"), ``rest`` the regex
    for what follows it; ``not_after`` the fixed-width look-behinds the original opens with
    (``(?<!\w)``...). The result consumes the first character with the union of the classes,
    checks each look-behind one character back, then takes the branches whose first class holds
    the character that was read, in the same order: what ``(?<!a)(?<!b)(?:first rest|...)``
    would match, with the same backtracking. No branch's first character may be a newline (the
    look-behinds step over it with ".")."""
    union = "".join(first for first, _ in branches)
    behind = "".join(f"(?<!{x}.)" for x in not_after)
    alts = "|".join(f"(?<=[{first}]){rest}" for first, rest in branches)
    return f"[{union}]{behind}(?:{alts})"


def words_first(forms: list[str], not_after: str = r"\w") -> str:
    r"""``(?<!\w)(?:form1|form2|...)`` for literal words, longest first, written to open with the
    words: :func:`extractor.rules.alternation` with ``not_after`` (a prefix trie whose branches
    check the look-behind right after their first letter), grouped.

    Same matches as the flat, longest-first alternation behind the look-behind, but re skips to
    the words' first letters instead of running the look-behind at every position. ``not_after``
    is the original's one-character look-behind class."""
    return f"(?:{alternation(forms, ignorecase=False, not_after=not_after)})"


def words_first_branches(branches: list[tuple[list[str], str]], not_after: str = r"\w") -> str:
    r"""``(?<!\w)(?:(?:words1)tail1|(?:words2)tail2|...)``, each ``words`` alternation longest
    first (as :func:`extractor.rules.alternation` orders it), rewritten to open with the words'
    first letters, for a case-sensitive scan (or a lower-case one over ``lower_form``).

    Why: a pattern that opens with a look-behind makes re run it at every position; one whose
    top-level branches each open with a literal lets re skip to those letters. Why the same
    matches: the branches are grouped by first letter ("c(?<!\wc)(?:(?:ho biết|…)tail1|(?:ho
    hay|…)tail2)"); at one position only the group of the letter there can match, and within it
    the words keep their order and each tail stays with its words, so the engine tries the same
    candidates in the same order. The look-behind over the letter just read tests the same
    character before it. ``not_after`` is the original's one-character look-behind."""
    firsts = sorted({w[0] for words, _ in branches for w in words})
    groups = []
    for c in firsts:
        lit = re.escape(c)
        alts = [f"(?:{alternation([w[1:] for w in words if w[0] == c])}){tail}"
                for words, tail in branches if any(w[0] == c for w in words)]
        groups.append(f"{lit}(?<!{not_after}{lit})(?:{'|'.join(alts)})")
    return "(?:" + "|".join(groups) + ")"


class FoldedSearch:
    """``pattern.search(piece)`` of an re.IGNORECASE pattern on a short piece of a text (the few
    characters before a number), first asked of a case-sensitive literal-first pattern on the
    same piece of ``lower_form(text)``: most pieces hold no match, and the lowered pattern says
    so without trying every word at every position. When it finds one, ``pattern`` is run on the
    piece, so callers get the very Match object they got before.

    ``lowered`` must find a match in ``low_piece`` exactly when ``pattern`` finds one in
    ``piece`` (see FoldedScan); None (or a character of FOLD_UNSAFE in it) means always use
    ``pattern``."""

    def __init__(self, pattern: re.Pattern[str], lowered: str | None) -> None:
        self.pattern = pattern
        self._lowered = None if lowered is None or FOLD_UNSAFE.search(lowered) else re.compile(lowered)

    def search(self, piece: str, low_piece: str | None) -> re.Match[str] | None:
        """``pattern.search(piece)``; ``low_piece`` is the same slice of ``lower_form(text)``
        (None when that is None)."""
        if low_piece is not None and self._lowered is not None and self._lowered.search(low_piece) is None:
            return None
        return self.pattern.search(piece)


def lowered_words(forms: list[str]) -> list[str] | None:
    """``forms`` lower-cased for a lowered pattern, or None when lower-casing changes a form's
    length ("İ"), where a lowered pattern could match what re.IGNORECASE does not."""
    low = [f.lower() for f in forms]
    return None if any(len(a) != len(b) for a, b in zip(forms, low)) else low
