"""Batch processing (issue 6): input formats, outputs, errors.jsonl, resume after SIGKILL, order,
tables, and the Dask engine's equality with the local one.

Most runs are in-process with the session Extractor (``jobs=1``, or ``jobs=2`` whose forked
workers inherit it); the command line is run as a subprocess where its behaviour is the point
(exit codes, stderr, SIGKILL).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import orjson
import pandas as pd
import pytest

from extractor import batch
from extractor.batch import BatchError, BatchOptions, FieldMap, run_batch
from extractor.output import to_bytes
from extractor.pipeline import safe_doc_id
from extractor.tables import COLUMNS, TABLES, tables, write_tables

ROOT = Path(__file__).resolve().parents[1]
ALL = ("*.txt", "*.jsonl", "*.jsonl.gz", "*.csv", "*.parquet")


def cli(*args: str, stdin: bytes | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", *args], input=stdin, capture_output=True, **kw)


def tree(root: Path, pattern: str = "*.json") -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob(pattern)) if p.is_file()}


def jlines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def text(i: int) -> str:
    return f"Giá tăng {i}% so với tháng trước."


def long_text(i: int) -> str:
    """About 10 ms of extraction: enough to kill a run in the middle."""
    return " ".join(f"Giá mặt hàng {j} tăng {i + j},5% so với tháng trước và giảm {j + 1}% so với cùng kỳ năm 2020."
                    for j in range(8))


@contextmanager
def same_code():
    """Subprocesses import the code as it is on disk; this process imported it at start. When the
    rules or the code are edited meanwhile (never in CI), outputs may rightly differ: skip then."""
    def changed() -> bool:
        return batch._compute_version() != batch.pipeline_version()

    if changed():
        pytest.skip("the rules or the extraction code changed since this test session started")
    try:
        yield
    except AssertionError:
        if changed():
            pytest.skip("the rules or the extraction code changed while this test ran")
        raise


def opts(**kw) -> BatchOptions:
    kw.setdefault("jobs", 1)
    return BatchOptions(**kw)


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """One folder with every input format (and one file of each nested one level down)."""
    a = tmp_path / "archive"
    (a / "2021" / "01").mkdir(parents=True)
    (a / "2021" / "01" / "0001.txt").write_text(text(1), encoding="utf-8")
    (a / "2021" / "0002.txt").write_bytes("\ufeff".encode() + text(2).encode())  # BOM
    (a / "0003.txt").write_bytes(text(3).encode("utf-16"))
    recs = [
        {"id": "vn/1", "title": "Giá", "text": text(4), "published": "2021-02-01", "url": "http://x/1", "tags": ["giá"]},
        {"id": 5, "text": text(5), "section": "kinh tế"},
        {"text": text(6)},
    ]
    (a / "2021" / "news.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs) + b"\n")
    with gzip.open(a / "feed.jsonl.gz", "wb") as fh:
        fh.write(orjson.dumps({"id": "gz-1", "text": text(7)}) + b"\n")
    (a / "table.csv").write_text('id,title,text,published\nc1,"Tựa, có phẩy",' + f'"{text(8)}\nDòng hai.",2021-03-04\n'
                                 f"c2,,{text(9)},\n", encoding="utf-8")
    pd.DataFrame({"id": ["p1", "p2"], "text": [text(10), text(11)], "views": [3, 4]}).to_parquet(a / "rows.parquet")
    (a / "notes.md").write_text("không phải bài báo", encoding="utf-8")
    return a


# --- inputs and outputs -------------------------------------------------------------------------


def test_every_input_format_into_a_mirrored_tree(archive: Path, tmp_path: Path, extractor) -> None:
    out = tmp_path / "out"
    res = run_batch([archive], out_dir=out, options=opts(globs=ALL), extractor=extractor)
    assert (res.read, res.written, res.skipped, res.failed) == (11, 11, 0, 0)
    assert res.errors_path is None and not (out / "errors.jsonl").exists()
    got = tree(out)
    assert sorted(got) == sorted([
        "0003.json", "2021/0002.json", "2021/01/0001.json", "2021/news/vn_1.json", "2021/news/5.json",
        "2021/news/news-3.json", "feed/gz-1.json", "table/c1.json", "table/c2.json", "rows/p1.json", "rows/p2.json"])
    docs = {k: json.loads(v) for k, v in got.items()}
    assert docs["2021/01/0001.json"]["meta"]["source"] == "2021/01/0001.txt"
    assert docs["0003.json"]["quantities"][0]["number"] == 3  # UTF-16 with BOM
    d = docs["2021/news/vn_1.json"]
    assert d["doc_id"] == "vn_1" and d["meta"] == {"title": "Giá", "published": "2021-02-01", "source": None,
                                                    "url": "http://x/1", "tags": ["giá"]}
    assert docs["2021/news/5.json"]["meta"]["section"] == "kinh tế"
    c1 = docs["table/c1.json"]
    assert c1["meta"]["title"] == "Tựa, có phẩy" and c1["meta"]["published"] == "2021-03-04"
    assert c1["text_sha256"] == hashlib.sha256(f"{text(8)}\nDòng hai.".encode()).hexdigest()
    assert docs["table/c2.json"]["meta"]["title"] is None
    assert docs["rows/p2.json"]["meta"]["views"] == 4 and docs["rows/p2.json"]["quantities"][0]["number"] == 11


def test_txt_outputs_are_those_of_the_extractor(archive: Path, tmp_path: Path, extractor) -> None:
    """The batch writes what Extractor.extract writes (outputs/ of `make run` stay byte-identical)."""
    run_batch([archive / "2021"], out_dir=tmp_path / "out", options=opts(), extractor=extractor)
    want = extractor.extract(text(1), doc_id="0001", meta={"source": "01/0001.txt"})
    assert (tmp_path / "out" / "01" / "0001.json").read_bytes() == to_bytes(want)
    run_batch([archive / "2021"], jsonl=tmp_path / "o.jsonl", options=opts(), extractor=extractor)
    lines = (tmp_path / "o.jsonl").read_bytes().splitlines(keepends=True)
    assert [orjson.loads(x)["doc_id"] for x in lines] == ["0002", "0001"]  # sorted paths: 0002.txt < 01/
    assert lines[1] == orjson.dumps(want.to_dict()) + b"\n"


def test_field_names_are_options_and_other_fields_go_to_meta(tmp_path: Path, extractor) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps({"ma": "A 1", "noi_dung": text(1), "tieu_de": "T", "ngay": 20210201,
                                  "title": "ignored: the mapped field wins", "nguon": "vnexpress"}) + b"\n")
    f = FieldMap(id="ma", text="noi_dung", title="tieu_de", published="ngay")
    run_batch([src], jsonl=tmp_path / "o.jsonl", options=opts(fields=f), extractor=extractor)
    (d,) = jlines(tmp_path / "o.jsonl")
    assert d["doc_id"] == "A_1"
    assert d["meta"] == {"title": "T", "published": "20210201", "source": None, "url": None, "nguon": "vnexpress"}


def test_stdin_as_json_lines(tmp_path: Path, extractor, monkeypatch) -> None:
    data = b"".join(orjson.dumps({"id": f"s{i}", "text": text(i)}) + b"\n" for i in range(1, 4))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    res = run_batch(["-"], jsonl=tmp_path / "o.jsonl", options=opts(input_format="jsonl"), extractor=extractor)
    assert res.written == 3
    assert [d["doc_id"] for d in jlines(tmp_path / "o.jsonl")] == ["s1", "s2", "s3"]


def test_collisions_are_reported_never_overwritten(tmp_path: Path, extractor) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [
        {"id": "a/b", "text": text(1)}, {"id": "a_b", "text": text(2)}, {"id": "c", "text": text(3)}]))
    out = tmp_path / "out"
    res = run_batch([src], out_dir=out, options=opts(), extractor=extractor)
    assert (res.written, res.failed) == (2, 1)
    assert json.loads((out / "in" / "a_b.json").read_text())["quantities"][0]["number"] == 1  # the first kept
    (e,) = jlines(out / "errors.jsonl")
    assert e["reason"] == "collision" and e["line"] == 2 and e["output"] == "in/a_b.json"
    assert f"{src}:1" in e["message"]
    # a second run reports it again and still keeps the first
    res = run_batch([src], out_dir=out, options=opts(), extractor=extractor)
    assert (res.written, res.skipped, res.failed) == (0, 2, 1)


# --- errors -------------------------------------------------------------------------------------


def test_bad_records_go_to_errors_jsonl_and_the_batch_goes_on(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(text(1), encoding="utf-8")
    (d / "bad.txt").write_bytes(b"Gi\xff t\xe1ng")
    (d / "empty.txt").write_text("  \n", encoding="utf-8")
    lines = [orjson.dumps({"id": "ok", "text": text(2)}), b'{"id": "broken", "text": ', orjson.dumps({"id": "nt"}),
             orjson.dumps({"id": "long", "text": text(3) * 10}), b'{"id": "b", "text": "Gi\xff"}', b"[1, 2]",
             orjson.dumps({"id": "num", "text": 5})]
    (d / "recs.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (d / "rows.csv").write_bytes(b"id,text\nr1,Gi\xffa\nr2," + text(4).encode() + b"\n")
    out = tmp_path / "out"
    r = cli("extract", str(d), str(tmp_path / "missing.txt"), "--out", str(out), "-g", "*.txt", "-g", "*.jsonl",
            "-g", "*.csv", "--max-chars", "200", "--jobs", "1", "--progress-interval", "0")
    assert r.returncode == 1, r.stderr
    err = r.stderr.decode()
    errors = jlines(out / "errors.jsonl")
    got = [(e["reason"], Path(e["file"]).name, e.get("line"), e.get("offset")) for e in errors]
    assert got == [
        ("decode_error", "bad.txt", None, 2),
        ("empty_text", "empty.txt", None, None),
        ("malformed_json", "recs.jsonl", 2, None),
        ("missing_text", "recs.jsonl", 3, None),
        ("too_long", "recs.jsonl", 4, None),
        ("decode_error", "recs.jsonl", 5, 23),
        ("bad_record", "recs.jsonl", 6, None),
        ("bad_record", "recs.jsonl", 7, None),
        ("decode_error", "rows.csv", 2, 2),
        ("not_found", "missing.txt", None, None),
    ]
    assert all(e["message"] for e in errors)
    assert sorted(tree(out)) == ["good.json", "recs/ok.json", "rows/r2.json"]
    assert "bad.txt" in err and "offset 2" in err and "missing.txt" in err
    assert "vnextract: read 13, written 3, skipped 0, failed 10" in err
    assert "docs/s" in err  # plain progress lines: stderr is not a terminal
    # --quiet: no progress, no summary; the errors are still named; the good ones are skipped now
    r = cli("extract", str(d), "--out", str(out), "-q", "--max-chars", "200", "--progress-interval", "0")
    assert r.returncode == 1
    assert "docs/s" not in r.stderr.decode() and "vnextract:" not in r.stderr.decode()
    assert [e["reason"] for e in jlines(out / "errors.jsonl")] == ["decode_error", "empty_text"]


def test_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(text(1), encoding="utf-8")
    assert cli("extract", str(tmp_path), "--out", str(tmp_path / "o"), "--jsonl", str(tmp_path / "o.jsonl")).returncode == 2
    assert cli("extract", str(tmp_path), "--jsonl", str(tmp_path / "o.jsonl.gz")).returncode == 2
    assert cli("extract", str(tmp_path), "--out", str(tmp_path / "o"), "--engine", "spark").returncode == 2


def test_one_run_per_output_at_a_time(tmp_path: Path) -> None:
    first = batch._DirSink(tmp_path / "out", "v", False)
    try:
        with pytest.raises(BatchError, match="another vnextract"):
            batch._DirSink(tmp_path / "out", "v", False)
    finally:
        first.close()
    first = batch._JsonlSink(tmp_path / "o.jsonl", "v", False)
    try:
        with pytest.raises(BatchError, match="another vnextract"):
            batch._JsonlSink(tmp_path / "o.jsonl", "v", False)
    finally:
        first.close()


# --- resume -------------------------------------------------------------------------------------


def test_rerun_skips_done_documents_and_redoes_changed_ones(tmp_path: Path, extractor, monkeypatch) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for i in range(1, 6):
        (d / f"{i}.txt").write_text(text(i), encoding="utf-8")
    out = tmp_path / "out"
    assert run_batch([d], out_dir=out, options=opts(), extractor=extractor).written == 5
    first = tree(out)
    res = run_batch([d], out_dir=out, options=opts(), extractor=extractor)
    assert (res.read, res.written, res.skipped) == (5, 0, 5)
    (d / "3.txt").write_text(text(33), encoding="utf-8")
    res = run_batch([d], out_dir=out, options=opts(), extractor=extractor)
    assert (res.written, res.skipped) == (1, 4)
    assert json.loads((out / "3.json").read_text())["quantities"][0]["number"] == 33
    (out / "4.json").unlink()  # an output removed by hand is redone
    assert run_batch([d], out_dir=out, options=opts(), extractor=extractor).written == 1
    assert run_batch([d], out_dir=out, options=opts(force=True), extractor=extractor).written == 5
    monkeypatch.setattr(batch, "_VERSION", "other-rules")  # new rules or code: everything is redone
    assert run_batch([d], out_dir=out, options=opts(), extractor=extractor).written == 5
    assert tree(out)["1.json"] == first["1.json"]
    # --clean removes outputs whose input is gone
    (d / "5.txt").unlink()
    run_batch([d], out_dir=out, options=opts(clean=True), extractor=extractor)
    assert sorted(tree(out)) == ["1.json", "2.json", "3.json", "4.json"]


def test_jsonl_rerun_keeps_the_matching_prefix(tmp_path: Path, extractor) -> None:
    src = tmp_path / "in.jsonl"

    def write(texts: dict[str, str]) -> None:
        src.write_bytes(b"".join(orjson.dumps({"id": k, "text": v}) + b"\n" for k, v in texts.items()))

    texts = {f"d{i}": text(i) for i in range(1, 7)}
    write(texts)
    o = tmp_path / "o.jsonl"
    assert run_batch([src], jsonl=o, options=opts(), extractor=extractor).written == 6
    res = run_batch([src], jsonl=o, options=opts(), extractor=extractor)
    assert (res.written, res.skipped) == (0, 6)
    texts["d4"] = text(44)
    write(texts)
    res = run_batch([src], jsonl=o, options=opts(), extractor=extractor)
    assert (res.written, res.skipped) == (3, 3)  # a stream is rewritten from the first change on
    fresh = tmp_path / "fresh.jsonl"
    run_batch([src], jsonl=fresh, options=opts(), extractor=extractor)
    assert o.read_bytes() == fresh.read_bytes()
    del texts["d6"]
    write(texts)
    res = run_batch([src], jsonl=o, options=opts(), extractor=extractor)
    assert (res.written, res.skipped) == (0, 5) and len(jlines(o)) == 5
    with o.open("ab") as fh:  # a line torn by a crash is dropped and redone
        fh.write(b'{"schema_version":"1.0","doc_id":"d')
    texts["d6"] = text(6)
    write(texts)
    res = run_batch([src], jsonl=o, options=opts(), extractor=extractor)
    assert (res.written, res.skipped) == (1, 5)
    run_batch([src], jsonl=fresh, options=opts(force=True), extractor=extractor)
    assert o.read_bytes() == fresh.read_bytes()


def _kill_when(cmd: list[str], ready, timeout: float = 60) -> int:
    """Run ``cmd`` and SIGKILL its whole process group as soon as ``ready()``; its return code."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while p.poll() is None and time.monotonic() < deadline:
            if ready():
                os.killpg(p.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        return p.wait(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("big") / "news.jsonl"
    bad = {57: b'{"id": "x57", "text": ', 101: orjson.dumps({"id": "x101", "text": ""})}
    src.write_bytes(b"".join(bad.get(i, orjson.dumps({"id": f"x{i}", "text": long_text(i)})) + b"\n"
                             for i in range(180)))
    return src


def test_sigkill_then_rerun_gives_the_uninterrupted_outputs(big_jsonl: Path, tmp_path: Path, extractor) -> None:
    with same_code():
        ref = tmp_path / "ref"
        full = run_batch([big_jsonl], out_dir=ref, options=opts(jobs=2), extractor=extractor)
        assert (full.written, full.failed) == (178, 2)
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "extractor", "extract", str(big_jsonl), "--out", str(out), "-j", "2", "-q",
               "--chunk-size", "4"]
        count = lambda: sum(1 for _ in (out / "news").glob("*.json")) if (out / "news").exists() else 0  # noqa: E731
        assert _kill_when(cmd, lambda: count() >= 15) == -signal.SIGKILL
        n1 = count()
        assert 15 <= n1 < 178
        assert _kill_when(cmd, lambda: count() >= n1 + 40) == -signal.SIGKILL  # killed again while resuming
        n2 = count()
        assert n1 < n2 < 178
        res = run_batch([big_jsonl], out_dir=out, options=opts(jobs=2), extractor=extractor)
        assert res.skipped >= n2 - 8 and res.written + res.skipped == 178 and res.failed == 2
        got, want = tree(out, "*"), tree(ref, "*")
        assert got.pop(batch.STATE_NAME) and want.pop(batch.STATE_NAME)  # the resume state itself differs
        assert got == want  # every output and errors.jsonl; no temporary file left behind


def test_sigkill_then_rerun_gives_the_uninterrupted_stream(big_jsonl: Path, tmp_path: Path, extractor) -> None:
    with same_code():
        ref = tmp_path / "ref.jsonl"
        run_batch([big_jsonl], jsonl=ref, options=opts(jobs=2), extractor=extractor)
        out = tmp_path / "out.jsonl"
        cmd = [sys.executable, "-m", "extractor", "extract", str(big_jsonl), "--jsonl", str(out), "-j", "2", "-q",
               "--chunk-size", "4"]
        size = lambda: out.stat().st_size if out.exists() else 0  # noqa: E731
        assert _kill_when(cmd, lambda: size() >= ref.stat().st_size // 6) == -signal.SIGKILL
        assert 0 < size() < ref.stat().st_size
        res = run_batch([big_jsonl], jsonl=out, options=opts(jobs=2), extractor=extractor)
        assert res.skipped >= 20 and res.written + res.skipped == 178
        assert out.read_bytes() == ref.read_bytes()
        assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "ref.errors.jsonl").read_bytes()
        ids = [d["doc_id"] for d in jlines(out)]
        assert ids == [f"x{i}" for i in range(180) if i not in (57, 101)]  # input order, nothing twice


# --- parallel order -----------------------------------------------------------------------------


def test_parallel_results_come_in_input_order(tmp_path: Path, extractor) -> None:
    src = tmp_path / "in.jsonl"
    # uneven work, so that chunks finish out of order
    src.write_bytes(b"".join(orjson.dumps({"id": f"r{i}", "text": long_text(i) if i % 7 == 0 else text(i)}) + b"\n"
                             for i in range(60)))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch([src], jsonl=one, options=opts(jobs=1), extractor=extractor)
    run_batch([src], jsonl=two, options=opts(jobs=2, chunk_size=3), extractor=extractor)
    assert [d["doc_id"] for d in jlines(two)] == [f"r{i}" for i in range(60)]
    assert one.read_bytes() == two.read_bytes()


# --- tables -------------------------------------------------------------------------------------


def test_tables_from_a_folder_and_from_a_stream(tmp_path: Path, extractor) -> None:
    src = tmp_path / "in.jsonl"
    recs = [{"id": "a", "text": "Chỉ số sản xuất công nghiệp tháng 1 ước giảm 1% so với tháng 12/2020 nhưng tăng "
                                "34,5% so với tháng 1/2020."},
            {"id": "b", "text": text(2), "published": "2021-02-01"},
            {"id": "c", "text": 'Ông Nguyễn Văn An, Giám đốc Sở Công Thương TP.HCM, cho biết: "Giá tăng 2%."'}]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    run_batch([src], out_dir=tmp_path / "out", options=opts(), extractor=extractor)
    run_batch([src], jsonl=tmp_path / "o.jsonl", options=opts(), extractor=extractor)
    t = tables(tmp_path / "out")
    s = tables(tmp_path / "o.jsonl")
    assert set(t) == set(TABLES)
    for name in TABLES:
        assert list(t[name].columns) == list(COLUMNS[name])
        pd.testing.assert_frame_equal(t[name], s[name])
    ch = t["changes"]
    a = ch[ch.doc_id == "a"].reset_index(drop=True)
    assert list(a.direction) == ["decrease", "increase"] and list(a.amount) == [1, 34.5]
    assert list(a.comparison_kind) == ["previous_period", "same_period_last_year"]
    assert list(a.comparison_period_year) == [2020, 2020] and list(a.comparison_period_month) == [12, 1]
    assert bool(a.estimated[0]) and a.indicator_name[0] == "Chỉ số sản xuất công nghiệp" and a.period[0] == "tháng 1"
    assert a.amount_text[0] == recs[0]["text"][a.amount_start[0]:a.amount_end[0]]
    assert set(t["quantities"].doc_id) == {"a", "b", "c"}
    assert t["documents"].set_index("doc_id").loc["b", "published"] == "2021-02-01"
    assert {"quotes", "officials", "organizations"} <= set(t)
    # the command: Parquet and CSV, read back the same
    r = cli("tables", str(tmp_path / "out"), "--out", str(tmp_path / "pq"))
    assert r.returncode == 0, r.stderr
    r = cli("tables", str(tmp_path / "o.jsonl"), "--out", str(tmp_path / "csv"), "--format", "csv", "-t", "changes")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["changes.csv"]
    pq_changes = pd.read_parquet(tmp_path / "pq" / "changes.parquet")
    assert list(pq_changes.columns) == list(COLUMNS["changes"]) and len(pq_changes) == len(ch)
    csv_changes = pd.read_csv(tmp_path / "csv" / "changes.csv")
    assert list(csv_changes.amount) == list(ch.amount)
    # empty outputs still give every column
    empty = write_tables([], tmp_path / "empty", fmt="parquet")
    assert all(rows == 0 for _, rows in empty.values())
    assert list(pd.read_parquet(tmp_path / "empty" / "quotes.parquet").columns) == list(COLUMNS["quotes"])


# --- Dask ---------------------------------------------------------------------------------------

_DASK_SCRIPT = textwrap.dedent("""
    import logging, sys
    from dask.distributed import LocalCluster
    from extractor.batch import BatchOptions, run_batch

    src, out, stream = sys.argv[1:4]
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    try:
        o = BatchOptions(engine="dask", scheduler=cluster.scheduler_address, chunk_size=3,
                         globs=("*.txt", "*.jsonl"))
        a = run_batch([src], out_dir=out, options=o)
        b = run_batch([src], jsonl=stream, options=o)
        print(a.written, a.failed, b.written, b.failed)
    finally:
        cluster.close()
""")


def test_dask_engine_writes_what_the_local_engine_writes(tmp_path: Path, extractor) -> None:
    pytest.importorskip("dask.distributed")
    with same_code():
        src = tmp_path / "in"
        (src / "sub").mkdir(parents=True)
        for i in range(6):
            (src / "sub" / f"{i}.txt").write_text(text(i), encoding="utf-8")
        (src / "bad.txt").write_bytes(b"\xff")
        (src / "recs.jsonl").write_bytes(b"".join(orjson.dumps({"id": f"j{i}", "text": long_text(i)}) + b"\n"
                                                  for i in range(14)) + b"{oops\n")
        local = run_batch([src], out_dir=tmp_path / "local", options=opts(globs=("*.txt", "*.jsonl")), extractor=extractor)
        run_batch([src], jsonl=tmp_path / "local.jsonl", options=opts(globs=("*.txt", "*.jsonl")), extractor=extractor)
        r = subprocess.run([sys.executable, "-c", _DASK_SCRIPT, str(src), str(tmp_path / "dask"), str(tmp_path / "dask.jsonl")],
                           capture_output=True, timeout=300)
        assert r.returncode == 0, r.stderr.decode()[-3000:]
        assert r.stdout.decode().split() == [str(local.written), str(local.failed)] * 2
        assert tree(tmp_path / "dask", "*.json*") == tree(tmp_path / "local", "*.json*")
        assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
        assert (tmp_path / "dask.errors.jsonl").read_bytes() == (tmp_path / "local.errors.jsonl").read_bytes()
