"""The ``vnextract`` command line (also ``python -m extractor``).

Exit codes: 0 when every input succeeded, 1 when some failed (each named on stderr, the rest
still written), 2 on usage errors.
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


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Text files, folders of .txt files, or - for stdin.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for the JSON outputs.")] = None,
    clean: Annotated[bool, typer.Option(help="Remove .json files under --out that this run did not write.")] = False,
) -> None:
    """Extract articles into one JSON file each (``DIR/<doc_id>.json``), or stdin to stdout."""
    extractor = Extractor()
    if paths == ["-"]:
        data = sys.stdin.buffer.read()
        try:
            text = decode_bytes(data, "<stdin>")
        except DecodeError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(1)
        sys.stdout.write(extractor.extract(text, doc_id="stdin").to_json())
        return
    if "-" in paths:
        _err("error: '-' (stdin) cannot be mixed with files")
        raise typer.Exit(2)
    if out is None:
        _err("error: --out DIR is required when extracting files")
        raise typer.Exit(2)
    missing = [p for p in paths if not Path(p).exists()]
    failed = 0
    for p in missing:
        _err(f"error: {p}: no such file or folder")
        failed += 1
    plan = plan_inputs([Path(p) for p in paths if Path(p).exists()])
    seen: dict[Path, Path] = {}
    written: set[Path] = set()
    for src, rel, label in plan:
        if rel in seen:
            _err(f"error: {src}: output {rel} collides with {seen[rel]}; skipped")
            failed += 1
            continue
        seen[rel] = src
        try:
            text = decode_bytes(src.read_bytes(), str(src))
            doc = extractor.extract(text, doc_id=rel.stem, meta={"source": label})
            atomic_write(out / rel, doc.to_json().encode("utf-8"))
            written.add((out / rel).resolve())
        except (OSError, DecodeError, ValueError) as exc:
            _err(f"error: {src}: {exc}")
            failed += 1
    if clean and out.exists():
        for f in out.rglob("*.json"):
            if f.resolve() not in written:
                f.unlink()
    if failed:
        _err(f"{failed} of {len(plan) + len(missing)} inputs failed")
        raise typer.Exit(1)


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
