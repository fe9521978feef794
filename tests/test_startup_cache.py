"""The start-up cache of the normalised Viet74K list (organizations.compounds): the same set with
or without it, and never an error when it is missing, corrupt or cannot be written."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor import organizations
from extractor.organizations import compounds

_build = compounds.__wrapped__  # the uncached function (compounds itself is memoised per process)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    """The list computed with no cache at all (a relative XDG_CACHE_HOME names no cache)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", "relative/not/used")
    try:
        assert organizations._viet74k() is not None, "underthesea's Viet74K.txt not found"
        ref = _build()
    finally:
        mp.undo()
    assert len(ref) > 10_000 and "chỉ đạo" in ref
    return ref


def _cache_files(root: Path) -> list[Path]:
    return sorted((root / "vnextract").glob("compounds-*"))


def test_written_then_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: frozenset[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _build() == reference
    files = _cache_files(tmp_path)
    assert len(files) == 1 and not list((tmp_path / "vnextract").glob("*.tmp"))

    def no_normalise(*_a: object, **_k: object) -> None:
        raise AssertionError("the cached list should have been read")

    monkeypatch.setattr(organizations, "normalise", no_normalise)
    assert _build() == reference


def test_corrupt_or_truncated_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              reference: frozenset[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _build()
    (path,) = _cache_files(tmp_path)
    text = path.read_text(encoding="utf-8")
    for bad in (text[: len(text) // 2], "garbage", "", text.replace(path.name, "other", 1)):
        path.write_text(bad, encoding="utf-8")
        assert _build() == reference
        assert path.read_text(encoding="utf-8") == text  # rewritten whole
    path.write_bytes(b"\xff\xfe\x00bad")
    assert _build() == reference


def test_unwritable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: frozenset[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # vnextract/ cannot be created under a file
    assert _build() == reference
    assert blocker.read_text(encoding="utf-8") == "not a directory"
