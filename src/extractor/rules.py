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


# what each rule file must hold (the keys the code reads, and their types)
SHAPES: dict[str, dict[str, type]] = {
    "abbreviations.yaml": {"no_sentence_end_after": list, "examples": list},
    "comparisons.yaml": {"not_comparison_after_so": list, "base_ends_before": list, "base_phrases": dict, "examples": list},
    "indicators.yaml": {"directions": dict, "fillers": list, "also_amount": list, "levels": list, "measure_verbs": list, "also_level": list, "plan_words": list, "ratio_verbs": list, "estimate_markers": list, "share_verbs": list, "share_fillers": list, "name_leading_drop": list, "name_trailing_drop": list, "comma_names": list, "descriptions": list, "not_names": list, "object_verbs": list, "continuation": list, "contrast_openers": list, "breakdown_openers": list, "examples": list},
    "officials.yaml": {"honorifics": list, "academic": list, "titles": list, "roles": list, "roles_after_article": list, "title_lead": list, "surnames": list, "name_stop": list, "examples": list},
    "organizations.yaml": {"heads": list, "generic_complements": list, "company_types": list, "blocked_complements": list, "name_stop": list, "name_words": dict, "department_words": list, "place_markers": list, "place_levels": list, "place_abbreviations": dict, "places": list, "short_countries": list, "acronyms": dict, "expansions": dict, "canonical_case": list, "known": dict, "english_suffixes": list, "english_stop": list, "examples": list},
    "periods.yaml": {"number_words": dict, "examples": list},
    "quantities.yaml": {"scales": dict, "units": list, "per_units": list, "qualifiers": dict, "comparatives": list, "not_quantity_after": list, "spelled": dict, "multipliers": dict, "examples": list},
    "quotes.yaml": {"verbs": list, "indirect_verbs": list, "bare_indirect_verbs": list, "adverbs": list, "min_words": int, "not_subject_after": list, "examples": list},
}


class _NoDuplicates:
    """Refuses duplicate keys (PyYAML keeps the last one silently) and remembers the line of every
    top-level key, so that errors can name it."""

    name: str

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise RuleError(f"{self.name}:{line}: duplicate key {key!r} (first at line {seen[key]})")
            seen[key] = line
        if not hasattr(self, "key_lines"):
            self.key_lines = seen
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _Loader(_NoDuplicates, yaml.SafeLoader):
    """The pure-Python safe loader: slower, but its errors carry exact marks."""


# libyaml's safe loader when installed: rule files load ~10x faster (cold start); any error is
# re-read with the Python loader so that the message names the line
_FastLoader = type("_FastLoader", (_NoDuplicates, getattr(yaml, "CSafeLoader", yaml.SafeLoader)), {})


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
        fast = _FastLoader(text)
        fast.name = name
        try:
            data = fast.get_single_data()
        finally:
            fast.dispose()
    except yaml.YAMLError:
        pass  # read again below for a precise message
    else:
        return _check_shape(data, name, getattr(fast, "key_lines", {}))
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        loader.name = name
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "quoted scalar" in str(exc.context or ""):
            mark = exc.context_mark  # an unclosed quote: where it opens, not the end of the file
        line = mark.line + 1 if mark is not None else "?"
        raise RuleError(f"{name}:{line}: malformed YAML: {exc.problem or exc}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise RuleError(f"{name}:{line}: malformed YAML: character {exc.character!r} is not allowed") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{name}: malformed YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return _check_shape(data, name, getattr(loader, "key_lines", {}))


def _check_shape(data: Any, name: str, lines: dict[Any, int]) -> dict[str, Any]:
    """The file is a mapping holding the keys the code reads, with the right types."""
    if not isinstance(data, dict):
        raise RuleError(f"{name}:1: a rule file must be a mapping at the top level")
    shape = SHAPES.get(Path(name).name, {})
    for key, typ in shape.items():
        if key not in data:
            raise RuleError(f"{name}: missing key {key!r} ({typ.__name__} expected)")
        if not isinstance(data[key], typ):
            raise RuleError(f"{name}:{lines.get(key, '?')}: {key!r} must be a {typ.__name__}, "
                            f"not {type(data[key]).__name__}")
    return data


@lru_cache(maxsize=None)
def load_rules(name: str) -> dict[str, Any]:
    """Load ``rules/<name>`` once per process."""
    path = rules_dir() / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RuleError(f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#04x})") from None
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
