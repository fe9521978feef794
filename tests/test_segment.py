"""The fast word segmenter gives exactly underthesea's ``word_tokenize`` words (extractor.segment).

The pipeline's words come from :class:`extractor.segment.FastSegmenter` when the installed
underthesea is the version it reproduces; any difference from underthesea would move offsets and
change extractions, so it is compared with underthesea itself on every corpus text (the pieces the
pipeline really sends), on the third-party corpus when present, and on generated text.
"""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import segment
from extractor.normalise import normalise
from extractor.segment import FastSegmenter, SegmenterUnavailable, underthesea_word_tokenize
from extractor.tokenize import chunks

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"


@pytest.fixture(scope="module")
def fast() -> FastSegmenter:
    try:
        return FastSegmenter()
    except SegmenterUnavailable as e:  # another underthesea release: the pipeline uses underthesea itself
        pytest.skip(f"fast segmenter not available for this underthesea: {e}")


def _pieces(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        text = normalise(p.read_text(encoding="utf-8")).text
        out += [text[a:b] for a, b in chunks(text)]
    return out


def test_same_words_as_underthesea_on_the_corpus(fast: FastSegmenter) -> None:
    pieces = _pieces(sorted((ROOT / "corpus").glob("*.txt")))
    assert len(pieces) > 200
    for piece in pieces:
        assert fast(piece) == underthesea_word_tokenize(piece), piece[:80]


def test_same_words_as_underthesea_on_the_real_corpus(fast: FastSegmenter) -> None:
    if not REAL.is_dir():
        pytest.skip("../shared/corpus/real not present")
    paths = sorted(REAL.rglob("*.txt"))
    for piece in _pieces(paths):
        assert fast(piece) == underthesea_word_tokenize(piece), piece[:80]
    for p in paths[:40]:  # whole, unnormalised texts too: the function is general
        text = p.read_text(encoding="utf-8")
        assert fast(text) == underthesea_word_tokenize(text), p.name


def test_features_equal_underthesea_core(fast: FastSegmenter) -> None:
    """The Python featurizer builds the strings underthesea_core's CRFFeaturizer builds."""
    from underthesea_core import CRFFeaturizer

    root = segment.underthesea_dir()
    features = segment._load_pickle(root / segment._MODEL_DIR / "features.bin")
    dictionary = segment._load_pickle(root / segment._MODEL_DIR / "dictionary.bin")
    rust = CRFFeaturizer(features, dictionary)
    text = ("Sở Công Thương TP.HCM cho biết chỉ số sản xuất công nghiệp tháng 1/2021 tăng 12,5 % "
            "so với cùng kỳ; XK đạt 1.234 tỷ USD. ĐÀ NẴNG, Σ ß İ ǅ １２ ٣ +5 -7 2147483648 đồng")
    for k in (0, 1, 2, 3, 4, 5, None):
        tokens = fast.tokens(text)[:k]
        expected = rust.process([[[t] for t in tokens]])[0]
        assert [list(row) for row in fast.features(tokens)] == expected


_FRAGMENTS = [
    "Công", "thương", "công", "nghiệp", "Sở", "TP.HCM", "hoá", "hóa", "Hà Nội", "tăng", "giảm", "so với",
    "cùng kỳ", "12,5", "1.234,5", "60.542.000", "%", "tỷ", "đồng", "USD", "–", "-", "(", ")", ",", ".",
    "...", "v.v.", "H'Mông", "3x4", "02/05/2014", "08-2014", "10:20:50", "4K", "43H-0530", "NĐ-CP",
    "http://a.vn/x?y=1", "a@b.vn", "Ðà", "ð", "ß", "Σ", "ΑΣ", "İ", "ǅ", "１２", "٣", "e\u0301", "\u0300",
    "😀", ":))", "<3", "=>", "°C", "+5", "-7", "2147483648", "Mr.", "Tp.", "T.Ư", "H&M", "ĐẦU", "Năm",
    "'", "\"", "“", "”", "_", "x_y", "\u00a0", "\u200b", "ﬁ", "Ⅳ", "²", "ⓐ",
]
_SEPARATORS = [" ", "  ", ", ", ". ", "\t", "\n", "", " - "]


@lru_cache(maxsize=1)
def _fast_or_none() -> FastSegmenter | None:
    try:
        return FastSegmenter()
    except SegmenterUnavailable:
        return None


@settings(deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_FRAGMENTS), st.sampled_from(_SEPARATORS)), max_size=40))
def test_same_words_as_underthesea_on_generated_text(parts: list[tuple[str, str]]) -> None:
    fast = _fast_or_none()
    if fast is None:
        pytest.skip("fast segmenter not available for this underthesea")
    text = "".join(f + s for f, s in parts)
    assert fast(text) == underthesea_word_tokenize(text)


