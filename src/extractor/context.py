"""What every extractor reads: one article's matching form, sentences, words and date.

Built once per article by :class:`extractor.pipeline.Extractor`; extractors never normalise,
split or tokenize again (that would cost time and risk disagreeing offsets).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from .models import ExtractionWarning, Mention
from .normalise import NormText
from .scan import lowered
from .sentences import SentenceIndex
from .tokenize import Token, build_doc

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["Context"]


@dataclass(eq=False)
class Context:
    """One article under extraction. Offsets named ``n*`` are in the matching form ``nt.text``."""

    nt: NormText
    sentence_spans: list[tuple[int, int]]  # in the matching form
    tokens: list[Token]
    published_year: int | None = None
    published_month: int | None = None
    warnings: list[ExtractionWarning] = field(default_factory=list)
    # results that several extractors derive from the same article, computed by the first one that
    # asks (the title/role scans of organizations and officials); keyed by their producer
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """The matching form (NFC, one tone placement, straight quotes, ASCII hyphens)."""
        return self.nt.text

    @cached_property
    def lower_text(self) -> str:
        """``text.lower()``, made once: vocabulary scans run case-sensitively on it (faster than
        ``re.I``). It may be longer than ``text`` (a few letters lower-case to two characters);
        callers check the lengths before using its offsets."""
        return lowered(self.nt.text)

    @cached_property
    def sentence_index(self) -> SentenceIndex:
        return SentenceIndex(self.sentence_spans)

    def sentence_of(self, nstart: int) -> int:
        """Index of the sentence holding matching-form offset ``nstart``."""
        return self.sentence_index.of(nstart)

    def span(self, nstart: int, nend: int) -> tuple[int, int, str]:
        """Input ``start, end, text`` of a matching-form span (what the JSON carries)."""
        return self.nt.orig_span(nstart, nend)

    def mention(self, nstart: int, nend: int) -> Mention:
        """A Mention model for a matching-form span."""
        s, e, t = self.span(nstart, nend)
        return Mention(text=t, start=s, end=e, sentence=self.sentence_of(nstart))

    def warn(self, code: str, message: str, nstart: int | None = None, nend: int | None = None) -> None:
        """Record something the extractor was unsure of (SPEC: never silent)."""
        s = e = None
        if nstart is not None and nend is not None:
            s, e = self.nt.to_orig(nstart, nend)
        self.warnings.append(ExtractionWarning(code=code, message=message, start=s, end=e))

    @cached_property
    def doc(self) -> "Doc":
        """The spaCy Doc of the article (built on first use): ``token.idx`` is the input offset."""
        return build_doc(self.nt, self.tokens)
