"""Words from underthesea's segmenter, aligned to exact input offsets, and a spaCy Doc built from them.

underthesea's ``word_tokenize`` joins syllables into words ("Công Thương") and may rewrite them
(tone marks, spacing), so its tokens are not always substrings of the input. Each token is aligned
to the matching form by searching forward from the previous token; when the token was rewritten,
its characters are consumed one by one (spaces in the token match any run of white space), which
keeps alignment exact for every same-length rewrite and bounded for any other.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .normalise import NormText
from .segment import segmenter

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = ["Token", "word_tokenize", "align_tokens", "tokenize", "build_doc"]


class Token(NamedTuple):
    """A word: its span in the matching form (``nstart``/``nend``) and in the input.

    A named tuple rather than a dataclass: an article has thousands, and a tuple is built about
    a quarter faster."""

    text: str  # the word as underthesea wrote it
    nstart: int
    nend: int
    start: int
    end: int


def word_tokenize(text: str) -> list[str]:
    """underthesea's word segmentation: the same words as ``underthesea.word_tokenize``, by the
    faster route of :mod:`extractor.segment` when the installed underthesea allows it (the model
    is loaded on first use)."""
    return segmenter()(text)


def align_tokens(norm: str, words: list[str]) -> list[tuple[int, int]]:
    """Spans of ``words`` in ``norm``, in order, never overlapping and always inside ``norm``."""
    spans: list[tuple[int, int]] = []
    cur, n = 0, len(norm)
    for w in words:
        while cur < n and norm[cur].isspace():
            cur += 1
        if norm.startswith(w, cur):
            spans.append((cur, cur + len(w)))
            cur += len(w)
            continue
        # rewritten token: look a short way ahead for an exact occurrence first
        j = norm.find(w, cur, cur + len(w) + 8)
        if j >= 0 and not norm[cur:j].strip():
            spans.append((j, j + len(w)))
            cur = j + len(w)
            continue
        start = cur
        for ch in w:
            if cur >= n:
                break
            if ch.isspace():
                while cur < n and norm[cur].isspace():
                    cur += 1
            else:
                cur += 1
        spans.append((start, max(cur, start)))
    return spans


_CHUNK = 3000  # characters given to underthesea at once


def chunks(text: str, size: int = _CHUNK) -> list[tuple[int, int]]:
    """Spans of ``text`` to tokenize one by one: lines, and pieces of at most ``size`` characters
    cut at white space. underthesea's tokenizer is quadratic on some long runs ("1.1.1.…"), and it
    is faster on lines than on a whole article; no word spans a line break anyway."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        a, end = pos, pos + len(line)
        while end - a > size:
            cut = text.rfind(" ", a + 1, a + size)
            cut = cut if cut > a else a + size
            out.append((a, cut))
            a = cut
        if text[a:end].strip():
            out.append((a, end))
        pos = end + 1
    return out


def tokenize(nt: NormText) -> list[Token]:
    """Tokens of a normalised text with exact offsets into both forms."""
    out: list[Token] = []
    identity = nt.starts is None  # the common case: input offsets are matching-form offsets
    to_orig = nt.to_orig
    for c0, c1 in chunks(nt.text):
        piece = nt.text[c0:c1]
        words = word_tokenize(piece)
        for w, (a, b) in zip(words, align_tokens(piece, words)):
            if b <= a:
                continue
            a += c0
            b += c0
            if identity:
                out.append(Token(w, a, b, a, b))
            else:
                s, e = to_orig(a, b)
                out.append(Token(w, a, b, s, e))
    return out


@lru_cache(maxsize=1)
def blank_vocab() -> "Vocab":
    """A blank Vietnamese spaCy pipeline's vocab (no model download, no pyvi)."""
    import spacy

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    return nlp.vocab


def build_doc(nt: NormText, tokens: list[Token]) -> "Doc":
    """A spaCy Doc whose text is the input text and whose ``token.idx`` is the input offset.

    Gaps between words that are not a single space become tokens of their own (white space or
    characters underthesea dropped), so ``doc.text == nt.original``. ``token.norm_`` holds the
    lower-cased matching form, so Matcher patterns on ``NORM`` see "hóa" for "hoá".
    """
    from spacy.tokens import Doc

    text = nt.original
    words: list[str] = []
    spaces: list[bool] = []
    norms: list[str] = []
    pos = 0

    def gap(a: int, b: int) -> None:
        seg = text[a:b]
        if not seg:
            return
        if seg == " " and words and not spaces[-1]:
            spaces[-1] = True
            return
        if words and not spaces[-1] and seg.startswith(" ") and seg[1:]:
            spaces[-1] = True
            seg = seg[1:]
        words.append(seg)
        spaces.append(False)
        norms.append(seg.casefold())

    for t in tokens:
        gap(pos, t.start)
        words.append(text[t.start:t.end])
        spaces.append(False)
        norms.append(nt.text[t.nstart:t.nend].casefold())
        pos = t.end
    gap(pos, len(text))
    doc = Doc(blank_vocab(), words=words, spaces=spaces)
    for tok, nrm in zip(doc, norms):
        tok.norm_ = nrm
    return doc
