"""The one exception hierarchy of xlogo.

Every error that bad input can cause is an `XlogoError` that knows where it happened (file,
line/column or JSON path) and can render itself with a caret excerpt. Callers at the edges (CLI,
REPL, eval harness) catch `XlogoError` and print `str(err)`; nothing else should escape the core
for bad input. Input that is legal but most likely a slip (a wall written on one tile only) is no
error: it loads, with a `TaskWarning` through `warnings.warn`, worded and located the same way.

Messages quote what they found, and what they found may be anything a model wrote: `shorten`
and `number_text` keep quoted tokens and numbers to a few dozen characters, and `caret_excerpt`
keeps the excerpt to one screen line, so an error about a 10 MB word is still one short line.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeAlias

# A file name as the readers take it: what an error names (`load_task` takes a Path too, so a
# caller hands the same Path on to `parse(text, filename=path)`)
FileName: TypeAlias = "str | os.PathLike[str]"

QUOTE_CHARS = 40
# Integers with more digits are never converted from text: Python refuses past its limit (4,300
# by default, 640 at the least, PYTHONINTMAXSTRDIGITS), and no count is anywhere near.
MAX_NUMBER_DIGITS = 640


def too_many_digits(digits: str) -> bool:
    """Whether an integer as written has more digits than xlogo ever converts: a count that long
    is out of range whatever it is, and converting it could raise."""
    return len(digits.lstrip("-+").lstrip("0")) > MAX_NUMBER_DIGITS


def digits_value(digits: str) -> int:
    """The count a run of digits (no sign: the grammar's INT) writes, once `too_many_digits` has
    said it is short enough: Python's conversion limit counts leading zeros too, so `0…03` with
    thousands of zeros is dropped to `3` first instead of raising ValueError."""
    return int(digits.lstrip("0") or "0")


class NestedTooDeeply(ValueError):
    """JSON nested deeper than Python's recursion limit lets `json.loads` read: raised by
    `load_json` in place of the RecursionError, which is no ValueError, so that a reader
    catching ValueError for bad JSON catches this too instead of ending in a traceback."""


def load_json(text: str | bytes, **kw: Any) -> Any:
    """`json.loads(text, **kw)`, the one way xlogo decodes JSON it reads: every failure is a
    ValueError (`NestedTooDeeply` for `[[[[…`), which `json_problem` words."""
    try:
        return json.loads(text, **kw)
    except RecursionError:
        raise NestedTooDeeply("nested too deeply") from None


def json_problem(exc: ValueError, *, at_column: bool = False) -> str:
    """What `json.loads` refused in a line: its syntax (`at_column`: with where), bytes that are
    not UTF-8 (a binary file read as lines), JSON nested too deeply (`load_json`), or an integer
    longer than Python converts (a plain ValueError, not a JSONDecodeError, so a reader that
    catches only the latter lets a model's 5,000-digit number end the run in a traceback)."""
    if isinstance(exc, NestedTooDeeply):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        msg = json_message(exc)
        return f"{msg} at column {json_place(exc)[1]}" if at_column else msg
    if isinstance(exc, UnicodeDecodeError):  # bytes that are not UTF-8: binary, or Latin-1 text
        return not_utf8(exc)
    return "an integer with too many digits"


_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}


def json_message(exc: json.JSONDecodeError) -> str:
    """`json`'s message in words that stand alone. Its C scanner says "Invalid control character
    at" and leaves the place to the position: the character, which a reader cannot see (a tab or
    a line break typed inside a string), is named instead, with how JSON writes it."""
    if exc.msg.startswith("Invalid control character"):
        char = exc.doc[exc.pos] if 0 <= exc.pos < len(exc.doc) else ""
        if char in ("\n", "\r") and not exc.doc[exc.pos :].strip():
            return "a string not closed before the end of the line"  # a JSON Lines line cut
        name = _CONTROL_NAMES.get(char, f"U+{ord(char):04X}" if char else "a control character")
        escape = json.dumps(char)[1:-1] if char else ""
        return f"{name} inside a string, which JSON writes as {escape}" if escape else name
    if exc.msg.startswith("Unterminated string"):  # "... starting at": the text ends in it
        return "a string not closed before the end of the " + (
            "file" if "\n" in exc.doc else "line"
        )
    if _trailing_comma(exc) is not None:
        return "a comma after the last element of a list or object (JSON has none: remove it)"
    if exc.msg.startswith("Expecting"):  # a value or a key expected: what is there instead?
        if not exc.doc.strip():
            return "no JSON value: the text is empty"
        found = exc.doc[exc.pos : exc.pos + 1]
        if found in ("/", "#"):
            return "a comment (JSON has none: remove it)"
        if found == "'":
            return "a string in single quotes; JSON writes strings in double quotes"
    return exc.msg.removesuffix(" at")


def _trailing_comma(exc: json.JSONDecodeError) -> int | None:
    """The offset of a comma that ends a list or object (`[1, 2,]`), or None. Python's reader
    (before 3.13) says only "Expecting value" at the bracket after it, which may stand lines
    below, while the comma is what to delete; 3.13 names it at the comma itself."""
    doc, pos = exc.doc, exc.pos
    if exc.msg.startswith("Illegal trailing comma"):
        return pos if doc[pos : pos + 1] == "," else None
    if not exc.msg.startswith("Expecting") or doc[pos : pos + 1] not in ("]", "}"):
        return None
    i = pos - 1
    while i >= 0 and doc[i] in " \t\r\n":  # JSON's blanks
        i -= 1
    return i if i >= 0 and doc[i] == "," else None


def json_place(exc: json.JSONDecodeError) -> tuple[int, int]:
    """The line and column to show a JSON syntax error at: where `json` puts it, but for a
    trailing comma the comma's place, lines are split as `source_lines` splits them."""
    comma = _trailing_comma(exc)
    if comma is None:
        return within_text(exc.doc, exc.lineno, exc.colno)
    return line_column(exc.doc, comma)


def not_utf8(exc: UnicodeDecodeError) -> str:
    """Bytes that are not UTF-8 text, in words, with the first bad byte and where it is; text
    saved as UTF-16 (Notepad's "Unicode") is named so, by the byte-order mark it starts with."""
    if exc.object[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
    return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Does `text` hold a lone surrogate, which no UTF-8 writer takes? JSON's `\\ud800` escape
    makes one, and so does an argument or file name that was not UTF-8 (`surrogateescape`)."""
    return _LONE_SURROGATE.search(text) is not None


def json_column(exc: ValueError) -> int | None:
    """The column of a JSON syntax error (None for a number too long to convert)."""
    return exc.colno if isinstance(exc, json.JSONDecodeError) else None


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` shortened and quoted as Python would print it: `'jump'`, `'fffff…'`."""
    return repr(shorten(text, limit))


def counted(n: int, noun: str) -> str:
    """A count in words, singular for one ("1 block", "2,048 blocks"): "1 blocks" reads as a
    slip in a message a learner or a reviewer reads."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def number_text(n: int) -> str:
    """An integer for a message: its digits, or the first ones and how many there are."""
    try:
        digits = str(n)
    except ValueError:  # more digits than Python converts (see MAX_NUMBER_DIGITS)
        return f"a number of about {int(n.bit_length() * 0.30103):,} digits"
    return digits_text(digits)


def digits_text(digits: str) -> str:
    """A number as written, for a message: `13`, or `11111111111111111111… (4,301 digits)`."""
    if len(digits) <= QUOTE_CHARS:
        return digits
    return f"{digits[:20]}… ({len(digits.lstrip('-+')):,} digits)"


_TYPOGRAPHIC_QUOTES = frozenset("“”„‟‘’‚‛«»‹›")


def odd_character(ch: str) -> tuple[str, str] | None:
    """The error (message, hint) for a character a reader cannot tell from an allowed one, or
    None: an invisible one (a zero-width space, a right-to-left mark: text copied from a web
    page or a document carries them, and a NUL byte), a typographic quote (a word processor's,
    around a colour), or a lone surrogate, which is no character of any text (JSON's `\\ud800`
    escape, or bytes that were not UTF-8, make one). Every reader of program text names them
    so, where they are."""
    import unicodedata

    name = unicodedata.name(ch, "")  # a control character has none: its code point alone
    code = f"U+{ord(ch):04X} {name}".strip()
    if ch in _TYPOGRAPHIC_QUOTES:
        return f"typographic quote {ch!r} ({name})", (
            'write straight quotes, setpc("red"), or none, setpc(red)'
        )
    category = unicodedata.category(ch)
    if category == "Cs":
        return f"lone surrogate {ch!r} ({code}), which is no character of any text", (
            "delete it (a JSON \\ud800 escape, or bytes that are not UTF-8, make one)"
        )
    if ch != "\t" and category in ("Cf", "Cc", "Zs", "Zl", "Zp"):
        return f"invisible character {ch!r} ({code})", (
            "delete it (text copied from a web page or a document often carries one)"
        )
    return None


_NEWLINE = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The lines of a program or file as the parser and editors count them: split at `\n`,
    `\r\n` and a lone `\r`, and nowhere else (`str.splitlines` also splits at form feeds and
    other separators that the grammar reads as spaces, which put excerpts on the wrong line)."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # the newline ending the last line starts no line of its own
    return [] if lines == [""] else lines


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of the character at `offset`, lines split as `source_lines`
    splits them (at `\\n`, `\\r\\n` and a lone `\\r`)."""
    line = len(_NEWLINE.findall(text, 0, offset)) + 1
    return line, offset - max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))


