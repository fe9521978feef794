"""Rule files are loaded safely and a malformed one fails at load, naming the file and the line.

``extractor.rules.parse_rules`` is tested in-process (it is a pure function). Whole loads go through
``VNEXTRACT_RULES`` pointing at a damaged temporary copy of ``rules/``, in subprocesses, because
rule files are cached per process: one subprocess builds an ``Extractor`` for every damaged copy,
and the command itself is run on one damaged copy, serially and with a process pool.

Tests marked ``xfail(strict=True, reason="bug: ...")`` pin bugs; remove the mark with the fix.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from extractor.rules import RuleError, parse_rules

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"


# --------------------------------------------------------------------------- parse_rules, in-process
@pytest.mark.parametrize("tag", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/new:os.system ["touch {marker}"]',
    "!!python/object:os._wrap_close {{}}",
    "!!python/name:os.system",
    "!!python/module:os",
    '!!python/object/apply:builtins.exec ["open(\'{marker}\', \'w\')"]',
])
def test_python_tags_are_refused(tag: str, tmp_path: Path) -> None:
    """yaml.safe_load: no object is ever constructed, and the error names the file and the line."""
    marker = tmp_path / "pwned"
    text = "units:\n  - forms: [a]\nscales:\n  x: " + tag.format(marker=marker) + "\n"
    with pytest.raises(RuleError, match=r"^quantities\.yaml:4: malformed YAML: could not determine a constructor"):
        parse_rules(text, "quantities.yaml")
    assert not marker.exists()


@pytest.mark.parametrize("text,line", [
    ("a: 1\nb:\n  - x\n   c: 2\nd: 3\n", 4),                # bad indentation
    ("a: 1\nb: [x, y\nc: 2\n", 3),                           # unclosed [ : seen on the next line
    ("a: 1\nb:\n\t- x\n", 3),                                # a tab indents
    ("a: 1\nb: *nothing\n", 2),                              # undefined alias
    ("a: 1\nb: {x: 1\n", 3),                                 # unclosed { at the end of the file
    ("a: 1\n- b\n", 2),                                      # a list item inside a mapping
    ("a: 1\nb: @x\n", 2),                                    # reserved indicator
])
def test_malformed_yaml_names_file_and_line(text: str, line: int) -> None:
    with pytest.raises(RuleError) as info:
        parse_rules(text, "/x/rules/periods.yaml")
    assert str(info.value).startswith(f"/x/rules/periods.yaml:{line}: malformed YAML"), info.value


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n", "42\n", "null\n"])
def test_a_rule_file_must_be_a_mapping(text: str) -> None:
    with pytest.raises(RuleError, match=r"^r\.yaml:1: a rule file must be a mapping"):
        parse_rules(text, "r.yaml")


def test_bom_and_crlf_are_fine() -> None:
    assert parse_rules("\ufeffa: 1\r\nb: [x, y]\r\n", "r.yaml") == {"a": 1, "b": ["x", "y"]}


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(RuleError, match=r"^r\.yaml:3: "):
        parse_rules("units: [a]\nscales: {}\nunits: [b]\n", "r.yaml")


def test_unclosed_quote_names_the_line_where_it_opens() -> None:
    with pytest.raises(RuleError) as info:
        parse_rules('a: 1\nb: "abc\nc: 2\nd: 3\n', "r.yaml")
    assert re.search(r"r\.yaml:2\b", str(info.value)), info.value


def test_control_character_names_the_line() -> None:
    with pytest.raises(RuleError, match=r"^r\.yaml:2: "):
        parse_rules("a: 1\nb: \x07\n", "r.yaml")


# --------------------------------------------------------------------------- whole loads, in subprocesses
def _copy_rules(dst: Path) -> Path:
    shutil.copytree(RULES, dst)
    return dst


def _insert_line(path: Path, index: int, line: str) -> int:
    """Insert ``line`` before 0-based ``index``; returns its 1-based line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(index, line)
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


