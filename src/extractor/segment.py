"""Word segmentation: underthesea's CRF word segmenter, run without underthesea's overheads.

The pipeline's floor is underthesea's ``word_tokenize``. Profiled on 300 articles, most of its
time is not the CRF at all: importing the ``underthesea`` package loads every pipeline it has
(numpy, joblib, requests, the NER and chunking modules; about 0.8 s of a cold start), and
``underthesea_core.CRFFeaturizer`` spends about 36 µs per token building the 43 feature strings
(three quarters of ``word_tokenize``'s time). :class:`FastSegmenter` runs the *same* steps with
the *same* model files of the installed underthesea, and returns the same words:

1. underthesea's regex tokenizer (its compiled pattern, taken from its own source file), its
   character normalisation and its per-token normalisation (memoised: tokens repeat);
2. the CRF features of underthesea's template list, built column by column in Python, with the
   per-token functions (``lower``, ``istitle``, ``isdigit``) asked of ``underthesea_core``'s own
   featurizer once per distinct token, so their Unicode rules are exactly the Rust ones;
3. ``underthesea_core.CRFTagger`` with underthesea's model, and underthesea's rule for joining
   syllables tagged ``I-W``.

It is used only when the installed underthesea files are the ones it was checked against
(:data:`KNOWN_SOURCES`, SHA-256 of each file whose behaviour it reproduces); otherwise, or when
``VNEXTRACT_SEGMENTER=underthesea`` is set, :func:`segmenter` returns underthesea's own
``word_tokenize``. tests/test_segment.py compares the two on every corpus text and on generated
text.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import re
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["FastSegmenter", "segmenter", "underthesea_word_tokenize", "KNOWN_SOURCES", "SegmenterUnavailable",
           "SegmenterFallbackWarning"]

WordTokenize = Callable[[str], list[str]]

# Files of underthesea whose behaviour FastSegmenter reproduces, with the SHA-256 it was checked
# against (underthesea 9.5.0). Any other content means another version: use underthesea itself.
KNOWN_SOURCES: dict[str, str] = {
    "pipeline/word_tokenize/__init__.py": "65b26025dfd44e2e1ddb03b98b1a25a26fe703596b22730e0c16f79a7f0fbb5d",
    "pipeline/word_tokenize/regex_tokenize.py": "5cb4fdc04fc806ac51842d9ec96834e9647262361bf865bacc164e96dc898a76",
    "models/fast_crf_sequence_tagger.py": "2f7dba214c3e4ea31221a328e759c5a11deff902c9768581a061e8a4a28d8762",
    "pipeline/text_normalize/token_normalize.py": "e3dfaccc016417d181260234db2573f2c2c349e403e6566d9f35022633d9c50e",
    "pipeline/text_normalize/character_normalize.py": "f10727cca09ec90c88abaaa6b697ad3a1205ab783066ad0b59fa31ecdaa792d1",
    "pipeline/text_normalize/text_normalizer.py": "f35f6d22e7b1c4f916bc0f832222496ff3993be4f31d34dee2c8fed4565b4c2d",
}
# the model files those sources name (word_tokenize/__init__.py, text_normalizer.py)
_MODEL_DIR = "pipeline/word_tokenize/models/ws_crf_vlsp2013_20230727"
_NORMALIZER_RULES = "pipeline/text_normalize/tn_rules_2023_07_14.bin"
_TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(\w+))?")
_TOKEN_FUNCTIONS = ("lower", "istitle", "isdigit")  # computed per token by underthesea_core
_FUNCTIONS = {None, *_TOKEN_FUNCTIONS, "is_in_dict"}
# per-token memos are emptied beyond this many entries: an archive has an unbounded number of
# distinct tokens (every number is one), and a batch worker must not grow without limit
_MEMO_MAX = 200_000


class SegmenterUnavailable(RuntimeError):
    """The installed underthesea is not the one FastSegmenter reproduces (or is missing)."""


class SegmenterFallbackWarning(RuntimeWarning):
    """Issued once per process when the pipeline falls back to underthesea's own word_tokenize,
    so that a slower run after an underthesea upgrade has a visible cause."""


def underthesea_word_tokenize(text: str) -> list[str]:
    """underthesea's own ``word_tokenize`` (imports the whole package: about 0.8 s once)."""
    from underthesea import word_tokenize

    return word_tokenize(text)