def within_text(text: str, line: int, column: int) -> tuple[int, int]:
    """A position inside `text`: Python's JSON reader puts an error at the end of a text ending
    in a newline on the empty line after it, which no editor shows; that is the end of the last
    line instead, where the text form reports the end of its input too."""
    lines = source_lines(text)
    if lines and line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, column


def caret_excerpt(text: str, line: int, column: int, width: int = 1) -> str:
    """The source line at `line` (1-based) with a caret under `column` (1-based)."""
    lines = source_lines(text)
    if not 1 <= line <= len(lines):
        return ""
    src = lines[line - 1]
    if len(src) > 120:  # keep excerpts of huge one-line inputs readable
        start = max(0, column - 60)
        src = src[start : start + 120]
        column -= start
    src = "".join(_visible(ch) for ch in src)
    pad = "".join(_pad(ch) for ch in src[: max(column - 1, 0)])
    width = min(width, len(src) - column + 1)  # a long token: underline what is shown of it
    return f"{src}\n{pad}{'^' * max(width, 1)}"


def fit_excerpt(excerpt: str, room: int) -> str:
    """`caret_excerpt`'s two lines cut to at most `room` columns around the caret. A terminal
    narrower than the source line wraps both lines, and the caret lands under the wrong
    character; cut at the terminal's edge instead, a caret past it is not shown at all.

    A cut line shows a tab as one space: the columns a tab takes depend on where the cut puts
    it, and counted as the eight it may take, a tab under the caret found no room on a narrow
    terminal and the caret pointed past the line."""
    src, _, marks = excerpt.partition("\n")
    if "^" not in marks or sum(_columns(ch) for ch in src) <= room:
        return excerpt
    src = src.replace("\t", " ")  # its pad is one character too: the walk below is unchanged
    pad, carets = marks[: marks.index("^")], marks.count("^")
    column, taken = 0, 0  # the caret's character in `src`: walk `src` as its pad was made
    while taken < len(pad) and column < len(src):
        taken += len(_pad(src[column]))
        column += 1
    start, used = column, 0  # half the room before the caret, the rest from there on
    while start > 0 and used + _columns(src[start - 1]) <= room // 2:
        start -= 1
        used += _columns(src[start])
    end, used = start, 0
    while end < len(src) and used + _columns(src[end]) <= room:
        used += _columns(src[end])
        end += 1
    while start > 0 and used + _columns(src[start - 1]) <= room:  # the line ended: fill back
        start -= 1
        used += _columns(src[start])
    shown = src[start:end]
    carets = max(1, min(carets, len(shown) - (column - start)))
    return f"{shown}\n{''.join(_pad(ch) for ch in shown[: column - start])}{'^' * carets}"


