"""Shared fixtures: one Extractor per test session, paths to the corpus and ../shared."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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


# Hypothesis profiles (docs/robustness.md): "ci" by default, "soak" with --hypothesis-profile=soak.
# They are registered here because pytest reads --hypothesis-profile before test modules load.
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example]
settings.register_profile("ci", max_examples=400, derandomize=True, deadline=None, database=None,
                          print_blob=True, suppress_health_check=_HEALTH)
settings.register_profile("soak", max_examples=10_000, derandomize=False, deadline=None, database=None,
                          print_blob=True, suppress_health_check=_HEALTH)