def underthesea_dir() -> Path:
    """Where underthesea is installed, found without importing it (importing runs its
    ``__init__``, which loads every pipeline)."""
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise SegmenterUnavailable("underthesea is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def _check_sources(root: Path) -> None:
    for rel, digest in KNOWN_SOURCES.items():
        try:
            data = (root / rel).read_bytes()
        except OSError as e:
            raise SegmenterUnavailable(f"underthesea file {rel} unreadable: {e}") from e
        if hashlib.sha256(data).hexdigest() != digest:
            raise SegmenterUnavailable(f"underthesea file {rel} differs from the version checked")


def _regex_pattern(root: Path) -> re.Pattern[str]:
    """underthesea's tokenizer regex, built by its own source (the part before its functions).

    The source is checked by hash first; its two imports of underthesea are dropped because the
    pattern does not use them and they would import the whole package."""
    path = root / "pipeline/word_tokenize/regex_tokenize.py"
    head = path.read_text(encoding="utf-8").split("\ndef extract_match", 1)[0]
    head = "\n".join(line for line in head.splitlines() if not line.startswith("from underthesea"))
    namespace: dict[str, Any] = {}
    exec(compile(head, str(path), "exec"), namespace)  # noqa: S102 - hash-checked installed source
    pattern = namespace.get("patterns")
    if not isinstance(pattern, re.Pattern):
        raise SegmenterUnavailable("underthesea's tokenizer pattern not found")
    return pattern


def _load_pickle(path: Path) -> Any:
    # underthesea writes these with joblib.dump of plain Python objects: ordinary pickles
    with path.open("rb") as f:
        return pickle.load(f)  # noqa: S301 - files of the installed, hash-checked package


class FastSegmenter:
    """underthesea's word segmentation, same output, without its import and featurizer costs."""

    def __init__(self, root: Path | None = None) -> None:
        root = root or underthesea_dir()
        _check_sources(root)
        try:
            from underthesea_core import CRFFeaturizer, CRFTagger
        except ImportError as e:  # pragma: no cover - underthesea requires it
            raise SegmenterUnavailable(f"underthesea_core missing: {e}") from e
        model = root / _MODEL_DIR
        try:
            rules = _load_pickle(root / _NORMALIZER_RULES)
            self._char_map: list[tuple[str, str]] = list(rules["character"].items())
            self._token_map: dict[str, str] = rules["token"]
            self._pattern = _regex_pattern(root)
            features = _load_pickle(model / "features.bin")
            self._dictionary: frozenset[str] = frozenset(_load_pickle(model / "dictionary.bin"))
            self._templates = self._parse_templates(features)
            self._tagger = CRFTagger()
            self._tagger.load(str(model / "models.bin"))
        except SegmenterUnavailable:
            raise
        except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError, RuntimeError) as e:
            # a damaged install: let underthesea itself load (and report) it
            raise SegmenterUnavailable(f"underthesea's model files could not be read: {e}") from e
        # the Rust featurizer, asked only for per-token functions, once per distinct token
        self._probe = CRFFeaturizer([f"T[0].{fn}" for fn in _TOKEN_FUNCTIONS], set())
        self._props: dict[str, tuple[str, bool, bool]] = {}
        self._normalised: dict[str, str] = {}

    @staticmethod
    def _parse_templates(features: Sequence[str]) -> list[tuple[str, int, int, str | None]]:
        """``(prefix, first offset, last offset, function)`` of each feature template, in the
        featurizer's order (the CRF model's attribute names depend on it)."""
        out = []
        for f in features:
            m = _TEMPLATE.fullmatch(f)
            if not m or m.group(3) not in _FUNCTIONS or (m.group(3) == "isdigit" and m.group(2)):
                raise SegmenterUnavailable(f"feature template {f!r} not supported")
            a = int(m.group(1))
            b = int(m.group(2)) if m.group(2) is not None else a
            if b < a:
                raise SegmenterUnavailable(f"feature template {f!r} not supported")
            out.append((f + "=", a, b, m.group(3)))
        return out

    # -- step 1: underthesea's regex tokenizer and normalisation -------------------------------

    def _normalize_characters(self, text: str) -> str:
        """underthesea's ``normalize_characters_in_text``: NFC, then its character map."""
        text = unicodedata.normalize("NFC", text)
        for bad, good in self._char_map:
            text = text.replace(bad, good)
        return text

    def _token_normalize(self, token: str) -> str:
        """underthesea's ``token_normalize`` (memoised per token)."""
        memo = self._normalised
        out = memo.get(token)
        if out is None:
            out = token
            if len(token) <= 6:
                out = self._normalize_characters(token)
                out = self._token_map.get(out, out)
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[token] = out
        return out

    def tokens(self, text: str) -> list[str]:
        """underthesea's ``regex_tokenize.tokenize(text)``: syllables, numbers, punctuation."""
        text = self._normalize_characters(text)
        # every alternative of the pattern is one named group spanning the whole match, so the
        # first non-empty named group underthesea picks is group 0
        norm = self._token_normalize
        return [norm(m.group()) for m in self._pattern.finditer(text)]

    # -- step 2: CRF features --------------------------------------------------------------------

    def _token_props(self, tokens: list[str]) -> list[tuple[str, bool, bool]]:
        """(lower, istitle, isdigit) of each token, as underthesea_core computes them.

        Safe when threads share the segmenter (a dask worker may run several): the memo may be
        emptied by another call at any time, so the answer is read from this call's own results
        first and a token that went missing meanwhile is simply asked again."""
        props = self._props
        local = self._probe_props([t for t in dict.fromkeys(tokens) if t not in props])
        if local:
            if len(props) + len(local) > _MEMO_MAX:
                props.clear()
            props.update(local)
        out = [local.get(t) or props.get(t) for t in tokens]
        if None in out:  # emptied by another thread between the two steps
            again = self._probe_props([t for t, p in zip(tokens, out) if p is None])
            out = [p or again[t] for t, p in zip(tokens, out)]
        return out  # type: ignore[return-value]

    def _probe_props(self, tokens: list[str]) -> dict[str, tuple[str, bool, bool]]:
        if not tokens:
            return {}
        rows = self._probe.process([[[t] for t in tokens]])[0]
        return {t: (f[0].partition("=")[2], f[1].endswith("=True"), f[2].endswith("=True")) for t, f in zip(tokens, rows)}

    def features(self, tokens: list[str]) -> list[tuple[str, ...]]:
        """The feature strings ``CRFFeaturizer.process`` gives, built one template at a time.

        A template ``T[a,b].f`` reads tokens i+a … i+b joined by spaces; out of range it is
        ``BOS`` (when i+a < 0) or ``EOS``; ``is_in_dict`` looks the lower-cased n-gram up in the
        model's dictionary and ``istitle`` holds when every token of the n-gram does."""
        n = len(tokens)
        props = self._token_props(tokens)
        lower = [p[0] for p in props]
        title = [p[1] for p in props]
        digit = [p[2] for p in props]
        cache: dict[tuple[int, str | None], list[Any]] = {}

        def grams(width: int, fn: str | None) -> list[Any]:
            """Value of the n-gram starting at each j (j = 0 … n-width)."""
            key = (width, fn)
            if key in cache:
                return cache[key]
            if fn is None or fn == "lower":
                seq = tokens if fn is None else lower
                if width == 1:
                    vals: list[Any] = seq
                elif width == 2:
                    vals = [x + " " + y for x, y in zip(seq, seq[1:])]
                elif width == 3:
                    vals = [x + " " + y + " " + z for x, y, z in zip(seq, seq[1:], seq[2:])]
                else:
                    vals = [" ".join(seq[j:j + width]) for j in range(n - width + 1)]
            elif fn == "is_in_dict":
                d = self._dictionary
                vals = [g in d for g in grams(width, "lower")]
            elif fn == "istitle":
                vals = title if width == 1 else [all(title[j:j + width]) for j in range(n - width + 1)]
            else:  # isdigit, unigrams only (checked in _parse_templates)
                vals = digit
            cache[key] = vals
            return vals

        columns = []
        for prefix, a, b, fn in self._templates:
            lo = min(max(0, -a), n)  # positions before lo read before the sentence: BOS
            hi = max(min(n, n - b), lo)  # positions from hi on read past its end: EOS
            vals = grams(b - a + 1, fn)[lo + a:hi + a] if hi > lo else []
            if fn is None or fn == "lower":
                body = [prefix + v for v in vals]
            else:
                body = list(map((prefix + "False", prefix + "True").__getitem__, vals))
            columns.append([prefix + "BOS"] * lo + body + [prefix + "EOS"] * (n - hi))
        return list(zip(*columns))

    # -- step 3: tagging and joining -------------------------------------------------------------

    def __call__(self, text: str) -> list[str]:
        """Words of ``text``, as ``underthesea.word_tokenize(text)`` returns them."""
        tokens = self.tokens(text)
        if not tokens:
            return []
        tags = self._tagger.tag(self.features(tokens))
        out: list[str] = []
        for tag, token in zip(tags, tokens):
            if tag == "I-W" and out:
                out[-1] = out[-1] + " " + token
            else:
                out.append(token)
        return out


@lru_cache(maxsize=1)
def segmenter() -> WordTokenize:
    """The word segmenter the pipeline uses: :class:`FastSegmenter` when the installed underthesea
    is the one it reproduces, else underthesea's ``word_tokenize``. ``VNEXTRACT_SEGMENTER=underthesea``
    forces the latter (to compare, or to rule the fast path out when debugging)."""
    if os.environ.get("VNEXTRACT_SEGMENTER", "").strip().lower() == "underthesea":
        return underthesea_word_tokenize
    try:
        return FastSegmenter()
    except SegmenterUnavailable as e:
        warnings.warn(f"vnextract: using underthesea.word_tokenize (the same words, slower to start and "
                      f"to run): {e}", SegmenterFallbackWarning, stacklevel=2)
        return underthesea_word_tokenize