def _top_level_key_line(path: Path, key: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        if line.startswith(key + ":"):
            return i
    raise AssertionError(f"{key} not in {path}")


def _damage(root: Path, marker: Path) -> dict[str, tuple[Path, str | None]]:
    """Damaged copies of rules/: name -> (rules dir, the "file:line" the error must name)."""
    cases: dict[str, tuple[Path, str | None]] = {}

    d = _copy_rules(root / "bad_indent")
    i = _top_level_key_line(d / "quantities.yaml", "units")
    line = _insert_line(d / "quantities.yaml", i + 1, "\t- {unit: x, kind: count, forms: [x]}")  # a tab indents
    cases["bad_indent"] = (d, f"quantities.yaml:{line}")

    d = _copy_rules(root / "python_tag")
    p = d / "periods.yaml"
    p.write_text(p.read_text(encoding="utf-8").rstrip("\n") + f'\nevil: !!python/object/apply:os.system ["touch {marker}"]\n',
                 encoding="utf-8")
    cases["python_tag"] = (d, f"periods.yaml:{len(p.read_text(encoding='utf-8').splitlines())}")

    d = _copy_rules(root / "not_a_mapping")
    (d / "comparisons.yaml").write_text("- so với\n- so cùng kỳ\n", encoding="utf-8")
    cases["not_a_mapping"] = (d, "comparisons.yaml:1")

    d = _copy_rules(root / "missing_file")
    (d / "organizations.yaml").unlink()
    cases["missing_file"] = (d, "organizations.yaml")

    d = _copy_rules(root / "bom_crlf")
    p = d / "abbreviations.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    cases["bom_crlf"] = (d, None)  # loads fine

    d = _copy_rules(root / "missing_key")
    p = d / "indicators.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(re.sub(r"(?m)^directions:", "directionz:", text), encoding="utf-8")
    cases["missing_key"] = (d, "indicators.yaml")

    d = _copy_rules(root / "wrong_type")
    p = d / "quantities.yaml"
    i = _top_level_key_line(p, "units")
    lines = p.read_text(encoding="utf-8").split("\n")
    j = i + 1
    while j < len(lines) and (lines[j].startswith((" ", "\t", "#")) or not lines[j].strip()):
        j += 1
    p.write_text("\n".join(lines[:i] + ["units: 5"] + lines[j:]), encoding="utf-8")
    cases["wrong_type"] = (d, f"quantities.yaml:{i + 1}")

    d = _copy_rules(root / "bad_utf8")
    p = d / "quotes.yaml"
    lines = p.read_bytes().split(b"\n")
    lines.insert(3, b"# caf\xe9 in Latin-1")
    p.write_bytes(b"\n".join(lines))
    cases["bad_utf8"] = (d, "quotes.yaml:4")
    return cases


_LOADER = r"""
import json, os, sys
import extractor.rules as R
from extractor import Extractor
out = {}
for name, path in json.loads(sys.argv[1]).items():
    os.environ["VNEXTRACT_RULES"] = path
    R.load_rules.cache_clear()
    try:
        Extractor()
        out[name] = {"ok": True}
    except Exception as exc:
        out[name] = {"ok": False, "type": type(exc).__name__, "message": str(exc)}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("rules")
    marker = root / "pwned"
    cases = _damage(root, marker)
    r = subprocess.run([sys.executable, "-c", _LOADER, json.dumps({k: str(v[0]) for k, v in cases.items()})],
                       capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    results = json.loads(r.stdout)
    return {"cases": cases, "results": results, "marker": marker, "root": root}


def _assert_names(loads: dict, name: str) -> None:
    res = loads["results"][name]
    where = loads["cases"][name][1]
    assert not res["ok"], f"{name}: the damaged rules loaded"
    assert res["type"] == "RuleError", res
    assert where is not None and re.search(re.escape(where) + r"\b", res["message"]), (where, res["message"])


@pytest.mark.parametrize("name", ["bad_indent", "python_tag", "not_a_mapping", "missing_file"])
def test_damaged_rules_fail_at_load_naming_file_and_line(loads: dict, name: str) -> None:
    _assert_names(loads, name)
    assert str(loads["cases"][name][0]) in loads["results"][name]["message"], "the message names the full path"


def test_python_tag_in_a_rule_file_runs_nothing(loads: dict) -> None:
    assert not loads["marker"].exists()


def test_rule_file_with_bom_and_crlf_loads(loads: dict) -> None:
    assert loads["results"]["bom_crlf"] == {"ok": True}


def test_missing_key_names_the_file(loads: dict) -> None:
    _assert_names(loads, "missing_key")


def test_wrong_type_names_file_and_line(loads: dict) -> None:
    _assert_names(loads, "wrong_type")


def test_undecodable_rule_file_names_file_and_line(loads: dict) -> None:
    _assert_names(loads, "bad_utf8")


# --------------------------------------------------------------------------- the command
@lru_cache(maxsize=1)
def _has_jobs() -> bool:
    r = subprocess.run([sys.executable, "-m", "extractor", "extract", "--help"], capture_output=True, timeout=120)
    return b"--jobs" in r.stdout


def _cli(rules: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", "extract", *args], input=stdin, capture_output=True,
                          timeout=300, env={**os.environ, "VNEXTRACT_RULES": str(rules)})


def test_command_stops_on_damaged_rules(loads: dict, tmp_path: Path) -> None:
    """stdin to stdout: a non-zero exit, the file and line on stderr, nothing on stdout."""
    rules, where = loads["cases"]["bad_indent"]
    r = _cli(rules, "-", stdin="Giá tăng 2%.".encode())
    assert r.returncode != 0
    assert where in r.stderr.decode("utf-8", "replace")
    assert r.stdout == b""


def test_batch_with_workers_stops_on_damaged_rules(loads: dict, tmp_path: Path) -> None:
    if not _has_jobs():
        pytest.skip("the command has no --jobs")
    rules, where = loads["cases"]["bad_indent"]
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text("Giá tăng 2%.", encoding="utf-8")
    r = _cli(rules, str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), str(tmp_path / "c.txt"),
             "--out", str(tmp_path / "out"), "--jobs", "2")
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode != 0 and where in err, err
    assert "BrokenProcessPool" not in err and "worker failed" not in err, err
