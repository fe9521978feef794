"""Organizations: head nouns, capitalisation-aware extents, abbreviations, merged mentions.

Vietnamese writes a body's name in sentence case per component ("Sở Công thương", "Bộ Nông
nghiệp và Phát triển nông thôn", "Ban Quản lý Khu công nghệ cao"), so a name is read from a
*head* ("Sở", "Công ty", "UBND") over capitalised syllables, the lower-case syllables that make a
dictionary word with them ("Chỉ đạo"), a small vocabulary of lower-case name words, connectors
before another piece, and a closing place ("TP.HCM", "tỉnh TT-Huế"). Everything else ends the
name, which keeps verbs out ("Sở Công thương đã ...") without a list of verbs. Bodies cited bare
("ADB", "HSX", "Reuters", "Bamboo Airways") come from ``rules/organizations.yaml``. Mentions of
one body are merged by their canonical form (case, spacing and abbreviations normalised), and a
shorter form is merged into the longer one it begins ("Sở Công thương" → "Sở Công Thương
TP.HCM"). No NER model is used: underthesea's ``ner`` costs far more than tokenization and tags
such names as locations (docs/ner-comparison.md).
"""
from __future__ import annotations

import bisect
import hashlib
import importlib.util
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable

from .context import Context
from .models import Mention, Organization
from . import normalise as _normalise_module
from .normalise import fold, normalise
from .rules import alternation, load_rules
from .scan import lowered

__all__ = ["OrganizationExtractor", "Caseless", "SharedScan", "shared_scan", "norm_span", "UPPER", "LOWER", "alternation", "compounds"]


def _letters(upper: bool) -> str:
    """Every Latin letter (with Vietnamese diacritics) of one case, for character classes."""
    chars = [chr(c) for c in list(range(0x41, 0x7B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00))]
    return "".join(c for c in chars if c.isalpha() and (c.isupper() if upper else c.islower()))


UPPER = _letters(True)
LOWER = _letters(False)
_CAP = rf"(?:[{UPPER}][{UPPER}{LOWER}]*)"
_WORD = re.compile(r"[^\W_]+(?:[&.][^\W_]+)*")  # "TP.HCM", "KH&ĐT" stay one word
_CONNECTOR = re.compile(r" ?- ?| ?& ?| và ")
_SYLLABLE = re.compile(r"[^\W_]+")
_MAX_PIECES = 16  # no body's name has more; a longer run of capitals is not one name
# what may not come right before a vocabulary word (``not_after`` of rules.alternation)
_NW = r"[\w]"
_NW_AMP = r"[\w&]"
_NW_ACR = r"[\w&.\-]"


class Caseless:
    """Literal words matched without case ("Phó Giám đốc" = "phó giám đốc"), as whole words.

    Scans run case-sensitively on the lower-cased text, about 4× faster than ``re.IGNORECASE``
    on a long alternation; a match at one position uses the ``re.IGNORECASE`` pattern. Both are
    trie alternations that start with a literal (see :func:`extractor.rules.alternation`)."""

    def __init__(self, forms: list[str]) -> None:
        self.pattern = re.compile(rf"(?:{alternation(forms, ignorecase=True, not_after=_NW)})(?![\w])", re.I)
        self._lower = re.compile(
            rf"(?:{alternation([f.lower() for f in forms], ignorecase=False, not_after=_NW)})(?![\w])")

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.match(text, pos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Matches in order; only their offsets are meant to be used (the text may be lower-cased)."""
        low = lowered(text)
        if len(low) != len(text):  # a character whose lower case is longer: keep offsets exact
            return self.pattern.finditer(text)
        return self._lower.finditer(low)


_NON_WORD = re.compile(r"[^\w]")


class SharedScan:
    r"""Vocabularies found with one scan of the article (the titles and roles of
    rules/officials.yaml, which organizations reads together and officials apart).

    The union of the parts is scanned; each part's own :meth:`Caseless.finditer` is then rebuilt
    exactly. A part's match starts where a union match starts or strictly inside one (a union
    match is at least as long as the part's match at the same place, and a scan only skips
    what it has matched), and only after a non-word character (the ``(?<![\w])`` of every
    :class:`Caseless`). So the part is matched at those few places only, in the order its own
    scan would have reached them. The result is kept on the article for every extractor."""

    def __init__(self, parts: dict[str, list[str]]) -> None:
        if any(not f for forms in parts.values() for f in forms):
            raise ValueError("an empty form would match everywhere")
        self.union = Caseless([f for forms in parts.values() for f in forms])
        self.parts = {name: Caseless(forms) for name, forms in parts.items()}
        self._key = ("shared-scan", self.union._lower.pattern, tuple((n, c._lower.pattern) for n, c in self.parts.items()))

    def spans(self, ctx: Context, part: str | None = None) -> list[tuple[int, int]]:
        """``(start, end)`` of the union's matches (``part=None``) or of one part's, in order."""
        found = ctx.memo.get(self._key)
        if found is None:
            found = ctx.memo[self._key] = self._scan(ctx)
        return found[part]

    def _scan(self, ctx: Context) -> dict[str | None, list[tuple[int, int]]]:
        text, low = ctx.text, ctx.lower_text
        exact = len(low) != len(text)  # as Caseless.finditer: re.I on the text itself
        scanned = text if exact else low
        union = [m.span() for m in (self.union.pattern if exact else self.union._lower).finditer(scanned)]
        out: dict[str | None, list[tuple[int, int]]] = {None: union}
        for name, part in self.parts.items():
            match = (part.pattern if exact else part._lower).match
            spans: list[tuple[int, int]] = []
            pos = 0
            for p, e in union:
                if e <= pos:
                    continue
                starts = [p] + [m.end() for m in _NON_WORD.finditer(scanned, p, e - 1)]
                for q in starts:
                    if q < pos:
                        continue
                    m = match(scanned, q)
                    if m:
                        spans.append(m.span())
                        pos = m.end()
            out[name] = spans
        return out


@lru_cache(maxsize=8)
def _shared_scan(parts: tuple[tuple[str, tuple[str, ...]], ...]) -> SharedScan:
    return SharedScan({name: list(forms) for name, forms in parts})


def shared_scan(parts: dict[str, list[str]]) -> SharedScan:
    """One :class:`SharedScan` per vocabulary in the process: organizations and officials ask for
    the same one, so its patterns are compiled once (cold start)."""
    return _shared_scan(tuple((name, tuple(forms)) for name, forms in parts.items()))


def norm_span(ctx: Context, start: int, end: int) -> tuple[int, int]:
    """Matching-form span of an input span (the inverse of ``ctx.span``), for models' offsets."""
    nt = ctx.nt
    if nt.starts is None or nt.ends is None:
        return start, end
    a = bisect.bisect_left(nt.starts, start)
    b = bisect.bisect_left(nt.ends, end)
    return a, max(b + 1, a)