def _columns(ch: str) -> int:
    """The columns `ch` takes on a terminal, at the most (a tab: up to 8)."""
    return 8 if ch == "\t" else len(_pad(ch))


def _visible(ch: str) -> str:
    """A character as an excerpt shows it: an invisible one (a zero-width space, a byte-order
    mark), a control one or a lone surrogate as U+FFFD, one column wide, so that the caret
    stays under its place, a right-to-left override cannot turn the rest of the line around,
    and the error can be printed (no UTF-8 writer takes a lone surrogate: `print(err)` raised
    UnicodeEncodeError on a reply holding one, as JSON's `\\ud800` escape makes)."""
    import unicodedata

    if ch != "\t" and not ch.isprintable() and unicodedata.category(ch) in ("Cf", "Cc", "Cs"):
        return "\ufffd"
    return ch


def _pad(ch: str) -> str:
    """The blank that takes `ch`'s place under an excerpt: a tab for a tab, two spaces for a
    wide character (full-width forms, CJK), else a space."""
    if ch == "\t":
        return "\t"
    if ch.isascii():
        return " "
    import unicodedata

    return "  " if unicodedata.east_asian_width(ch) in ("W", "F") else " "


def report(location: str, message: str, excerpt: str | None, hint: str | None) -> str:
    """The one text of a problem, an error's or a checker diagnostic's: `where: message`, the
    caret excerpt under it, then the hint, so that every command reads the same."""
    out = [f"{location}: {message}" if location else message]
    if excerpt:
        out.append(excerpt)
    if hint:
        out.append(f"hint: {hint}")
    return "\n".join(out)