def test_other_underthesea_versions_fall_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed underthesea file means another version: FastSegmenter refuses it, and
    ``segmenter()`` then returns underthesea's own word_tokenize."""
    root = segment.underthesea_dir()
    copy = tmp_path / "underthesea"
    shutil.copytree(root / "pipeline" / "word_tokenize", copy / "pipeline" / "word_tokenize",
                    ignore=shutil.ignore_patterns("models", "__pycache__"))
    with pytest.raises(SegmenterUnavailable):
        FastSegmenter(copy)  # other files missing
    shutil.copytree(root, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    FastSegmenter(copy)  # a faithful copy is accepted
    target = copy / "pipeline" / "word_tokenize" / "regex_tokenize.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    with pytest.raises(SegmenterUnavailable, match="differs"):
        FastSegmenter(copy)

    monkeypatch.setattr(segment, "underthesea_dir", lambda: copy)
    segment.segmenter.cache_clear()
    try:
        with pytest.warns(segment.SegmenterFallbackWarning, match="differs from the version checked"):
            assert segment.segmenter() is underthesea_word_tokenize
        monkeypatch.setattr(segment, "underthesea_dir", lambda: root)
        segment.segmenter.cache_clear()
        monkeypatch.setenv("VNEXTRACT_SEGMENTER", "underthesea")
        assert segment.segmenter() is underthesea_word_tokenize
        monkeypatch.delenv("VNEXTRACT_SEGMENTER")
        segment.segmenter.cache_clear()
        assert isinstance(segment.segmenter(), FastSegmenter)
    finally:
        segment.segmenter.cache_clear()


def test_pipeline_does_not_import_underthesea() -> None:
    """The cold start saving: extracting an article loads underthesea_core and the model files,
    not the underthesea package (whose import loads every pipeline it has)."""
    import subprocess
    import sys

    code = ("import sys\nfrom extractor import extract\nd = extract('Sở Công Thương cho biết chỉ số tăng 5% so với "
            "cùng kỳ.')\nassert d.indicators or d.quantities\n"
            "from extractor.segment import FastSegmenter, segmenter\n"
            "print(isinstance(segmenter(), FastSegmenter), 'underthesea' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "True":
        pytest.skip("fast segmenter not available for this underthesea")
    assert out == ["True", "False"]


def test_memos_stay_bounded(fast: FastSegmenter, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long batch must not grow the per-token memos without limit, and emptying them changes
    nothing in the words."""
    monkeypatch.setattr(segment, "_MEMO_MAX", 50)
    text = " ".join(f"số {i} tăng {i},5%" for i in range(200))
    words = underthesea_word_tokenize(text)
    assert fast(text) == words
    assert len(fast._props) <= len(set(fast.tokens(text))) and len(fast._normalised) <= 50
    assert fast(text) == words


def test_threads_sharing_the_segmenter(fast: FastSegmenter, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several threads (a dask worker may run several) share one segmenter, with memos small
    enough to be emptied all the time: every result is still underthesea's."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(segment, "_MEMO_MAX", 30)
    texts = [" ".join(f"Sở {i} tăng {i * k},5% so với cùng kỳ, đạt {k}.{i:03d} tỷ đồng" for i in range(40))
             for k in range(1, 9)]
    expected = [underthesea_word_tokenize(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(5):
            assert list(pool.map(fast, texts)) == expected


def test_damaged_model_files_fall_back(tmp_path: Path) -> None:
    """A model file that cannot be read is reported as SegmenterUnavailable (the pipeline then
    lets underthesea load, and report, it), not as a stray exception."""
    root = segment.underthesea_dir()
    copy = tmp_path / "underthesea"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / segment._MODEL_DIR / "features.bin").write_bytes(b"not a pickle")
    with pytest.raises(SegmenterUnavailable, match="could not be read"):
        FastSegmenter(copy)
    (copy / segment._MODEL_DIR / "features.bin").unlink()
    with pytest.raises(SegmenterUnavailable, match="could not be read"):
        FastSegmenter(copy)
