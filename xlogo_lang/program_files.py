"""Reading a program from a file, as every command that takes one reads it.

`xlogo run FILE`, `check`, `fmt`, `solve --repair` and the REPL's `:run FILE` all read program
files here, so a file reads, and fails, the same everywhere: never more bytes than a program can
be (a file of gigabytes, or `/dev/zero`, is refused having read one byte more), decoded as UTF-8
whatever the locale, and a task file given where a program goes is named as one. Read as code
JSON a task is only a malformed program ("code JSON must have exactly one key"), while the
user's slip is the order of the arguments or the command (`:run` where `:load` was meant).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

from .errors import UsageError, not_utf8
from .parser import MAX_PROGRAM_CHARS, TOO_LONG_HINT
from .reading import read_capped

# The most bytes a program the parser takes can be (4 a character in UTF-8): a longer file is
# refused having read one byte more, where reading it whole could take all memory (/dev/zero).
MAX_PROGRAM_BYTES = 4 * MAX_PROGRAM_CHARS
TOO_LONG = (
    f"more than {MAX_PROGRAM_BYTES:,} bytes; xlogo reads programs of at most "
    f"{MAX_PROGRAM_CHARS:,} characters"
)


class ProgramTooLarge(UsageError):
    """A program file or stream past `MAX_PROGRAM_BYTES`, refused unread: a UsageError for the
    commands that run or print a program, and for `xlogo check` a problem of the program like
    one of 1,000,001 characters (a diagnostic), so that `check --json` has one shape for any
    input."""

    def __init__(self, message: str = TOO_LONG, *, file: str | None = None) -> None:
        super().__init__(message, file=file, hint=TOO_LONG_HINT)


# Keys only a task has: a program's code JSON has the one key "run".
_TASK_MARKS = frozenset({"turtle", "tiles", "items", "lines", "goal", "constraints"})


def read_program_file(path: Path, *, regular_only: bool = False) -> str:
    """The text of the program file `path`, line ends as they are (`fmt --check` compares
    them); `UsageError` naming the file when it cannot be read. Without `regular_only` a pipe
    (`<(cmd)`) is read as a stream; with it (where no one would give a pipe, and opening one
    would wait for a writer), only a regular file is read."""
    data = read_capped(
        path,
        MAX_PROGRAM_BYTES,
        UsageError,
        too_long=TOO_LONG,
        too_long_error=ProgramTooLarge,
        regular_only=regular_only,
    )
    return _decoded(data, file=str(path), prefix="cannot read: ")


def read_program_stream(fh: BinaryIO, name: str = "<stdin>") -> str:
    """The text of a program read from an open stream (`-` for stdin) under the same cap and
    decoding as a file's: a stream has no path for `UsageError` to name, so its messages start
    `cannot read <stdin>:`."""
    data = fh.read(MAX_PROGRAM_BYTES + 1)
    if len(data) > MAX_PROGRAM_BYTES:
        raise ProgramTooLarge(f"cannot read {name}: {TOO_LONG}")
    return _decoded(data, file=None, prefix=f"cannot read {name}: ")


def _decoded(data: bytes, *, file: str | None, prefix: str) -> str:
    """UTF-8 whatever the locale, so a program reads the same on every machine."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(prefix + not_utf8(exc), file=file) from None


def looks_like_task(text: str) -> bool:
    """Whether program text is a task file: a JSON object with a task's keys and no "run"."""
    if len(text) > MAX_PROGRAM_CHARS or not text.lstrip().startswith("{"):
        return False  # too long to be either: the parser refuses it without decoding it
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON at all: the parser says what is wrong
        return False
    return isinstance(data, dict) and "run" not in data and not _TASK_MARKS.isdisjoint(data)
