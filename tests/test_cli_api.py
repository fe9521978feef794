"""The library API and the vnextract command: outputs, tree mirroring, stdin, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys

from extractor import Document, Extractor, extract


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", *args], input=stdin, capture_output=True)


def test_library_api_and_pipe_order() -> None:
    ex = Extractor()
    doc = ex.extract("Xuất khẩu tháng 3/2021 tăng 5% so với tháng trước.", doc_id="a/b", meta={"url": "u"})
    assert isinstance(doc, Document) and doc.doc_id == "a_b" and doc.meta.url == "u"
    assert json.loads(doc.to_json()) == doc.to_dict()
    texts = [f"Giá tăng {i}%." for i in range(1, 6)]
    seq = [d.quantities[0].number for d in ex.pipe(texts)]
    par = [d.quantities[0].number for d in ex.pipe([{"text": t, "id": str(i)} for i, t in enumerate(texts)], n_process=2)]
    assert seq == par == [1, 2, 3, 4, 5]
    assert extract("Giá tăng 2%.").quantities[0].number == 2


def test_extract_tree_mirrors_folders(tmp_path) -> None:
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "b").mkdir()
    (tmp_path / "in" / "a" / "0001.txt").write_text("Giá tăng 2%.", encoding="utf-8")
    (tmp_path / "in" / "b" / "0001.txt").write_text("Giá giảm 3%.", encoding="utf-8")
    r = run("extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    a = json.loads((tmp_path / "out" / "a" / "0001.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "out" / "b" / "0001.json").read_text(encoding="utf-8"))
    assert a["quantities"][0]["number"] == 2 and b["quantities"][0]["number"] == 3


def test_failures_are_named_and_the_rest_written(tmp_path) -> None:
    (tmp_path / "good.txt").write_text("Giá tăng 2%.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"Gi\xff")
    r = run("extract", str(tmp_path / "good.txt"), str(tmp_path / "bad.txt"), str(tmp_path / "none.txt"),
            "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "bad.txt" in err and "offset 2" in err and "none.txt" in err
    assert (tmp_path / "out" / "good.json").exists()


def test_stdin_to_stdout() -> None:
    r = run("extract", "-", stdin="Giá tăng 2%.".encode())
    assert r.returncode == 0
    assert json.loads(r.stdout)["quantities"][0]["text"] == "2%"


def test_usage_errors_exit_2(tmp_path) -> None:
    assert run("extract", str(tmp_path)).returncode == 2  # no --out
    assert run("extract", "--bogus").returncode == 2
    assert run("--help").returncode == 0 and run("extract", "--help").returncode == 0
