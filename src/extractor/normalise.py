"""Decoding and the matching form of a text, with an exact offset map back to the input.

Every rule in vnextract runs on the *matching form* of the article: NFC, one tone-mark placement
("hoá" and "hóa" are both written "hóa"), plain spaces instead of NBSP, no zero-width characters,
straight quotes and ASCII hyphens. Spans found there are mapped back to the text exactly as it was
given, because SPEC.md requires ``text[start:end] == span_text`` on the input itself.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["DecodeError", "decode_bytes", "read_text", "NormText", "normalise", "fold"]


class DecodeError(ValueError):
    """Raised when bytes cannot be decoded; names the source and the first bad byte offset."""

    def __init__(self, source: str, offset: int, reason: str) -> None:
        self.source = source
        self.offset = offset
        self.reason = reason
        super().__init__(f"{source}: cannot decode byte at offset {offset}: {reason}")


def decode_bytes(data: bytes, source: str = "<bytes>") -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is an error.

    Archives mix encodings; guessing silently would corrupt offsets, so undecodable input is
    reported with the byte offset where decoding failed.
    """
    if data.startswith(codecs.BOM_UTF8):
        data, enc = data[len(codecs.BOM_UTF8):], "utf-8"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        enc = "utf-16"
    else:
        enc = "utf-8"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise DecodeError(source, exc.start, f"not valid {enc.upper()} ({exc.reason})") from None
    nul = data.find(b"\x00") if enc == "utf-8" else -1
    if nul >= 0:
        # text never holds NUL: this is binary, or UTF-16 without its byte order mark
        raise DecodeError(source, nul, "NUL byte: a binary file, or UTF-16 without a byte order mark")
    return text


def read_text(path: str | Path) -> str:
    """Read a file and decode it with :func:`decode_bytes`, naming the file in errors."""
    p = Path(path)
    return decode_bytes(p.read_bytes(), str(p))


# --- character-level replacements (all one character to one character, or to nothing) ---------
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\r\x0b\x0c"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CHAR_MAP: dict[int, str | None] = {ord(c): " " for c in _SPACES}
_CHAR_MAP.update({ord(c): None for c in _ZERO_WIDTH})
_CHAR_MAP.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e"})
_CHAR_MAP.update({ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032"})
_CHAR_MAP.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"})
_CHAR_MAP.update({ord("\u2026"): "."})  # "…" keeps one character: a sentence end
# lone surrogates (possible in a Python str, never in decoded bytes) become U+FFFD for the tokenizer
_CHAR_MAP.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
# other C0/C1 controls become spaces so that they never glue or split words
for _c in list(range(0, 32)) + list(range(127, 160)):
    if chr(_c) not in "\n" and _c not in _CHAR_MAP:
        _CHAR_MAP[_c] = " "

_DROPPED = re.compile("[" + "".join(chr(k) for k, v in _CHAR_MAP.items() if v is None) + "]")

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def _tone_swap_table() -> dict[str, str]:
    """Map new-style "oá/oè/uỷ" at a syllable end to the traditional "óa/òe/ủy" (same length)."""
    table: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for second in seconds:
            for tone in _TONES:
                for up1, up2 in ((False, False), (True, False), (True, True)):
                    a = first.upper() if up1 else first
                    b = second.upper() if up2 else second
                    new = a + unicodedata.normalize("NFC", b + tone)
                    old = unicodedata.normalize("NFC", a + tone) + b
                    table[new] = old
    return table


_TONE_SWAP = _tone_swap_table()
_LETTER = r"A-Za-zÀ-ỹĐđ"
# "hoá" must be caught after h/th/...: the look-behind only forbids q (qu-y is a consonant + y)
_TONE_RE = re.compile(r"(?<![qQ])(?:" + "|".join(map(re.escape, _TONE_SWAP)) + r")(?![" + _LETTER + r"])")


@lru_cache(maxsize=16384)
def fold(s: str) -> str:
    """Case-, diacritic- and spacing-insensitive key, used to merge names and compare lexicons.

    Memoised (bounded: an archive brings unboundedly many strings): the same names and
    complements are folded again and again (10,000 calls, 2,600 distinct strings over 300 texts)."""
    s = unicodedata.normalize("NFD", s).casefold()
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.replace("đ", "d").split())


@dataclass(frozen=True, slots=True)
class NormText:
    """The matching form of a text and the map of each of its characters to the input.

    ``starts[i]`` is the input offset of matching character ``i``; ``ends[i]`` the input offset just
    after it. Both are ``None`` when the matching form has the same length as the input and maps
    one to one, which is the common case and costs nothing.
    """

    original: str
    text: str
    starts: list[int] | None = field(default=None, repr=False)
    ends: list[int] | None = field(default=None, repr=False)

    def to_orig(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the matching form to the input text."""
        if self.starts is None or self.ends is None:
            return start, end
        n = len(self.text)
        if start >= n:
            return len(self.original), len(self.original)
        s = self.starts[start]
        e = self.ends[end - 1] if end > start else s
        return s, e

    def orig_span(self, start: int, end: int) -> tuple[int, int, str]:
        """Input offsets and input text of a span of the matching form."""
        s, e = self.to_orig(start, end)
        return s, e, self.original[s:e]


def _clusters(text: str) -> list[tuple[int, int]]:
    """Grapheme-like clusters: a base character and the combining marks after it."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        out.append((i, j))
        i = j
    return out


def normalise(text: str) -> NormText:
    """Build the matching form of ``text`` (see module docstring) with its offset map."""
    if unicodedata.is_normalized("NFC", text) and not _DROPPED.search(text):
        # one-to-one: every replacement keeps the length
        mapped = text.translate(_CHAR_MAP)
        mapped = _TONE_RE.sub(lambda m: _TONE_SWAP[m.group(0)], mapped)
        return NormText(text, mapped)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for s, e in _clusters(text):
        piece = unicodedata.normalize("NFC", text[s:e]).translate(_CHAR_MAP)
        for ch in piece:
            pieces.append(ch)
            starts.append(s)
            ends.append(e)
    mapped = "".join(pieces)
    mapped = _TONE_RE.sub(lambda m: _TONE_SWAP[m.group(0)], mapped)
    return NormText(text, mapped, starts, ends)
