"""Loading the rule files of ``rules/``: vocabulary and patterns are data, not code.

Files are YAML loaded with ``yaml.safe_load`` (no object construction), read once per process and
cached. A malformed file fails at load time with the file and line named, never later on an article.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["RuleError", "rules_dir", "load_rules", "rule_files", "alternation"]


def alternation(forms: list[str]) -> str:
    """A regex alternation of vocabulary: each form escaped, longest first, so that "tăng trưởng"
    wins over "tăng" and the pattern never depends on the order of a rule file."""
    return "|".join(re.escape(f) for f in sorted(set(forms), key=lambda f: (-len(f), f)))


class RuleError(ValueError):
    """A rule file is missing, unreadable or malformed; the message names the file and line."""


def rules_dir() -> Path:
    """The rules folder: ``$VNEXTRACT_RULES`` or the repository's ``rules/``."""
    env = os.environ.get("VNEXTRACT_RULES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "rules"


def rule_files() -> list[Path]:
    """Every rule file, sorted (used by the example tests and the rules version hash)."""
    return sorted(rules_dir().glob("*.yaml"))


def parse_rules(text: str, name: str) -> dict[str, Any]:
    """Parse one rule file's text; errors name ``name`` and the line."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else "?"
        raise RuleError(f"{name}:{line}: malformed YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{name}: malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{name}:1: a rule file must be a mapping at the top level")
    return data


@lru_cache(maxsize=None)
def load_rules(name: str) -> dict[str, Any]:
    """Load ``rules/<name>`` once per process."""
    path = rules_dir() / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror}") from None
    return parse_rules(text, str(path))


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A short hash of all rule files: outputs record it so resumable batches know when to redo."""
    import hashlib

    h = hashlib.sha256()
    for p in rule_files():
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