def file_name(value: object, argument: str = "filename") -> str | None:
    """A file name argument as the text an error shows: a str, or a path as its str. Anything
    else is a TypeError naming the argument, here rather than later as an error whose own
    `str()` fails (`": ".join` of a PosixPath)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fsdecode(value)
    raise TypeError(f"{argument} must be a str or a path, got {type(value).__name__}")


def where(
    file: str | None, line: int | None = None, column: int | None = None, path: str | None = None
) -> str:
    """`file: line L, column C: path`, with the parts that are known: where a problem is."""
    parts = []
    if file:
        parts.append(file)
    if line is not None:
        parts.append(f"line {line}" + (f", column {column}" if column else ""))
    if path:
        parts.append(path)
    return ": ".join(parts)


class XlogoError(Exception):
    """Base class: a message plus where it happened."""

    # The CLI's exit status for this error: 2, the user's input or use, unless a subclass is
    # something else (an endpoint that failed the run: 1, as requests that failed for good).
    exit_status: ClassVar[int] = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
        excerpt: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.excerpt = excerpt
        self.hint = hint

    @property
    def location(self) -> str:
        return where(self.file, self.line, self.column, self.path)

    def __str__(self) -> str:
        return report(self.location, self.message, self.excerpt, self.hint)

    def to_dict(self) -> dict[str, object]:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "hint": self.hint,
        }


class ProgramError(XlogoError):
    """A program that is not valid: bad syntax, a value out of range, malformed code JSON."""

    def __init__(self, message: str, *, rule: str | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        # for a value out of range, the checker's rule (`ast.REPEAT_RANGE` or `PEN_COLOUR`), so
        # that `check` reports it as such whichever reader found it; None for the others
        self.rule = rule


class ParseError(ProgramError):
    """Text that is not a program; carries the expected tokens."""

    def __init__(self, message: str, *, expected: list[str] | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.expected = expected or []


class TaskError(XlogoError):
    """A task file, directory or record that cannot be loaded; names the file and JSON path."""


class UsageError(XlogoError):
    """Wrong use of the API or the CLI (a missing task id, an unreadable file)."""


class TaskWarning(UserWarning):
    """A task that loads and means what the reference's format says, but most likely not what
    its author meant: a wall written on one tile only, which stops moves one way (the format
    allows it, so refusing the task would change what a task file means). It goes through
    `warnings.warn`, so the caller decides: Python shows it once per message, a filter silences
    it or makes it an error, and the CLI prints it on stderr as `xlogo CMD: warning: ...`. It
    names the file (and the JSON path of an asset record) as an error does."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.path = path
        self.hint = hint

    @property
    def location(self) -> str:
        return where(self.file, path=self.path)

    def __str__(self) -> str:
        return report(self.location, self.message, None, self.hint)


