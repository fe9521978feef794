"""Shared fixtures: one Extractor per test session, paths to the corpus and ../shared."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor import Extractor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
OUTPUTS = ROOT / "outputs"
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpus" / "real"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.txt"))


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only present in the project's workspace and CI)")
    return path