@lru_cache(maxsize=1)
def compounds() -> frozenset[str]:
    """Vietnamese words of 2–4 syllables (underthesea's Viet74K list, in the matching form).

    Keeps "Chỉ đạo" in "Ban Chỉ đạo" without letting a verb in ("Viện KSND giữ"): a lower-case
    syllable joins a capitalised one only when together they make a dictionary word.

    Normalising the 745,662 characters of the list costs 0.25 s of every cold start, so the
    result is cached on disk (see :func:`_compounds_cache`); the file is found without importing
    underthesea (0.8 s), which the tokenizer may not need yet."""
    path = _viet74k()
    if path is None:  # pragma: no cover - optional data
        return frozenset()
    try:
        raw = path.read_bytes()
    except OSError:  # pragma: no cover - optional data
        return frozenset()
    cache = _compounds_cache(raw)
    if cache is not None:
        try:
            head, _, body = cache.read_text(encoding="utf-8").partition("\n")
            if head == cache.stem and body.endswith("\n#end"):
                return frozenset(body[:-5].split("\n"))
        except (OSError, UnicodeDecodeError):
            pass
    words = normalise(raw.decode("utf-8")).text.casefold().split("\n")
    found = frozenset(w.strip() for w in words if 1 <= w.strip().count(" ") <= 3)
    if cache is not None:
        _write_quietly(cache, cache.stem + "\n" + "".join(w + "\n" for w in sorted(found)) + "#end")
    return found


def _viet74k() -> Path | None:
    """underthesea's Viet74K.txt, located by ``find_spec`` (which does not run the package)."""
    try:
        spec = importlib.util.find_spec("underthesea")
    except (ImportError, ValueError):  # pragma: no cover - optional data
        return None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        path = Path(loc) / "corpus" / "data" / "Viet74K.txt"
        if path.is_file():
            return path
    return None


def _compounds_cache(raw: bytes) -> Path | None:
    """Where the normalised list of ``raw`` is cached: ``$XDG_CACHE_HOME/vnextract`` or
    ``~/.cache/vnextract``. The name hashes everything the result depends on (the list itself,
    normalise.py, the Unicode version, this format), so a cache is never stale; None when no
    cache directory can be named."""
    h = hashlib.sha256()
    h.update(b"compounds 1\0" + unicodedata.unidata_version.encode() + b"\0")
    try:
        h.update(Path(_normalise_module.__file__ or "").read_bytes())
    except OSError:  # pragma: no cover - frozen or zipped installs: no cache
        return None
    h.update(b"\0" + raw)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return Path(base) / "vnextract" / f"compounds-{h.hexdigest()[:32]}"


