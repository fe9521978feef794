"""Loading the rule files of ``rules/``: vocabulary and patterns are data, not code.

Files are YAML loaded with ``yaml.safe_load`` (no object construction), read once per process and
cached. A malformed file fails at load time with the file and line named, never later on an article.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import yaml

__all__ = ["RuleError", "rules_dir", "load_rules", "rule_files", "alternation", "flat_alternation"]


def flat_alternation(forms: Iterable[str]) -> str:
    """The plain alternation of vocabulary: each form escaped, longest first, so that "tăng
    trưởng" wins over "tăng" and the pattern never depends on the order of a rule file.

    The reference semantics of :func:`alternation`, which builds the same matcher faster."""
    return "|".join(re.escape(f) for f in sorted(set(forms), key=lambda f: (-len(f), f)))


def alternation(forms: Iterable[str], *, ignorecase: bool | None = None, not_after: str | None = None) -> str:
    r"""A regex alternation of vocabulary that matches exactly like :func:`flat_alternation`
    (longest form first, whatever the caller's pattern requires after it), built as a prefix trie.

    Why a trie: ``re`` tries a flat alternation's branches one by one at every position of the
    text, so a scan over 100 titles starts 100 branches per character; factored on common
    prefixes ("Phó (?:Giám đốc|Chủ tịch)") it follows only the branch the text takes.

    Why it matches the same: at one start the flat pattern offers the caller's continuation
    (``(?![\w])``, ``\s*$`` …) the candidate ends longest first. In the trie siblings start with
    different characters, so the text follows one path, and every node tries its longer
    continuations before ending there: the same ends, in the same order.

    ``ignorecase`` says how the caller compiles the pattern. ``False`` (no ``re.I``) and ``True``
    (``re.I``) give the smallest pattern for that flag only; the default ``None`` is right under
    both, for callers that do not say. What differs is siblings that ``re.I`` cannot tell apart
    ("Ban …" and "ban …"): see :func:`_emit`. tests/test_alternation.py checks all three against
    the flat pattern.

    ``not_after`` (a one-character class such as ``[\w]``) makes ``(?:alt)`` mean what
    ``(?<!not_after)(?:flat)`` means: each branch re-checks the character before it right after
    its first letter (``P(?<![\w]P)hó…``). A pattern that starts with literals lets ``re`` jump
    to the positions holding one of the first letters instead of trying every position; on the
    title scan that is a further 1.2–4× (surnames: 30 → 9 ms per corpus pass).
    """
    branches = _emit(sorted(set(forms)), ignorecase)
    if not_after is None:
        return "|".join(branches)
    branches = branches or [""]  # no forms: the flat "(?<!…)(?:)" still checks the position
    guarded = []
    for b in branches:
        k = 2 if b[:1] == "\\" else 1  # every branch starts with one escaped first character
        guarded.append(f"{b[:k]}(?<!{not_after}{b[:k]}){b[k:]}" if b else f"(?<!{not_after})")
    return "|".join(guarded)


@lru_cache(maxsize=None)
def _caseless(ch: str) -> re.Pattern[str]:
    """``ch`` as a one-character ``re.I`` pattern (what ``re`` itself counts as the same letter)."""
    return re.compile(re.escape(ch), re.I)


def _same_under_ignorecase(a: str, b: str) -> bool:
    return bool(_caseless(a).fullmatch(b) and _caseless(b).fullmatch(a))


try:  # re's own table of letters it equates beyond lower case ("s" and "ſ"); private, so optional
    from re._casefix import _EXTRA_CASES as _RE_EXTRA_CASES
except ImportError:  # pragma: no cover - other Python versions: ask re about every pair
    _RE_EXTRA_CASES = None


@lru_cache(maxsize=None)
def _plain_lower(ch: str) -> str | None:
    """``ch.lower()`` when that alone decides what ``re.I`` equates ``ch`` with (one character,
    not in re's table of extra cases); None when ``re`` must be asked."""
    low = ch.lower()
    if _RE_EXTRA_CASES is None or len(low) != 1 or ord(low) in _RE_EXTRA_CASES:
        return None
    return low


def _ignorecase_groups(chars: list[str]) -> list[list[str]]:
    """Sibling characters grouped by what ``re.I`` matches alike ("B" with "b", "Đ" with "đ").
    Plain letters are grouped by lower case (cheap: this runs for every trie node at start-up);
    if any is not plain, ``re`` itself is asked about every pair, so its special cases count."""
    lows = [_plain_lower(ch) for ch in chars]
    if None not in lows:
        by_low: dict[str | None, list[str]] = {}
        for ch, low in zip(chars, lows):
            by_low.setdefault(low, []).append(ch)
        return sorted(by_low.values(), key=lambda g: g[0])
    groups: list[list[str]] = []
    for ch in chars:
        low = ch.lower()
        hits = [g for g in groups if any(o.lower() == low or _caseless(ch).fullmatch(o) or _caseless(o).fullmatch(ch)
                                         for o in g)]
        merged = [c for g in hits for c in g] + [ch]
        groups = [g for g in groups if g not in hits] + [merged]
    return sorted(groups, key=lambda g: g[0])


def _emit(suffixes: list[str], ignorecase: bool | None) -> list[str]:
    """The branches (none with a top-level ``|``) matching ``suffixes`` (sorted, unique) in the
    flat order: the empty suffix, if any, last.

    Siblings that ``re.I`` equates ("Ban", "ban") could both match one text under ``re.I`` and the
    trie would then try all ends of the first before those of the second. With ``ignorecase=True``
    they are merged into one branch ("[Bb]an" as ``re.I`` sees it). With ``None`` the merged branch
    is guarded by a look-behind that only ``re.I`` lets re-read the same letter (``B(?<=b)an``;
    starting with the literal keeps ``re``'s quick skip of failing branches), followed by the exact
    branches for the case-sensitive reading. A group whose members are not all equal to
    each other under ``re.I`` is written flat, longest first, which is right either way."""
    branches: list[str] = []
    by_first: dict[str, list[str]] = {}
    for s in suffixes:
        if s:
            by_first.setdefault(s[0], []).append(s)
    groups = [[c] for c in by_first] if ignorecase is False else _ignorecase_groups(list(by_first))
    for group in groups:
        if len(group) == 1:
            branches.append(_branch(by_first[group[0]], ignorecase))
            continue
        members = [s for ch in group for s in by_first[ch]]
        if not all(_same_under_ignorecase(a, b) for a in group for b in group if a < b):
            branches += [re.escape(s) for s in sorted(members, key=lambda f: (-len(f), f))]
            continue
        merged = re.escape(group[0]) + _tail(_emit(sorted({s[1:] for s in members}), True))
        if ignorecase:
            branches.append(merged)
        else:  # the look-behind re-reads the first character: only re.I can take both
            branches.append(f"{re.escape(group[0])}(?<={re.escape(group[1])})" + merged[len(re.escape(group[0])):])
            branches += [_branch(by_first[ch], None) for ch in group]
    if suffixes and suffixes[0] == "":
        branches.append("")
    return branches


def _branch(members: list[str], ignorecase: bool | None) -> str:
    """One branch for suffixes sharing a first character: their common prefix, then the rest."""
    k = len(os.path.commonprefix(members))
    return re.escape(members[0][:k]) + _tail(_emit([s[k:] for s in members], ignorecase))


def _tail(rest: list[str]) -> str:
    """What follows a prefix: nothing, one continuation, or a group; ``(?:…|)`` when a form also
    ends at the prefix (a branch, cheaper in ``re`` than ``?`` on a group, same order)."""
    body = [b for b in rest if b]
    if not body:
        return ""
    if len(body) < len(rest):
        return "(?:" + "|".join(body) + "|)"
    return body[0] if len(body) == 1 else "(?:" + "|".join(body) + ")"


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
