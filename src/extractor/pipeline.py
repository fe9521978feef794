"""The Extractor: loads rules once, then turns texts into :class:`~extractor.models.Document`.

Stages, each in its own module: normalise → sentences → tokenize → numbers → periods →
comparisons → indicators → organizations → officials → quotes. Every stage works on one
:class:`~extractor.context.Context`, so the text is normalised, split and tokenized exactly once.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import comparisons as _comparisons
from . import indicators as _indicators
from . import numbers as _numbers
from . import officials as _officials
from . import organizations as _organizations
from . import periods as _periods
from . import quotes as _quotes
from .context import Context
from .models import Document, Meta, Sentence
from .normalise import normalise
from .sentences import SentenceSplitter
from .tokenize import tokenize

__all__ = ["Extractor", "extract", "safe_doc_id"]

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?")
_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_doc_id(raw: str) -> str:
    """A doc id usable as a file name on every OS: no separators, no leading dots, bounded length."""
    s = _UNSAFE.sub("_", raw.strip()).strip("._") or "doc"
    reserved = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in [*range(10), "¹", "²", "³"])}
    if s.upper().split(".")[0] in reserved:
        s = "_" + s
    # file systems limit names in bytes (255); keep ids to 120 UTF-8 bytes, with a hash when cut
    if len(s.encode("utf-8", "surrogatepass")) > 120:
        digest = hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        cut = s
        while len(cut.encode("utf-8", "surrogatepass")) > 100:
            cut = cut[:-1]
        s = cut + "_" + digest
    return s


def _published(meta: Meta) -> tuple[int | None, int | None]:
    m = _ISO_DATE.match(meta.published or "")
    if not m:
        return None, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


class Extractor:
    """Reusable extractor. Create once (rules are compiled here), then call :meth:`extract`."""

    def __init__(self) -> None:
        self._splitter = SentenceSplitter()
        self._numbers = _numbers.NumberReader()
        self._periods = _periods.PeriodFinder()
        self._comparisons = _comparisons.ComparisonFinder()
        self._indicators = _indicators.IndicatorExtractor()
        self._organizations = _organizations.OrganizationExtractor()
        self._officials = _officials.OfficialExtractor()
        self._quotes = _quotes.QuoteExtractor()

    def context(self, text: str, meta: Meta | None = None) -> Context:
        """Normalise, split and tokenize ``text`` once (what every extractor reads)."""
        nt = normalise(text)
        year, month = _published(meta or Meta())
        return Context(nt=nt, sentence_spans=self._splitter.split(nt.text), tokens=tokenize(nt),
                       published_year=year, published_month=month)

    def extract(self, text: str, *, doc_id: str | None = None, meta: Mapping[str, Any] | Meta | None = None) -> Document:
        """Extract one article. ``text`` is the decoded article; all offsets index it exactly."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        meta_m = meta if isinstance(meta, Meta) else Meta(**dict(meta or {}))
        sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        ctx = self.context(text, meta_m)
        quantities = self._numbers.extract(ctx)
        periods = self._periods.find(ctx)
        comparisons = self._comparisons.find(ctx, periods)
        indicators = self._indicators.extract(ctx, quantities, periods, comparisons)
        organizations = self._organizations.extract(ctx)
        officials = self._officials.extract(ctx, organizations)
        quotes = self._quotes.extract(ctx, officials, organizations)
        sentences = []
        for i, (a, b) in enumerate(ctx.sentence_spans):
            s, e = ctx.nt.to_orig(a, b)
            sentences.append(Sentence(index=i, start=s, end=e))
        if not text.strip():
            ctx.warn("empty_text", "the article has no text")
        return Document(
            doc_id=safe_doc_id(doc_id) if doc_id else f"doc-{sha[:16]}",
            text_sha256=sha,
            meta=meta_m,
            sentences=sentences,
            quantities=[q.model for q in quantities],
            comparisons=[c.model for c in comparisons],
            indicators=indicators,
            organizations=organizations,
            officials=officials,
            quotes=quotes,
            warnings=sorted(ctx.warnings, key=lambda w: (w.start if w.start is not None else -1, w.code)),
        )

    def pipe(self, texts_or_records: Iterable[str | Mapping[str, Any]], n_process: int = 1,
             chunksize: int = 8) -> Iterator[Document]:
        """Extract many articles, yielding Documents in input order.

        Items are texts or records ``{"text", "id"?, "title"?, "published"?, "url"?, ...}``;
        other record fields go to ``meta``. With ``n_process > 1`` work runs in a process pool.
        """
        if n_process <= 1:
            for item in texts_or_records:
                yield self._extract_item(item)
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n_process, initializer=_init_worker) as pool:
            yield from pool.map(_worker_extract, texts_or_records, chunksize=chunksize)

    def _extract_item(self, item: str | Mapping[str, Any]) -> Document:
        if isinstance(item, str):
            return self.extract(item)
        rec = dict(item)
        text = rec.pop("text")
        doc_id = rec.pop("id", None) or rec.pop("doc_id", None)
        return self.extract(text, doc_id=str(doc_id) if doc_id is not None else None, meta=rec)


_WORKER: Extractor | None = None


def _init_worker() -> None:
    global _WORKER
    _WORKER = Extractor()


def _worker_extract(item: str | Mapping[str, Any]) -> Document:
    assert _WORKER is not None
    return _WORKER._extract_item(item)


_DEFAULT: Extractor | None = None


def extract(text: str, *, doc_id: str | None = None, meta: Mapping[str, Any] | None = None) -> Document:
    """Extract one article with a shared default :class:`Extractor` (created on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Extractor()
    return _DEFAULT.extract(text, doc_id=doc_id, meta=meta)