def _write_quietly(path: Path, text: str) -> None:
    """Write a cache file atomically (a temporary file renamed over it); any failure (read-only
    home, full disk) leaves no file and is ignored: the cache only saves time."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


@dataclass(frozen=True, slots=True)
class _Head:
    """A head noun of rules/organizations.yaml and how its complement may be read."""

    text: str
    kind: str
    standalone: bool = False
    place_level: bool = False
    descriptor: bool = False
    after: tuple[str, ...] = ()
    canonical: str | None = None  # acronym heads: "UBND"
    nouns_ok: bool = False  # lower-case name words suffice ("Ban Quản lý các khu chế xuất")
    extends: str = "all"  # all | places | names | countries (see rules/organizations.yaml)
    needs_name: bool = False


@dataclass(slots=True)
class _Scan:
    """What the complement of a head was made of."""

    end: int
    has_name: bool = False
    has_place: bool = False
    has_nouns: bool = False
    pending: bool = False  # the last piece may not end a name ("đầu tư" before "Hoàng Quân")
    caps: list[str] = field(default_factory=list)  # the capitalised pieces ("Nhà nước")


@dataclass(slots=True)
class _Cand:
    """One mention found in the matching form, before merging."""

    nstart: int
    nend: int
    kind: str
    lexicon_canonical: str | None = None  # canonical fixed by the lexicon (acronyms, known names)
    acronym: str | None = None  # the mention is this bare acronym
    abbreviation: str | None = None  # "(TTI)" written after it
    parent: int | None = None  # index of the mention an abbreviation occurrence stands for
    written_abbrev: bool = False  # the mention contains an abbreviation ("Bộ NN&PTNT", "UBND tỉnh")


class _TokenIndex:
    """Which underthesea word covers a matching-form offset.

    The offset lists are built on the first question: most articles never ask (only a capital
    followed by lower-case syllables that make no dictionary word does), and building them
    cost 0.1 ms per article."""

    def __init__(self, ctx: Context) -> None:
        self._tokens = ctx.tokens
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def __bool__(self) -> bool:
        return bool(self._tokens)

    def _build(self) -> list[int]:
        self._starts = [t.nstart for t in self._tokens]
        self._ends = [t.nend for t in self._tokens]
        return self._starts

    def at(self, pos: int) -> int:
        starts = self._starts if self._starts is not None else self._build()
        i = bisect.bisect_right(starts, pos) - 1
        return i if i >= 0 and self._ends[i] > pos else -1

    def start_of(self, i: int) -> int:
        starts = self._starts if self._starts is not None else self._build()
        return starts[i]


# The article's word index while ``extract`` runs: a context variable, not instance state, so
# one extractor can serve several threads.
_TOKENS: ContextVar[_TokenIndex | None] = ContextVar("vnextract_org_tokens", default=None)


class OrganizationExtractor:
    """Finds organizations; all rules are read and compiled once here."""

    def __init__(self) -> None:
        r = load_rules("organizations.yaml")
        people = load_rules("officials.yaml")
        self._heads: dict[str, _Head] = {}
        for h in r["heads"]:
            standalone = bool(h.get("standalone"))
            self._heads[h["text"]] = _Head(
                h["text"], h["kind"], standalone, bool(h.get("place_level")), bool(h.get("descriptor")),
                tuple(h.get("after") or ()), nouns_ok=bool(h.get("nouns_ok")),
                extends=h.get("extends", "places" if standalone else "all"), needs_name=bool(h.get("needs_name")))
        self._acronyms: dict[str, dict[str, Any]] = r["acronyms"]
        for ab, info in self._acronyms.items():
            if info.get("head"):
                self._heads[ab] = _Head(ab, info["kind"], True, True, canonical=info["canonical"], extends="places")
        # every vocabulary is a trie alternation for its flag (no re.I unless written), with the
        # look-behind after the first letter so that scans jump between candidate letters
        def alt(forms: list[str], not_after: str | None = None) -> str:
            return alternation(forms, ignorecase=False, not_after=not_after)

        e = r"(?![\w&])"
        self._head_re = re.compile(rf"(?:{alt(list(self._heads), _NW_AMP)}){e}")
        bare = [a for a, i in self._acronyms.items() if not i.get("head")]
        self._acronym_re = re.compile(rf"(?:{alt(bare, _NW_ACR)})(?![\w&]|[-.]\w)")
        self._known: dict[str, str] = {n: kind for kind, names in r["known"].items() for n in names}
        self._known_re = re.compile(rf"(?:{alt(list(self._known), _NW_AMP)}){e}")
        latin = r"[A-Z][A-Za-z0-9&']*"
        # "(?<![\w&])(?!(?:The|In|…)\s)((?:Latin ){1,3}Suffix)", written to open with [A-Z] so that
        # re jumps between capitals: the look-behind and the stop words are checked after the
        # first letter ("T(?<![\w&]T)(?!(?<=T)he\s|…)"), the first word unrolled from {1,3}
        stop = "|".join(rf"(?<={re.escape(w[0])}){re.escape(w[1:])}\s" for w in sorted(set(r["english_stop"])) if w)
        self._english_re = re.compile(
            rf"([A-Z](?<![\w&][A-Z])(?!{stop})[A-Za-z0-9&']* (?:{latin} ){{0,2}}(?:{alt(r['english_suffixes'])}))(?![\w&])")
        self._generic = {fold(g) for g in r["generic_complements"]}
        self._types_re = re.compile(rf"(?:{alt(r['company_types'])})(?![\w])")
        self._types = {fold(t) for t in r["company_types"]}
        self._blocked = tuple(fold(x) for x in r["blocked_complements"])
        self._name_stop = set(r["name_stop"])
        self._nouns = re.compile(rf"(?:{alt(r['name_words']['nouns'])})(?![\w])")
        self._inner = re.compile(rf"(?:{alt(r['name_words']['inner'])})(?![\w])")
        self._department_re = re.compile(rf"(?:{alt(r['department_words'])})(?![\w])")
        self._places_abbr: dict[str, str] = r["place_abbreviations"]
        known_places = alt(list(self._places_abbr) + list(r["places"]))
        self._known_place_re = re.compile(rf"(?:{known_places})(?![\w])")
        numbered = {"quận", "Quận", "phường", "Q."}
        marker = alt([m for m in r["place_markers"] if m not in numbered])
        numbered_marker = alt([m for m in r["place_markers"] if m in numbered])
        caprun = rf"{_CAP}(?:(?: | ?- ?){_CAP}){{0,5}}"
        self._marker_place_re = re.compile(
            rf"(?:(?:{marker}) ?(?:{known_places}|{caprun})|(?:{numbered_marker}) ?(?:\d+|{known_places}|{caprun}))(?![\w])")
        self._levels_re = re.compile(rf"(?:{alt(r['place_levels'])})(?![\w])")
        self._tail_levels_re = re.compile(r"(?:tỉnh|huyện|thành phố|quận)(?![\w])")
        self._expansions: dict[str, str] = r["expansions"]
        self._expand_re = re.compile(rf"(?:{alt(list(self._expansions), _NW_AMP)})(?![\w&])")
        self._place_abbr_re = re.compile(rf"(?:{alt(list(self._places_abbr), _NW)})(?![\w])")
        self._case_re = re.compile(
            rf"(?:{alternation(r['canonical_case'], ignorecase=True, not_after=_NW)})(?![\w])", re.I)
        self._case_of = {c.casefold(): c for c in r["canonical_case"]}
        self._titles = shared_scan({"titles": people["titles"], "roles": people["roles"]})
        self._title_re = self._titles.union
        self._surnames = set(people["surnames"])
        self._paren_re = re.compile(
            rf" ?\((?P<ab>[^\W\d_][\w&.\-]{{0,15}}(?: [{UPPER}][\w&.\-]{{0,15}}){{0,3}})(?:\s*[-,;]\s*[^()\n]{{0,60}})?\)")
        self._compounds = compounds()
        short = alternation(r["short_countries"])
        self._short_country_re = re.compile(rf"(?:{short})(?![\w])(?! [{UPPER}])")

    # ------------------------------------------------------------------ finding mentions
    def extract(self, ctx: Context) -> list[Organization]:
        """All organizations of the article, one per body, mentions merged, in document order."""
        text = ctx.text
        if not text.strip():
            return []
        token = _TOKENS.set(_TokenIndex(ctx))
        try:
            return self._extract(ctx)
        finally:
            _TOKENS.reset(token)

    def _extract(self, ctx: Context) -> list[Organization]:
        """Head-read names, bare lexicon names, abbreviations, then one Organization per body."""
        text = ctx.text
        title_ends = {e for _, e in self._titles.spans(ctx)}
        cands = self._head_mentions(text, title_ends)
        cands += self._lexicon_mentions(text)
        cands = _non_overlapping(cands)
        cands = self._abbreviations(text, cands)
        return self._merge(ctx, cands)

    def _head_mentions(self, text: str, title_ends: set[int]) -> list[_Cand]:
        """Names read from a head noun over their complement (see module docstring)."""
        out: list[_Cand] = []
        last_end = -1
        for m in self._head_re.finditer(text):
            if m.start() < last_end:
                continue
            head = self._heads[m.group(0)]
            if head.after and not self._preceded_by(text, m.start(), head.after):
                continue
            if not head.after and self._skip_head(text, m.start(), m.end()):
                continue
            scan = self._extent(text, m.end(), head)
            if scan is None:
                continue
            titled = (m.start() - 1) in title_ends or bool(head.after)
            cut = self._cut_person(text, m.end(), scan.end, titled)
            if cut < scan.end:
                scan = self._extent(text, m.end(), head, limit=cut)
                if scan is None:
                    continue
            s, e = (m.end() + 1 if head.descriptor else m.start()), scan.end
            if s >= e or (head.descriptor and self._place_at(text, s, after_name=True) >= e):
                continue
            written = bool(head.canonical) or bool(self._expand_re.search(text, s, e))
            out.append(_Cand(s, e, head.kind, written_abbrev=written and self._has_acronym(text[s:e])))
            last_end = e
        return out

    def _skip_head(self, text: str, start: int, end: int) -> bool:
        """A head word inside a title ("Vụ trưởng") or a place ("Hải Phòng", "Đài Loan", "Trung Bộ")
        does not start a name."""
        if self._title_re.match(text, start) or self._known_place_re.match(text, start):
            return True
        if text[start].islower() and start >= 2 and text[start - 1] == " ":
            k = start - 1
            while k > 0 and not text[k - 1].isspace():
                k -= 1
            if text[k:end].casefold() in self._compounds:
                return True  # "tình báo", "dự báo": not the newspaper "báo"
        j = start - 1
        for _ in range(2):  # places of up to three words that end in the head ("Bắc Trung Bộ")
            if j <= 0 or text[j] != " ":
                return False
            k = j
            while k > 0 and not text[k - 1].isspace():
                k -= 1
            if not text[k:j][:1].isupper():
                return False
            pm = self._known_place_re.match(text, k)
            if pm and pm.end() >= end:
                return True
            j = k - 1
        return False

    @staticmethod
    def _preceded_by(text: str, pos: int, words: tuple[str, ...]) -> bool:
        """True when the word before ``pos`` is one of ``words`` ("trưởng" before "phòng")."""
        if pos < 2 or text[pos - 1] != " ":
            return False
        j = pos - 1
        while j > 0 and not text[j - 1].isspace():
            j -= 1
        return text[j:pos - 1] in words

    @staticmethod
    def _has_acronym(s: str) -> bool:
        """Whether a name is written with an abbreviation (then it is reported as `abbreviation`)."""
        return any(sum(ch.isupper() for ch in w) >= 2 for w in s.split())

    def _extent(self, text: str, head_end: int, head: _Head, limit: int | None = None) -> _Scan | None:
        """Read the complement after a head piece by piece; None when it does not make a name.

        A place ends the name ("TP.HCM", "tỉnh TT-Huế"); so does a bare level word after a
        government body ("UBND tỉnh", "phòng Tài chính - Kế hoạch huyện"). Connectors ("và", "-",
        "&") are taken only before another piece."""
        n = len(text) if limit is None else limit
        sc = _Scan(head_end)
        cur = head_end
        first = True
        pieces = 0
        while cur < n and pieces < _MAX_PIECES:
            pieces += 1
            conn = _CONNECTOR.match(text, cur) if head.extends == "all" else None
            q = conn.end() if conn else (cur + 1 if text[cur] == " " else -1)
            if q < 0 or q >= n:
                break
            if not conn:
                countries = head.extends == "countries"
                pl = self._place_at(text, q, countries=countries, after_name=sc.has_name or countries)
                if pl > n and text[n] == " ":
                    pl = n  # a cut person's name ended the place ("huyện Bình Chánh | Trần Văn Minh")
                if pl and pl <= n:
                    sc.end = pl
                    sc.has_place = True
                    break
                if head.extends == "countries":
                    break
                if not sc.pending and ((head.place_level and first) or (head.kind == "government" and sc.has_name)):
                    lv = (self._levels_re if first else self._tail_levels_re).match(text, q)
                    if lv and lv.end() <= n and not self._nouns.match(text, q):
                        sc.end = lv.end()
                        sc.has_place = True
                        break
            piece = self._piece(text, q, head, first, conn is not None, sc)
            if piece is None or piece > n:
                break
            cur = piece
            if not sc.pending:
                sc.end = cur
            first = False
        return sc if self._accept(text, head, head_end, sc) else None

    def _piece(self, text: str, q: int, head: _Head, first: bool, after_conn: bool, sc: _Scan) -> int | None:
        """End of the name piece at ``q`` (recording what it is in ``sc``); None ends the name.

        Pieces: a known body name in any case right after a government head ("Bộ nội vụ"), a
        nested government head ("Thanh tra Bộ Nội vụ"), a company type ("cổ phần"), a capitalised
        word with the dictionary word it starts ("Chỉ đạo"), a lower-case name word."""
        sc.pending = False
        if first and not after_conn and head.kind == "government":
            known = self._case_re.match(text, q)
            if known:
                sc.has_name = True
                return known.end()
            inner = self._head_re.match(text, q)
            if inner and text[q].isupper() and self._heads[inner.group(0)].kind == "government":
                sub = self._extent(text, inner.end(), self._heads[inner.group(0)])
                if sub is None:
                    return None
                sc.has_name = True
                return sub.end
        if head.extends == "places":
            nm = self._nouns.match(text, q)
            if nm:
                sc.has_nouns = True
                return nm.end()
            return None
        tm = self._types_re.match(text, q)
        if tm and head.kind == "company":
            sc.has_nouns = True
            return tm.end()
        w = _WORD.match(text, q)
        if not w:
            return None
        word = w.group(0)
        if word[0].isupper():
            if word in self._name_stop or word in self._places_abbr or self._title_re.match(text, q):
                return None
            if after_conn and (self._head_re.match(text, q) or self._acronym_re.match(text, q)
                               or self._known_re.match(text, q)
                               or (head.text in ("Bộ", "Sở") and self._case_re.match(text, q))):
                return None  # "Bộ Công Thương và EVN", "liên Bộ Công Thương - Tài chính": two bodies
            if not first and head.kind != "company" and self._starts_body(text, q):
                return None  # "Trưởng phòng Phân tích | Công ty Chứng khoán An Phát"
            sc.has_name = True
            end = self._absorb_compound(text, q, w.end())
            sc.caps.append(text[q:end])
            return end
        if head.extends == "names" or head.descriptor:
            return None
        nm = self._nouns.match(text, q)
        if not nm and sc.has_name and head.kind in ("government", "other"):
            nm = self._department_re.match(text, q)
        if nm:
            sc.has_nouns = True
            return nm.end()
        im = self._inner.match(text, q)
        if im:
            sc.pending = True
            return im.end()
        return None

    def _starts_body(self, text: str, q: int) -> bool:
        """Whether a complete body name starts at ``q`` (a capitalised head with its complement)."""
        m = self._head_re.match(text, q)
        if not m:
            return False
        head = self._heads[m.group(0)]
        if head.after or head.descriptor or head.extends == "countries":
            return False  # "Ủy ban Tư pháp Quốc hội": the owner ends the name
        return self._extent(text, m.end(), head) is not None

    def _accept(self, text: str, head: _Head, head_end: int, sc: _Scan) -> bool:
        """Whether a head with this complement names a body (precision over recall)."""
        complement = text[head_end:sc.end].strip()
        key = fold(complement)
        if key.startswith(self._blocked):
            return False
        if head.standalone:
            return True
        if head.place_level and sc.has_place and complement:
            return True
        if sc.has_name:
            caps = fold(" ".join(sc.caps))
            generic_caps = bool(caps) and caps in self._generic and (head.needs_name or not (sc.has_place or sc.has_nouns))
            return key not in self._generic and key not in self._types and not generic_caps
        return sc.has_nouns and not head.needs_name and (sc.has_place or head.nouns_ok)

    def _absorb_compound(self, text: str, word_start: int, pos: int) -> int:
        """Extend a capitalised syllable over the lower-case ones that make one word with it
        ("Chỉ đạo", "Công thương", "Phát triển"): a dictionary word, longest first, else the
        syllables underthesea put in the same word when the capital is a plain Vietnamese
        syllable that starts that word (not "EgyptAir rơi", "KSND giữ", "Hải Đăng hỏi")."""
        ends: list[int] = []
        j = pos
        for _ in range(3):
            if j >= len(text) - 1 or text[j] != " " or not text[j + 1].islower():
                break
            w = _SYLLABLE.match(text, j + 1)
            if not w:
                break
            j = w.end()
            ends.append(j)
        if not ends:
            return pos
        for e in reversed(ends):
            if text[word_start:e].casefold() in self._compounds:
                return e
        word = text[word_start:pos]
        tokens = _TOKENS.get()
        tok = tokens.at(word_start) if tokens else -1
        if tok < 0 or not word.isalpha() or not word[1:].islower() or len(word) > 7:
            return pos
        assert tokens is not None
        if tokens.start_of(tok) != word_start or _previous_word(text, word_start)[:1].isupper():
            return pos  # "Thiện Tâm góp": only the first capital of a run takes a glued syllable
        best = pos
        for e in ends:
            if tokens.at(e - 1) != tok:
                break
            best = e
        return best

    def _place_at(self, text: str, q: int, countries: bool = False, after_name: bool = False) -> int:
        """End of a place written at ``q`` ("TP.HCM", "tỉnh TT-Huế", "Hà Nội"), else 0. A
        one-syllable country ("Đức", "Anh") counts only at the end of the capitalised run, since
        it is also a given name ("Hoàng Anh Gia Lai")."""
        m = self._known_place_re.match(text, q) or (self._short_country_re.match(text, q) if after_name else None)
        if not m and not countries:
            m = self._marker_place_re.match(text, q)
        return m.end() if m else 0

    def _cut_person(self, text: str, head_end: int, end: int, titled: bool) -> int:
        """Drop a person's name written after a body ("Chủ tịch UBND huyện X Nguyễn Văn A").

        The trailing run of capitalised syllables is split where a surname starts a 3-, 4- or
        2-syllable name (in that order of preference), skipping provinces ("Lâm Đồng"). Without
        a title right before the body only 3- and 4-syllable names are cut, and only when a
        capitalised name is left ("Trường Đại học Tôn Đức Thắng" stays whole)."""
        words = [(m.start(), m.end()) for m in _SYLLABLE.finditer(text, head_end, end)]
        run: list[tuple[int, int]] = []
        for s, e in reversed(words):
            if not text[s].isupper() or (run and text[e:run[0][0]] != " "):
                break
            run.insert(0, (s, e))
        if len(run) < 2:
            return end
        covered: set[int] = set()
        for s, _ in run:
            km = self._known_place_re.match(text, s)
            if km:
                covered.update(i for i, (a, _) in enumerate(run) if s <= a < km.end())
        best: int | None = None
        for pref in ((3, 4, 2) if titled else (3, 4)):
            best = next((i for i, (s, e) in enumerate(run)
                         if len(run) - i == pref and text[s:e] in self._surnames and i not in covered), None)
            if best is not None:
                break
        if best is None:
            return end
        cut = run[best][0]
        while cut > head_end and text[cut - 1] in " -,":
            cut -= 1
        left_caps = any(text[a].isupper() for a, _ in words if a < cut)
        if not left_caps and (len(run) - best == 2 or not titled):
            return end  # "Công ty cổ phần đầu tư Hoàng Quân": the capitals are the company's name
        return cut

    def _lexicon_mentions(self, text: str) -> list[_Cand]:
        """Bodies cited bare: acronyms, known media and international names, English company names."""
        out: list[_Cand] = []
        for m in self._acronym_re.finditer(text):
            info = self._acronyms[m.group(0)]
            out.append(_Cand(m.start(), m.end(), info["kind"], info["canonical"], acronym=m.group(0)))
        for m in self._known_re.finditer(text):
            out.append(_Cand(m.start(), m.end(), self._known[m.group(0)]))
        for m in self._english_re.finditer(text):
            out.append(_Cand(m.start(1), m.end(1), "company"))
        return out

    def _abbreviations(self, text: str, cands: list[_Cand]) -> list[_Cand]:
        """Read "(TTI)" after a name, then every later bare "TTI" as a mention of that body."""
        found: dict[str, int] = {}
        for i, c in enumerate(cands):
            if c.acronym:
                continue
            m = self._paren_re.match(text, c.nend)
            if not m:
                continue
            ab = m.group("ab").rstrip(".")
            if not self._abbreviation_like(ab):
                continue
            c.abbreviation = ab
            found.setdefault(ab, i)
        if not found:
            return cands
        starts = [c.nstart for c in cands]
        extra: list[_Cand] = []
        ab_re = re.compile(rf"(?:{alternation(list(found), ignorecase=False, not_after=_NW_ACR)})(?![\w&]|[-.]\w)")
        for m in ab_re.finditer(text):
            k = bisect.bisect_right(starts, m.start()) - 1
            if (k >= 0 and cands[k].nend > m.start()) or (k + 1 < len(cands) and cands[k + 1].nstart < m.end()):
                continue
            parent = found[m.group(0)]
            extra.append(_Cand(m.start(), m.end(), cands[parent].kind, parent=parent))
        return sorted(cands + extra, key=lambda c: (c.nstart, c.nend)) if extra else cands

    def _abbreviation_like(self, ab: str) -> bool:
        """"TTI", "Vietcombank", "Sao Việt Realty" can be abbreviations; "Mỹ", "Hà Nội", "Bộ" cannot."""
        words = ab.split()
        upper = sum(ch.isupper() for ch in ab)
        if ab in self._places_abbr or ab in self._heads or self._known_place_re.fullmatch(ab):
            return False
        if len(words) == 1:
            return upper >= 2 or (ab[0].isupper() and ab.isascii() and ab.isalpha() and len(ab) >= 4)
        return any(w.isascii() and w.isalpha() and len(w) >= 3 for w in words) or any(
            sum(ch.isupper() for ch in w) >= 2 for w in words)

    def _strip_head(self, s: str) -> str:
        """The merge key of a name without its leading head ("Công ty Sao Việt Realty" → "sao viet realty")."""
        m = self._head_re.match(s)
        return self.key(s[m.end():]) if m else ""

    # ------------------------------------------------------------------ merging
    def canonical(self, s: str) -> str:
        """Case, spacing and abbreviations normalised ("UBND TP.HCM" → "Ủy ban nhân dân Thành phố Hồ Chí Minh")."""
        s = self._place_abbr_re.sub(lambda m: self._places_abbr[m.group(0)], s)
        s = re.sub(r"(?<=Công ty) CP(?![\w])", " Cổ phần", s)
        s = self._expand_re.sub(lambda m: self._expansions[m.group(0)] if m.group(0) != "CP" else m.group(0), s)
        s = re.sub(r"(?<=\w) ?- ?(?=\w)", " - ", s)
        s = self._case_re.sub(lambda m: self._case_of.get(m.group(0).casefold(), m.group(0)), s)
        s = " ".join(s.split())
        return s[:1].upper() + s[1:]

    @staticmethod
    def key(canonical: str) -> str:
        """The merge key: no case, diacritics, hyphens or extra spaces."""
        return " ".join(fold(canonical).replace("-", " ").split())

    def _merge(self, ctx: Context, cands: list[_Cand]) -> list[Organization]:
        """One Organization per body: same canonical form, abbreviations, then shorter prefixes."""
        text = ctx.text
        canon = [c.lexicon_canonical or self.canonical(text[c.nstart:c.nend]) for c in cands]
        keys = [self.key(k) for k in canon]
        parent = list(range(len(cands)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        abbr_of = {self.key(c.abbreviation): i for i, c in enumerate(cands) if c.abbreviation}
        first_of: dict[str, int] = {}
        for i, k in enumerate(keys):
            bare = self._strip_head(text[cands[i].nstart:cands[i].nend])
            if bare in abbr_of and abbr_of[bare] != i:
                union(abbr_of[bare], i)  # "Công ty Sao Việt Realty" after "(Sao Việt Realty)"
            if k in first_of:
                union(first_of[k], i)
            else:
                first_of[k] = i
            if cands[i].parent is not None:
                union(cands[i].parent, i)
        self._merge_prefixes(ctx, cands, keys, find, union)
        groups: dict[int, list[int]] = {}
        for i in range(len(cands)):
            groups.setdefault(find(i), []).append(i)
        orgs = [self._organization(ctx, cands, canon, members) for members in groups.values()]
        return sorted(orgs, key=lambda o: (o.mentions[0].start, o.mentions[0].end))

    def _merge_prefixes(self, ctx: Context, cands: list[_Cand], keys: list[str],
                        find: Callable[[int], int], union: Callable[[int, int], None]) -> None:
        """Merge a body written short ("Sở Công thương") into the longer one it begins.

        With several longer candidates ("Ngân hàng CSXH huyện X", "... tỉnh Y") the one mentioned
        last before the short form wins; the choice is reported as a warning."""
        by_key: dict[str, list[int]] = {}
        for i, k in enumerate(keys):  # cands are in document order
            by_key.setdefault(k, []).append(i)
        uniq = sorted(by_key)
        for k in sorted(by_key, key=len):
            first = by_key[k][0]
            root = find(first)
            lo, hi = bisect.bisect_left(uniq, k + " "), bisect.bisect_left(uniq, k + " \U0010ffff")
            longer = [j for kk in uniq[lo:hi] for j in by_key[kk] if find(j) != root]
            targets = {find(j) for j in longer}
            if not targets:
                continue
            pick = targets.pop()
            if targets:
                before = [j for j in longer if cands[j].nstart < cands[first].nstart]
                near = max(before, key=lambda j: cands[j].nstart) if before else min(longer, key=lambda j: cands[j].nstart)
                pick = find(near)
                ctx.warn("org_short_form_ambiguous",
                         f"{ctx.text[cands[first].nstart:cands[first].nend]!r} could name {len(targets) + 1} bodies; "
                         "merged into the one mentioned nearest before", cands[first].nstart, cands[first].nend)
            union(pick, root)

    def _organization(self, ctx: Context, cands: list[_Cand], canon: list[str], members: list[int]) -> Organization:
        """Build the model: fullest written form as name, lexicon kind first, abbreviation."""
        text = ctx.text

        def size(i: int) -> tuple[int, int, int, int]:
            """Most syllables, then the most capitals (the proper spelling), then well-spaced
            dashes ("Tài chính - Kế hoạch" over "Tài chính- Kế hoạch"), then the first."""
            c = cands[i]
            t = text[c.nstart:c.nend]
            odd = len(re.findall(r"\w- | -\w", t))
            return (len(_SYLLABLE.findall(t)), sum(ch.isupper() for ch in t), -odd, -c.nstart)

        best = max(members, key=size)
        lex = [i for i in members if cands[i].lexicon_canonical]
        kind = cands[lex[0]].kind if lex else cands[best].kind
        canonical = canon[best]
        abbreviation = next((cands[i].abbreviation for i in members if cands[i].abbreviation), None)
        if abbreviation is None:
            acr = [i for i in members if cands[i].acronym]
            written = [i for i in members if cands[i].written_abbrev]
            if acr:
                abbreviation = cands[acr[0]].acronym
            elif written:
                i = min(written, key=lambda j: (cands[j].nend - cands[j].nstart, cands[j].nstart))
                abbreviation = ctx.span(cands[i].nstart, cands[i].nend)[2]
        mentions: list[Mention] = []
        seen: set[tuple[int, int]] = set()
        for i in sorted(members, key=lambda j: (cands[j].nstart, cands[j].nend)):
            c = cands[i]
            if (c.nstart, c.nend) in seen:
                continue
            seen.add((c.nstart, c.nend))
            mentions.append(ctx.mention(c.nstart, c.nend))
        name = ctx.span(cands[best].nstart, cands[best].nend)[2]
        return Organization(name=name, canonical=canonical, kind=kind, abbreviation=abbreviation, mentions=mentions)


def _previous_word(text: str, pos: int) -> str:
    """The word right before ``pos`` when a single space separates them, else ""."""
    if pos < 2 or text[pos - 1] != " ":
        return ""
    k = pos - 1
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    return text[k:pos - 1]


def _non_overlapping(cands: list[_Cand]) -> list[_Cand]:
    """Keep the longest of overlapping mentions (a head-read name over a bare acronym inside it)."""
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (-(c.nend - c.nstart), c.nstart)):
        k = bisect.bisect_right(starts, c.nstart)
        if (k > 0 and ends[k - 1] > c.nstart) or (k < len(starts) and starts[k] < c.nend):
            continue
        starts.insert(k, c.nstart)
        ends.insert(k, c.nend)
        kept.insert(k, c)
    return kept
