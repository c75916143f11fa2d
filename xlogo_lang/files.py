"""Writing output files, with every error a `UsageError` naming the file the user asked for (a
full disk names no file by itself).

`output_file` checks an output file before any work is done (the commands' `--out`, and
`write_sft`'s): not a folder, not a file the command reads. `write_file` writes a file in one
go. `replaced_when_kept` writes it whole or not at all: new content goes to a temporary file
beside it, which replaces the file only when the writer says the content is worth keeping, so a
run that writes nothing worth keeping (an empty training file, a score of no prediction) or that
fails half way leaves an earlier file as it was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from .errors import UsageError, has_lone_surrogate


def json_line(obj: object) -> str:
    """`obj` as one line of JSON that any strict UTF-8 reader takes.

    A name or argument that was not UTF-8 reaches Python as lone surrogates, which
    `ensure_ascii=False` leaves as they are: a stream that writes them back as the original
    bytes (the usual `surrogateescape`) would put invalid UTF-8 in the middle of the JSON. Such
    a text is written with every non-ASCII character escaped instead."""
    text = json.dumps(obj, ensure_ascii=False)
    if has_lone_surrogate(text):
        text = json.dumps(obj)
    return text + "\n"


def cannot_write(path: Path, exc: OSError) -> UsageError:
    """The error for an output file that could not be written, naming it."""
    return UsageError(f"cannot write: {exc.strerror or exc}", file=str(path))


def make_folder(folder: Path, named: Path, what: str = "the folder") -> None:
    """`folder` and its parents, made if missing; a UsageError naming `named` (the file or
    folder the user asked for) and saying `what` could not be made, if they cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # "File exists" or "Not a directory" alone leave the user to find which part is a file
        blocker = next((p for p in (folder, *folder.parents) if p.is_file()), None)
        why = f"{blocker} is a file" if blocker is not None else exc.strerror or exc
        raise UsageError(f"cannot make {what}: {why}", file=str(named)) from None


def output_file(path: str | Path, *, reads: tuple[Path, ...] = (), option: str = "--out") -> Path:
    """The file a command is about to write, checked before any work is done: not a folder, not
    one of the files the command reads (opening it for writing would empty the input first), and
    its folder made if missing. A folder in `reads` (a task folder, a generated pool) protects
    the files directly in it, and any `.json` name there, which task readers would pick up."""
    if str(path) == "-":  # elsewhere `-` is a standard stream: never a file of that name
        raise UsageError(f"{option} - is not supported here: give a file name")
    out = Path(path)
    if out.is_dir():
        raise UsageError(f"{option} is a folder, not a file", file=str(out))
    for src in reads:
        if src.is_dir():
            inside = out.resolve().parent == src.resolve()
            if inside and (out.exists() or out.suffix == ".json"):
                raise UsageError(
                    f"{option} is in the folder {src} this command reads: choose another place",
                    file=str(out),
                )
        elif out.exists() and src.exists() and out.samefile(src):
            raise UsageError(
                f"{option} is the input file {src}: choose another file", file=str(out)
            )
    make_folder(out.parent, out, f"the folder for {option}")
    return out


def write_file(p: Path, data: bytes) -> None:
    try:
        p.write_bytes(data)
    except OSError as exc:
        raise cannot_write(p, exc) from None


def write_whole(path: Path, data: bytes) -> None:
    """`path` written whole or not at all, through a temporary file beside it that no error
    leaves behind (a full disk): a reader never sees half a file. An error names `path`, not
    the temporary file."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise cannot_write(path, exc) from None


@contextmanager
def replaced_when_kept(out: Path, keep: Callable[[], bool]) -> Iterator[IO[str]]:
    """A text file to write `out`'s new content into: a temporary file beside it (its folder
    made if missing), renamed over `out` at the end if `keep()` says so and removed otherwise,
    an exception included. An `out` that exists and is not a regular file (a device such as
    /dev/stdout, a pipe) cannot be renamed over, so it is written directly."""
    if out.exists() and not out.is_file():
        with _opened(out, out) as f:
            yield f
        return
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _opened(tmp, out) as f:
            yield f
        if keep():
            os.replace(tmp, out)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    finally:
        # on a read-only file system even removing a file that was never made fails (EROFS):
        # that must not replace the error that names `out`
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


@contextmanager
def _opened(path: Path, name: Path) -> Iterator[IO[str]]:
    """`path` open for writing; an error names `name`, the file the user asked for."""
    try:
        f = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise cannot_write(name, exc) from None
    with f:
        yield f