# -- naming a bad value and where it is: shared by the task reader and the model's own checks ----
#
# A task file and a hand-built World, Goal or Constraints get the same checks in the same words:
# the model modules raise TaskError with a path relative to the object they check, and the
# reader (task_format) names the file and the JSON path in front of it.


def value_kind(v: Any) -> str:
    """What a value is, in JSON's words (`a string ("3")`, `null`), for "expected X, found Y";
    a Python value that JSON has no word for (a hand-built field) is named by its type."""
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, float) and math.isinf(v):
        # 1e999 (or 5,000 digits and a fraction) reads as infinity: "Infinity" is not in the file
        return "a number too large to read"
    if isinstance(v, (dict, list)):
        return "an object" if isinstance(v, dict) else "a list"
    if v is None:  # the word is the value: not "null (null)"
        return "null"
    kind = _VALUE_KINDS.get(type(v))
    if kind is None:
        if not isinstance(v, (int, float, str)):
            return f"a value of type {type(v).__name__}"
        kind = "a number"
    return f"{kind} ({json.dumps(v)[:40]})"


_VALUE_KINDS = {str: "a string", bool: "a boolean", type(None): "null", int: "a number"}


def int_problem(v: Any, lo: int | None = None, hi: int | None = None) -> str | None:
    """What is wrong with `v` as a whole number in lo..hi (None when nothing is): a bool is not
    a number here, though Python counts it as one."""
    if isinstance(v, bool) or not isinstance(v, int):
        return f"expected an integer, found {value_kind(v)}"
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        shown = str(v) if abs(v) < 10**40 else f"an integer of {len(str(abs(v)))} digits"
        return f"{shown} is out of range ({rng})"
    return None


def bool_problem(v: Any) -> str | None:
    """What is wrong with `v` as true or false (None when nothing is)."""
    return None if isinstance(v, bool) else f"expected true or false, found {value_kind(v)}"


def join_path(base: str, rest: str) -> str:
    """Two parts of a path as one: `goal[0]` and `specs[1]` make `goal[0].specs[1]`, and a
    part that starts with an index follows without a dot (`specs[0]` and `[1]`)."""
    if not base or not rest:
        return base or rest
    return base + rest if rest.startswith("[") else f"{base}.{rest}"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def key_path(base: str, k: object) -> str:
    """The path of key `k` under `base`: `turtle.dir`, or `turtle["a b"]` for an odd key.
    (The task reader names every key of a file with it, so it is kept cheap.)"""
    k = str(k)
    if _NAME.fullmatch(k):
        return f"{base}.{k}" if base else k
    return f"{base}[{json.dumps(k, ensure_ascii=False)}]"


def did_you_mean(
    key: object, options: tuple[str, ...] | list[str], cutoff: float = 0.6
) -> str | None:
    """A hint naming the option `key` is closest to (its lower case first), if any is close."""
    key = str(key)
    if key.lower() in options:
        return f"did you mean {key.lower()}?"
    close = difflib.get_close_matches(key.lower(), list(options), n=1, cutoff=cutoff)
    if not close and len(key) >= 3:  # an abbreviation: `dir` for `direction`
        close = [o for o in options if o.startswith(key.lower())][:1]
    return f"did you mean {close[0]}?" if close else None


@contextmanager
def within(path: str) -> Iterator[None]:
    """Put `path` in front of the path of a TaskError raised inside: a part's check names the
    field relative to the part (`name`), and the whole names the part (`objectives[0].name`)."""
    try:
        yield
    except TaskError as exc:
        exc.path = join_path(path, exc.path or "")
        raise
