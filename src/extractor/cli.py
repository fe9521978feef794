"""The ``vnextract`` command line (also ``python -m extractor``).

Exit codes: 0 when every input succeeded, 1 when some failed (each named on stderr and in
errors.jsonl, the rest still written), 2 on usage errors.

``extract`` is a thin layer over :func:`extractor.batch.run_batch`; ``tables`` over
:func:`extractor.tables.write_tables`.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from .normalise import DecodeError, decode_bytes
from .pipeline import Extractor, safe_doc_id

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Extract indicators, comparisons, organizations, officials and quotes from Vietnamese news.")


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def atomic_write(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def plan_inputs(paths: list[Path]) -> list[tuple[Path, Path, str]]:
    """(input file, output path relative to --out, source label) for every .txt given or found.

    The source label is the path below the folder given (or the file name), so outputs do not
    depend on the working directory.

    A folder's tree is mirrored (``in/a/0001.txt`` → ``a/0001.json``) so that same-named files
    in different folders never collide.
    """
    plan: list[tuple[Path, Path, str]] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*.txt")):
                if f.is_file():
                    rel = f.relative_to(p)
                    parts = [safe_doc_id(x) for x in rel.parent.parts]
                    plan.append((f, Path(*parts, safe_doc_id(f.stem) + ".json"), rel.as_posix()))
        else:
            plan.append((p, Path(safe_doc_id(p.stem) + ".json"), p.name))
    return plan


Jobs = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (Dask: workers of the LocalCluster). Default: every core.")]


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files (.txt, .jsonl, .jsonl.gz, .csv, .parquet), folders (walked recursively), or - for stdin.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for one JSON per document (mirrors the input tree).")] = None,
    jsonl: Annotated[Optional[str], typer.Option("--jsonl", help="Write one JSON Lines stream here instead (- for stdout).")] = None,
    clean: Annotated[bool, typer.Option(help="Remove .json files under --out that this run did not write or keep.")] = False,
    glob: Annotated[Optional[list[str]], typer.Option("--glob", "-g", help="Files to take from folders (repeatable). Default: *.txt.")] = None,
    input_format: Annotated[str, typer.Option("--input-format", "-f", help="auto (by extension), txt, jsonl, csv or parquet.")] = "auto",
    id_field: Annotated[str, typer.Option(help="Record field holding the document id.")] = "id",
    text_field: Annotated[str, typer.Option(help="Record field (or CSV/Parquet column) holding the text.")] = "text",
    title_field: Annotated[str, typer.Option(help="Record field holding the title.")] = "title",
    published_field: Annotated[str, typer.Option(help="Record field holding the publication date.")] = "published",
    url_field: Annotated[str, typer.Option(help="Record field holding the URL.")] = "url",
    max_chars: Annotated[int, typer.Option(min=0, help="Longer texts are errors (0: no limit).")] = 1_000_000,
    jobs: Jobs = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Documents per task sent to a worker.")] = 8,
    engine: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (tcp://host:8786); default: a LocalCluster.")] = None,
    force: Annotated[bool, typer.Option(help="Redo every document, ignoring what a previous run wrote.")] = False,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="Where to write errors.jsonl (default: in --out, or FILE.errors.jsonl beside --jsonl).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display and no summary.")] = False,
    progress_interval: Annotated[float, typer.Option(hidden=True)] = 10.0,
) -> None:
    """Extract articles: one JSON per document in --out, one JSON Lines stream with --jsonl, or stdin to stdout.

    Re-runs skip documents already written by the same rules and code; every bad record goes to
    errors.jsonl and the batch goes on (exit code 1 when any failed).
    """
    from .batch import BatchError, BatchOptions, FieldMap, PlainReporter, Reporter, RichReporter, run_batch

    if input_format not in ("auto", "txt", "jsonl", "csv", "parquet"):
        _err(f"error: --input-format must be auto, txt, jsonl, csv or parquet, not {input_format!r}")
        raise typer.Exit(2)
    if engine not in ("local", "dask"):
        _err(f"error: --engine must be local or dask, not {engine!r}")
        raise typer.Exit(2)
    if "-" in paths and paths != ["-"]:
        _err("error: '-' (stdin) cannot be mixed with files")
        raise typer.Exit(2)
    if paths == ["-"] and out is None and jsonl is None:
        if input_format in ("auto", "txt"):
            _extract_stdin()
            return
        jsonl = "-"
    if out is None and jsonl is None:
        _err("error: --out DIR or --jsonl FILE is required when extracting files")
        raise typer.Exit(2)
    if out is not None and jsonl is not None:
        _err("error: give either --out DIR or --jsonl FILE, not both")
        raise typer.Exit(2)
    if clean and out is None:
        _err("error: --clean only applies to --out DIR")
        raise typer.Exit(2)
    if jsonl is not None and jsonl != "-" and jsonl.endswith(".gz"):
        _err("error: --jsonl writes plain JSON Lines (so that a re-run can resume it); compress it afterwards")
        raise typer.Exit(2)
    if scheduler and engine != "dask":
        _err("error: --scheduler needs --engine dask")
        raise typer.Exit(2)

    _check_rules()
    opts = BatchOptions(
        globs=tuple(glob) if glob else ("*.txt",), input_format=input_format,
        fields=FieldMap(id=id_field, text=text_field, title=title_field, published=published_field, url=url_field),
        max_chars=max_chars or None, jobs=jobs, chunk_size=chunk_size, engine=engine, scheduler=scheduler,
        force=force, clean=clean, errors_path=errors,
    )
    reporter: Reporter
    if quiet:
        reporter = Reporter()
    elif sys.stderr.isatty():
        reporter = RichReporter()
    else:
        reporter = PlainReporter(progress_interval)
    try:
        res = run_batch(paths, out_dir=out, jsonl=jsonl, options=opts, reporter=reporter, echo=_err)
    except BatchError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2)
    except OSError as exc:  # the output cannot be written (disk full, permissions): stop
        _err(f"error: {exc}")
        raise typer.Exit(1)
    if not quiet:
        _err(f"vnextract: {res.summary()}")
    if res.failed:
        raise typer.Exit(1)


def _check_rules() -> None:
    """Load every rule file before any work starts: a damaged file stops the run here, naming
    the file and line, instead of failing each worker and every document."""
    from .rules import RuleError, load_rules, rule_files

    try:
        for p in rule_files():
            load_rules(p.name)
    except RuleError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2)


def _extract_stdin() -> None:
    """One article on stdin, its JSON on stdout (doc_id ``stdin``)."""
    data = sys.stdin.buffer.read()
    try:
        text = decode_bytes(data, "<stdin>")
    except DecodeError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    sys.stdout.write(Extractor().extract(text, doc_id="stdin").to_json())


@app.command()
def tables(
    outputs: Annotated[list[Path], typer.Argument(help="Outputs of extract: folders of JSON, .json or .jsonl(.gz) files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the tables (one file per table).")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    only: Annotated[Optional[list[str]], typer.Option("--table", "-t", help="Write only these tables (repeatable).")] = None,
) -> None:
    """Turn extraction outputs into tables: changes, quantities, organizations, officials, quotes, ..."""
    from .tables import TABLES, write_tables

    if fmt not in ("parquet", "csv"):
        _err(f"error: --format must be parquet or csv, not {fmt!r}")
        raise typer.Exit(2)
    names = list(only) if only else list(TABLES)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        _err(f"error: unknown table {', '.join(unknown)}; the tables are {', '.join(TABLES)}")
        raise typer.Exit(2)
    missing = [p for p in outputs if not p.exists()]
    if missing:
        _err(f"error: {missing[0]}: no such file or folder")
        raise typer.Exit(2)
    counts = write_tables(outputs, out, fmt=fmt, names=names)
    for name, (path, rows) in counts.items():
        print(f"{path}: {rows} rows")


@app.command()
def schema(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Print or write the JSON Schema of the output, generated from the models."""
    from .output import schema_text

    text = schema_text()
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write(out, text.encode("utf-8"))


def main() -> None:
    """Console entry point."""
    app()


def _register_commands() -> None:
    """Commands that live in their own modules (review: diff/show; evaluate: eval)."""
    from . import evaluate, review

    review.register(app)
    evaluate.register(app)


_register_commands()
