"""Reading input files with bounds: what a path names is checked before it is read, and no more
is read than the reader can use.

A path may name anything: a FIFO blocks forever when opened for reading (until some process
writes to it), `/dev/zero` never ends, and a file of gigabytes in one line is read whole by
`read_bytes` or `readline`. So a task is read only from a regular file, checked on the open file
itself (opened without blocking, then `fstat`) so that no file can be swapped in between, and
every read has a cap: a file or line longer than its cap is refused, having read one byte more
than the cap and no more.

The caps are far above any real input. The largest file of the reference data is its worlds
file (about 210 KB, every task's world); a task file is capped at `MAX_TASK_FILE_BYTES` (64 MiB,
300 times that). A program is at most `parser.MAX_PROGRAM_CHARS` characters, 4 bytes each at the
most in UTF-8. A line of JSON Lines (a prediction, a run's attempt, a generated task) is capped at
`MAX_LINE_BYTES` (64 MiB): a reply of a whole program written as JSON escapes (`\\uXXXX`, 6 bytes
a character) is 6 MB.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .errors import XlogoError

MAX_TASK_FILE_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024  # how much of an overlong line is read at a time to pass over it


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def cannot_open(exc: OSError) -> str:
    """Why a path could not be opened or read, in words: a missing file, a loop of symbolic
    links (which pathlib's `exists()` reports as missing) or the system's reason. Every reader
    words its OSError through this, so the same failure reads the same in every command."""
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.ELOOP:
        return "cannot read: a loop of symbolic links"
    return f"cannot read: {exc.strerror or exc}"


def open_input(path: Path, error: type[XlogoError], *, regular_only: bool = True) -> BinaryIO:
    """`path` opened for reading bytes, or `error` naming it. With `regular_only`, anything but
    a regular file is refused ("not a regular file: a named pipe (FIFO)"); the open itself never
    blocks (O_NONBLOCK), so a FIFO without a writer is refused, not waited on. Without it, a
    pipe or a device is read as a stream (`<(cmd)`, `/dev/stdin`), and only a folder is
    refused."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if regular_only:
        flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:  # Windows cannot open a folder; POSIX opens it and fstat says so
        raise error("not a regular file: a folder", file=str(path)) from None
    except OSError as exc:
        raise error(cannot_open(exc), file=str(path)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode) or (regular_only and not stat.S_ISREG(mode)):
            raise error(f"not a regular file: {_kind(mode)}", file=str(path))
        if regular_only and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(
    path: Path,
    limit: int,
    error: type[XlogoError],
    *,
    too_long: str,
    too_long_error: type[XlogoError] | None = None,
    regular_only: bool = True,
) -> bytes:
    """The bytes of `path`, at most `limit`: a longer file is refused with `too_long_error`
    (`error` unless given) saying `too_long`, having read `limit + 1` bytes of it (so
    `/dev/zero` or a sparse file of 100 GB costs no more than a file just over the cap)."""
    with open_input(path, error, regular_only=regular_only) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise error(cannot_open(exc), file=str(path)) from None
    if len(data) > limit:
        raise (too_long_error or error)(too_long, file=str(path))
    return data


BOM = b"\xef\xbb\xbf"


class Line(NamedTuple):
    """A line of a JSON Lines file as `capped_lines` reads it."""

    data: bytes | None  # its bytes (newline and a first line's BOM left out); None: too long
    size: int  # its length in the file, newline included: where the next line starts
    ended: bool  # whether a newline ends it (only the last line of a file can lack one)


def capped_lines(fh: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Each line of `fh`, split at "\\n" only (a reply's U+2028 is no line end). A line holding
    more than `limit` bytes comes with no data: it is passed over a chunk at a time, never held
    whole, and the reader reports it by its number and goes on. A UTF-8 byte-order mark in front
    of the first line (Notepad's) is left out, as the task reader leaves it out of a task file."""
    first = True
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        size, ended = len(raw), raw.endswith(b"\n")
        if not ended and size > limit:
            while not ended:
                more = fh.readline(_SKIP_CHUNK)
                if not more:
                    break
                size, ended = size + len(more), more.endswith(b"\n")
            yield Line(None, size, ended)
        else:
            if first and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            yield Line(raw[:-1] if ended else raw, size, ended)
        first = False


def line_too_long(limit: int = MAX_LINE_BYTES) -> str:
    """The words for a line `capped_lines` passed over."""
    return f"a line longer than {limit:,} bytes (the limit of a line), not read"
