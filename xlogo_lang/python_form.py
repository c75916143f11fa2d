"""The benchmark's Python-style answer form: `def Run():`, `move_forward()`, `for i in range(3):`.

The paper's models answer in this form (BENCHMARK.md, "How the paper's models answer"), so xlogo
reads it (`parse_python`, reached through `parser.parse`) and writes it (`to_python`).

The form: calls of the six functions, `for NAME in range(N):`, `pass`, comments and a docstring,
with or without one `def NAME():` wrapper, which may be followed by one call of it (`Run()`). The
program is the body, run once, whether the call is there or not: a reply defines the program
and is not run as a script. A second call is a ParseError at that call (call Run() once) rather
than a second run of the body, as Python would do: the program cannot be both "the body once"
without a call and "the body once per call" with calls, and a body copied once per call would
make the program grow with the square of the text.

Why CPython's parser is the reference (rather than a Lark grammar with an indenter): the form
*is* Python syntax. Indentation of any consistent width, tabs, both quote styles, comments, `;`,
one-line bodies (`for i in range(2): move_forward()`) and `pass` are read exactly as Python reads
them, and the errors are Python's, with positions: "expected ':'", "'(' was never closed",
"unindent does not match any outer indentation level", "expected an indented block after 'for'
statement on line 2". A Lark indenter postlex reports a bad dedent with no position at all.

But the text is not handed to `ast.parse` whole: CPython's tree costs 1-2 KB a statement, so
a reply of a million characters cost 4-6 s and 650-930 MB to refuse even when its third line
was outside the form (`x`, `1;`, `x=1`), and 600 MB to read when written densely
(`fd();fd();...`). The reader walks the text one logical line at a time, as CPython's tokenizer
does, and stops at the first line outside the form:

* lines of the usual shapes (`move_forward()`, `setpc("red")`, `pass`, `for i in range(3):`,
  `def Run():`, `;` between them, one-line bodies, comments) are matched by regular expressions
  and built into nodes directly;
* any other statement (another spelling such as a call split over lines or `range(0x3)`, or
  something outside the form) is cut out, to its `;` or the end of its logical line (a compound
  statement to its colon; brackets, strings and `\\` continuations followed), and read by
  `ast.parse` alone, so it means what Python says it means and a syntax error gets CPython's
  message, mapped to its line and column in the whole text (a statement with thousands of
  items, `move_forward(1,1,...)`, has its long brackets blanked out first; see `_hollow`);
* indentation is tracked with CPython's tokenizer rules (tabs to multiples of 8, tabs and spaces
  that compare differently under another tab size an error), giving the errors CPython would
  give at the same line: inconsistent indentation, unexpected indent, a missing indented body;
* a `\\` continuation is skipped wherever CPython's tokenizer skips it, with the blanks of the
  line it joins: before a line's first statement, after a `;` and after a header's colon (see
  `_Reader._gap`); the physical lines keep their numbers, for spans and errors;
* repeats nested more than `MAX_DEPTH` deep are an error at the first `for` past the limit, as
  in every form (CPython alone stops at 100 indentation levels with an error of its own).

So time and memory grow with the part of the text read, the first problem in the text is the one
reported (with line, column and a hint), and no syntax tree of the whole reply is ever held.
`ast.parse` only builds a tree; nothing is compiled or executed. Repeat counts and colours are
carried into the AST as written (`range(13)` builds `Repeat(13, ...)`), so `parse(text,
strict=False)` returns the program and `parser.validate` reports range errors for the text and
the Python form alike.

Which names the functions have, and how the form is printed, come from `language.PYTHON`.
This module never imports the CLI, and never runs the code it reads.
"""

from __future__ import annotations

import ast as pyast
import difflib
import re
import warnings
from dataclasses import dataclass, field
from keyword import iskeyword
from typing import NoReturn

from .ast import (
    MAX_DEPTH,
    REPEAT_RANGE,
    Block,
    Command,
    Program,
    Repeat,
    SetPenColor,
    Span,
    count_out_of_range,
)
from .errors import (
    MAX_NUMBER_DIGITS,
    FileName,
    ParseError,
    caret_excerpt,
    digits_text,
    file_name,
    line_column,
    odd_character,
    quoted,
    shorten,
    within_text,
)
from .language import ACTIONS, PYTHON, PYTHON_CALLS, python_names, render

_NAMES = python_names()
_CANONICAL = {a.kind: f"{a.python}()" for a in ACTIONS} | {"setpc": 'setpc("red")'}
_HINT_FUNCS = f"the functions are {PYTHON_CALLS}"
_HINT_LOOP = "loops are written `for i in range(3):` with the body indented below"
_HINT_SYNTAX = _HINT_FUNCS + "; " + _HINT_LOOP
_HINT_ONE_DEF = "write the whole program in one `def Run():`"

# A line that only the Python-style form starts with: a `def NAME(`, a `for NAME in range(`, a
# lone `pass`, or a call of one of its own action names (names the text form shares, like fd(),
# do not count).
_LOOKS_LIKE_PYTHON = re.compile(
    r"^[ \t]*(?:def[ \t]+\w+[ \t]*\(|for[ \t]+\w+[ \t]+in[ \t]+range[ \t]*\(|pass[ \t]*(?:#.*)?$"
    r"|(?:"
    + "|".join(sorted({n for a in ACTIONS for n in (a.python, *a.aliases) if "_" in n}))
    + r")[ \t]*\()",
    re.MULTILINE,
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_UNREADABLE = re.compile("[\0\ud800-\udfff]")  # what CPython's parser cannot read
_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")  # to split text into lines and their breaks
# an integer literal longer than Python converts (its SyntaxError names no position)
_LONG_NUMBER = re.compile(rf"(?<![\w.])[0-9]{{{MAX_NUMBER_DIGITS + 1},}}")
_RANGE_OPEN = re.compile(r"range[ \t]*\([ \t]*[-+]?[ \t]*$")

# -- the usual shapes, read without CPython (ASCII names only: others are NFKC-normalised) -----
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_NL = r"(?:\r\n|\r(?!\n)|\n)"  # a line break, never the `\r` of a `\r\n` alone
# the rest of a logical line with nothing more to read: `\` continuations (group 1), blanks, a
# comment, and its line break (group 2; empty at the end of the text); a whole line of it is blank
_LINE_END = re.compile(rf"((?:[ \t\f]*\\{_NL})*)[ \t\f]*(?:#[^\r\n]*)?({_NL}|\Z)")
# what CPython's tokenizer skips before a token: blanks, and `\` continuations with the blanks
# of the lines they join (at the start of a line, the indentation; see `_indent`)
_GAP = re.compile(rf"[ \t\f]*((?:\\{_NL}[ \t\f]*)*)")
# `for NAME in range(COUNT):`, COUNT a decimal of at most 20 digits with an optional sign
_FOR = re.compile(
    rf"for[ \t]+({_ID})[ \t]+in[ \t]+range[ \t]*\([ \t]*"
    r"(([-+]?)[ \t]*([1-9][0-9]{0,19}|0))[ \t]*\)[ \t]*:"
)
_DEF = re.compile(rf"def[ \t]+({_ID})[ \t]*\([ \t]*\)[ \t]*:")
# `pass` (group 1), or NAME( [ 'STRING' | "STRING" | NAME ] ) (groups 2-5)
_STMT = re.compile(
    rf"(pass)(?![A-Za-z0-9_])|({_ID})[ \t]*\([ \t]*"
    rf"(?:(['\"])([^'\"\\\r\n]*)\3|({_ID}))?[ \t]*\)"
)
_STMT_END = re.compile(r"[ \t]*(?=[;#\r\n]|\Z)")
_COMPOUND = re.compile(
    r"(?:async|class|def|elif|else|except|finally|for|if|try|while|with)(?!\w)|@"
)
# -- cutting out a statement for CPython: brackets, strings, comments, continuations ----------
_SCAN = re.compile(r"[()\[\]{}#;:\\'\"\r\n]")
_BREAK = re.compile(r"[\r\n]")
_STRING_BODY = {  # after the opening quote(s), to the closing one(s)
    "'": r"[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'",
    '"': r'[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"',
    "'''": r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''",
    '"""': r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""',
}
_STRING_END = {quote: re.compile(body) for quote, body in _STRING_BODY.items()}
_STRING = "|".join(re.escape(q) + _STRING_BODY[q] for q in ("'''", '"""', "'", '"'))
# -- a statement too big for CPython's tree: what of it is code, and its brackets -------------
_BIG = 4096  # longer pieces are checked; no statement of the form has that many tokens
_NOT_CODE = re.compile(rf"{_STRING}|#[^\r\n]*|[\s\\]+")
_WORD = re.compile(r"\w+")  # a name or a number, however long, is one token
_BRACKETS = re.compile(rf"{_STRING}|#[^\r\n]*|[()\[\]{{}}]")
_NOT_BREAK = re.compile(r"[^\r\n]")
_LINE_NUMBER = re.compile(r"\b(on|at) line (\d+)")  # in CPython's messages
_TAB_SIZE = 8  # CPython's tokenizer; it also compares indents with tabs as 1 column


def looks_like_python(text: str) -> bool:
    """Whether `text` is written in the Python-style form (one regex search, no parsing).

    True when some line starts with `def NAME(`, `for NAME in range(` or a Python-style action
    call such as `move_forward(`, or is a lone `pass`; the text form (`fd`, `repeat(3){...}`,
    Logo `repeat 3 [fd]`, `setpc("red")`) and prose never start a line that way.
    """
    return _LOOKS_LIKE_PYTHON.search(text) is not None


def to_python(prog: Program | tuple[Block, ...]) -> str:
    """The canonical Python-style print, as in the paper's Figure 1.

    `def Run():` header, two spaces of indent per level, `setpc("red")`, `for i in range(n):`,
    `pass` for an empty body (and for the empty program); every line ends in a newline.
    """
    return render(prog, PYTHON, "to_python")


def parse_python(text: str, *, filename: FileName | None = None) -> Program:
    """Read a Python-style program, with or without its `def Run():` header.

    Raises ParseError with line, column, caret excerpt and hint for syntax errors (bad
    indentation, a missing colon), unknown functions, Python constructs outside the form, a
    second call of Run(), and repeats nested more than MAX_DEPTH deep. Repeat counts and colours
    are not range-checked here (see the module docstring).
    """
    return _Reader(text, file_name(filename)).read()


@dataclass(slots=True)
class _Frame:
    """A block being read: the module, the `def` body, or a `for` body."""

    kind: str  # "module", "def" or "for"
    line: int = 0  # where its header starts (Span coordinates)
    column: int = 0
    indent: int = 0  # the header line's indentation, in tokenizer columns
    times: int = 0
    times_span: Span | None = None
    out: list[Block] = field(default_factory=list)
    first: bool = True  # nothing read in it yet (a string here is a docstring)
    end: tuple[int, int] | None = None  # end of its last statement (Span coordinates)


@dataclass(slots=True)
class _Piece:
    """A statement cut out for `ast.parse`: where it starts, and its text split into lines."""

    line: int
    column: int  # characters before it on its first line (in the dedented source)
    lines: list[str]


@dataclass(slots=True)
class _Calls:
    """Zero-argument calls of one unknown name before any `def` (perhaps of the Run() to come)."""

    name: str
    first: tuple[int, int, int]  # line, column, width
    error: ParseError  # what it is if no `def` of that name follows
    count: int = 1
    second: tuple[int, int, int] | None = None


class _Reader:
    """One parse: the dedented source, a cursor over it, and the blocks and indents open."""

    def __init__(self, text: str, filename: str | None) -> None:
        self.text = text
        self.filename = filename
        self.source, self.margin = _dedent(text)
        self.m = len(self.margin)
        self.line = 1  # the physical line the cursor is on, and where it starts
        self.line_start = 0
        self.indents: list[tuple[int, int]] = [(0, 0)]  # (columns, columns with tab = 1)
        self.frames: list[_Frame] = [_Frame("module")]
        self.for_depth = 0
        self.expect: tuple[int, str] | None = None  # header line and kind awaiting a body
        self.closed_for: int | None = None  # indent of a `for` that just ended (for `else:`)
        self.def_name: str | None = None
        self.def_body: tuple[Block, ...] = ()
        self.calls = 0  # calls of the def seen
        self.before: _Calls | None = None
        self.first_outside: tuple[int, int, int] | None = None  # first top-level statement
        self.piece = _Piece(1, 0, [""])
        self.indent = 0  # the current logical line's indentation, in tokenizer columns

    # -- entry ---------------------------------------------------------------------------------

    def read(self) -> Program:
        unreadable = _UNREADABLE.search(self.text)
        if unreadable is not None:  # CPython reads neither: named where it is, as `parse` does
            self._unreadable(unreadable.start())
        try:
            return self._read()
        except ParseError:
            if self.before is not None and self.def_name is None:
                raise self.before.error from None  # the earlier problem
            raise

    def _unreadable(self, offset: int) -> NoReturn:
        """A NUL or a lone surrogate at `offset` of the text, which CPython's parser refuses
        (as "source code string cannot contain null bytes" at line 1, or a codec error with no
        position at all): the error names the character at its line and column instead."""
        message, hint = odd_character(self.text[offset]) or ("unreadable character", None)
        raise self._make(message, *line_column(self.text, offset), 1, hint)

    def _read(self) -> Program:
        src, n = self.source, len(self.source)
        pos = 0
        while pos < n:
            blank = _line_end(src, pos)
            if blank is not None:
                pos = self._next_line(blank)
                continue
            self.line_start = pos
            start = self._gap(pos)
            self._indent(src[pos:start])
            pos = self._logical(start)
        if self.expect is not None:
            self._missing_body(self._last_line())
        while len(self.indents) > 1:
            self.indents.pop()
            self._close()
        if self.def_name is not None:
            return Program(self.def_body)
        if self.before is not None:
            raise self.before.error
        return Program(tuple(self.frames[0].out))

    def _next_line(self, m: re.Match[str]) -> int:
        """Past the end of a line matched by `_LINE_END`."""
        self._advance(m.start(), m.end())
        return m.end()

    def _advance(self, start: int, end: int) -> None:
        """Move the line count past the line breaks in source[start:end]."""
        for br in _LINE_BREAK.finditer(self.source, start, end):
            self.line += 1
            self.line_start = br.end()

    def _gap(self, pos: int) -> int:
        """Past the blanks and `\\` continuations at `pos` (counting the lines they join): where
        CPython's tokenizer reads the next token. A continuation into the end of the text is
        CPython's error there, at its last `\\`."""
        src = self.source
        m = _GAP.match(src, pos)
        assert m is not None
        end = m.end()
        if not m.group(1):  # no continuation: the usual case
            return end
        if end == len(src) and _ends_in_continuation(src, pos):
            last = src.rindex("\\", pos)
            self._advance(pos, last)
            eof = SyntaxError("unexpected EOF while parsing")
            offset = last - self.line_start + 2  # CPython's: just past the `\\`
            raise self._syntax_error(eof, self.line, offset, self._line_text(self.line))
        self._advance(pos, end)
        return end

    def _col(self, offset: int) -> int:
        """The Span column of an offset on the cursor's line."""
        return offset - self.line_start + 1 + self.m

    # -- indentation, as CPython's tokenizer does it -------------------------------------------

    def _indent(self, blanks: str) -> None:
        """Compare the indentation `blanks` (a `_GAP`) with the blocks open, as CPython does.

        A continuation does not carry indentation over to the line it joins (CPython 3.11): the
        column of the first `\\` not at column 0 is the indentation (its tabs then compare as
        spaces), else the blanks before the first token, on the line it is on; `\\` newline
        `    fd()` is indented by 4, `  \\` newline `fd()` by 2.
        """
        col = alt = 0
        if blanks.count(" ") == len(blanks):
            col = alt = len(blanks)
        else:
            joined = 0  # the column of the first `\\` not at column 0
            for ch in blanks:
                if ch == " ":
                    col, alt = col + 1, alt + 1
                elif ch == "\t":
                    col, alt = (col // _TAB_SIZE + 1) * _TAB_SIZE, alt + 1
                elif ch == "\f":
                    col = alt = 0
                elif ch == "\\":
                    joined = joined or col
            if joined:
                col = alt = joined
        self.indent = col
        top, top_alt = self.indents[-1]
        if col > top:
            if alt <= top_alt:
                self._indent_error(TabError("inconsistent use of tabs and spaces in indentation"))
            if self.expect is None:
                self._indent_error(IndentationError("unexpected indent"))
            self.indents.append((col, alt))
            self.expect = None
            return
        level = len(self.indents) - 1
        while col < self.indents[level][0]:
            level -= 1
        if col != self.indents[level][0]:
            self._indent_error(
                IndentationError("unindent does not match any outer indentation level")
            )
        if alt != self.indents[level][1]:
            self._indent_error(TabError("inconsistent use of tabs and spaces in indentation"))
        if self.expect is not None:
            self._missing_body(self.line)
        while len(self.indents) - 1 > level:
            self.indents.pop()
            self._close()

    def _indent_error(self, exc: SyntaxError) -> None:
        raise self._syntax_error(exc, self.line, 1, self._line_text(self.line))

    def _missing_body(self, line: int) -> None:
        assert self.expect is not None
        header, what = self.expect
        exc = IndentationError(f"expected an indented block after {what} on line {header}")
        raise self._syntax_error(exc, line, 1, self._line_text(line))

    def _last_line(self) -> int:
        """The line CPython names for an error at the end of the text: the last one it read
        (after a final `\\r\\n`, CPython counts the empty line after it too)."""
        src = self.source
        if src.endswith("\r\n") or not src.endswith(("\r", "\n")):
            return self.line
        return self.line - 1

    # -- blocks --------------------------------------------------------------------------------

    def _close(self) -> None:
        """End the innermost block: a `for` becomes a Repeat in its parent; a `def` the program."""
        f = self.frames.pop()
        parent = self.frames[-1]
        if f.kind == "def":
            self.def_body = tuple(f.out)
            return
        self.for_depth -= 1
        end_line, end_column = f.end or (f.line, f.column)
        span = Span(f.line, f.column, end_line, end_column)
        parent.out.append(Repeat(f.times, tuple(f.out), span, f.times_span))
        parent.end = f.end
        self.closed_for = f.indent

    def _place(self, where: tuple[int, int, int], call: str | None = None) -> bool:
        """Check a statement at the top level; False when it is a call of the def, counted."""
        if self.frames[-1].kind != "module":
            return True
        if self.def_name is None:
            if self.first_outside is None:
                self.first_outside = where
            return True
        if call is not None and call == self.def_name:
            self.calls += 1
            if self.calls == 2:
                raise self._second_call(where)
            return False
        raise self._outside(where, self.def_name)

    def _outside(self, where: tuple[int, int, int], name: str) -> ParseError:
        fname = shorten(name)
        return self._make(
            f"a statement outside `def {fname}():`",
            *where,
            f"indent it into the body of {fname}(), or drop the `def` line",
        )

    def _second_call(self, where: tuple[int, int, int]) -> ParseError:
        fname = shorten(self.def_name or "")
        return self._make(
            f"{fname}() is called a second time; the program is its body, run once",
            *where,
            f"call {fname}() once, after the definition (or not at all)",
        )

    def _put(self, block: Block | None, end: tuple[int, int]) -> None:
        frame = self.frames[-1]
        frame.first = False
        if block is not None:
            frame.out.append(block)
        frame.end = end

    def _open_for(self, times: int, times_span: Span, line: int, column: int, width: int) -> str:
        self._place((line, column, width))
        self.frames[-1].first = False
        if self.for_depth >= MAX_DEPTH:
            msg = f"repeats nested more than {MAX_DEPTH} deep"
            excerpt = caret_excerpt(self.text, line, column, 6) or None
            raise ParseError(msg, file=self.filename, line=line, column=column, excerpt=excerpt)
        self.for_depth += 1
        frame = _Frame("for", line, column, self.indent, times, times_span)
        self.frames.append(frame)
        return "'for' statement"

    def _open_def(self, name: str, line: int, column: int) -> str:
        """The one `def`: the top-level statements before it must have been calls of it."""
        before, self.before = self.before, None
        bad = [self.first_outside] if self.first_outside else []
        if before is not None and before.name != name:
            bad.append(before.first)
        if bad:
            raise self._outside(min(bad), name)
        self.def_name = name
        self.frames[-1].first = False
        if before is not None:
            self.calls = before.count
            if before.second is not None:
                raise self._second_call(before.second)
        frame = _Frame("def", line, column, self.indent)
        self.frames.append(frame)
        return "function definition"

    # -- logical lines -------------------------------------------------------------------------

    def _logical(self, s: int) -> int:
        """Read the logical line whose first statement starts at `s`; the offset after it."""
        src = self.source
        closed_for, self.closed_for = self.closed_for, None
        m = _FOR.match(src, s)
        if m is not None and not iskeyword(m[1]):
            count = Span(self.line, self._col(m.start(2)), self.line, self._col(m.end(2)))
            times = int(m[4]) * (-1 if m[3] == "-" else 1)
            what = self._open_for(times, count, self.line, self._col(s), 1)
            return self._after_header(m.end(), what)
        if self.frames[-1].kind == "module" and (m := _DEF.match(src, s)) and not iskeyword(m[1]):
            if self.def_name is not None:
                second = (self.line, self._col(s), 1)
                raise self._make("a second function definition", *second, _HINT_ONE_DEF)
            what = self._open_def(m[1], self.line, self._col(s))
            return self._after_header(m.end(), what)
        if _COMPOUND.match(src, s):
            return self._compound(s, closed_for)
        return self._statements(s)

    def _after_header(self, p: int, what: str) -> int:
        """After a header's colon: an indented body follows, or a one-line body is here."""
        end = _line_end(self.source, p)
        if end is not None:
            self.expect = (self.frames[-1].line, what)
            return self._next_line(end)
        nxt = self._statements(self._gap(p), inline=True)
        self._close()
        return nxt

    def _statements(self, p: int, inline: bool = False) -> int:
        """Read `;`-separated simple statements to the end of the logical line.

        `inline`: they follow a header's colon (a one-line body).
        """
        src, n = self.source, len(self.source)
        while True:
            m = _STMT.match(src, p)
            after = _STMT_END.match(src, m.end()) if m is not None else None
            if m is not None and after is not None and self._fast(m):
                p = after.end()
            else:
                p = self._slow_statement(p, inline)
            if p < n and src[p] == ";":
                end = _line_end(src, p + 1)
                if end is not None:  # a trailing `;`: for CPython the block ends after it
                    self.frames[-1].end = (self.line, self._col(p) + 1)
                    return self._next_line(end)
                p = self._gap(p + 1)
                inline = True
                continue
            end = _line_end(src, p)
            assert end is not None
            return self._next_line(end)

    def _fast(self, m: re.Match[str]) -> bool:
        """A statement of the usual shape; False to leave it to CPython."""
        line, column, end = self.line, self._col(m.start()), self._col(m.end())
        where = (line, column, end - column)
        block: Block | None = None
        call = None
        if not m[1]:  # not `pass`: a call
            name, quote, arg = m[2], m[3], m[5]
            kind = _NAMES.get(name)
            span = Span(line, column, line, end)
            if kind is None:
                return False
            if kind == "setpc":
                if quote is not None:
                    color, a, b = m[4], m.start(4) - 1, m.end(4) + 1
                elif arg is not None and not iskeyword(arg):
                    color, a, b = arg, m.start(5), m.end(5)
                else:
                    return False
                arg_span = Span(line, self._col(a), line, self._col(b))
                block = SetPenColor(color.strip().lower(), span, arg_span)
            elif quote is not None or arg is not None:
                return False
            else:
                block, call = Command(kind, span), name  # type: ignore[arg-type]
        if self._place(where, call):
            self._put(block, (line, end))
        return True

    # -- statements read by CPython ------------------------------------------------------------

    def _slow_statement(self, s: int, inline: bool) -> int:
        """Read the simple statement at `s` with CPython; the offset of its `;` or line end.

        `inline`: it follows a `;` or a header's colon, where a compound statement cannot be.
        """
        src = self.source
        if inline and _COMPOUND.match(src, s):  # `fd(); for ...`, `for ...: while ...:`
            raise self._make("not a Python-style program: invalid syntax", self.line,
                             self._col(s), 1, _HINT_SYNTAX)  # fmt: skip
        e = self._scan(s, ";")
        at_semicolon = e < len(src) and src[e] == ";"
        text = src[s:e]
        if e < len(src) and _continued_to_end(text):  # `fd() \` newline `; rt()`, `x = \`
            text += "\n"  # the line it joins ends here, as at the `;` or blank line in `src`
        stmts = self._parse(s, text)
        if not stmts and at_semicolon:  # `;;`, or a `;` where a statement should be
            raise self._make("not a Python-style program: invalid syntax", self.line,
                             self._col(s), 1, _HINT_SYNTAX)  # fmt: skip
        for stmt in stmts:
            if hasattr(stmt, "body"):  # a compound statement after `;` or a colon
                sp = self._span(stmt)
                raise self._make("not a Python-style program: invalid syntax", sp.line,
                                 sp.column, 1, _HINT_SYNTAX)  # fmt: skip
            self._simple(stmt)
        self._advance(s, e)
        return e

    def _compound(self, s: int, closed_for: int | None) -> int:
        """A statement starting with a keyword that takes a colon (or a decorator)."""
        src = self.source
        if src[s] == "@":
            e = self._scan(s, ";")
            func = self._parse(s, src[s:e] + "\ndef _():\n pass")[0]
            where = func.decorator_list[0] if isinstance(func, pyast.FunctionDef) else func
            raise self._error(where, "decorators are not part of the form", None)
        if closed_for == self.indent and re.match(r"else[ \t]*:", src[s : s + 40]):
            raise self._make(
                "`for ... else` is not part of the form", self.line, self._col(s), 4, _HINT_LOOP
            )
        e = self._scan(s, ":")
        if e >= len(src) or src[e] != ":":  # no colon: CPython says what is missing
            return self._statements(s)
        head = src[s : e + 1]
        body = " pass\nfinally: pass" if head.startswith("try") else " pass"
        stmt = self._parse(s, head + body)[0]
        self._advance(s, e)
        if isinstance(stmt, pyast.For):
            times, count = self._loop_header(stmt)
            sp = self._span(stmt)
            what = self._open_for(times, self._span(count), sp.line, sp.column, 1)
        elif (
            isinstance(stmt, pyast.FunctionDef | pyast.AsyncFunctionDef)
            and self.frames[-1].kind == "module"
        ):
            if self.def_name is not None:
                raise self._error(stmt, "a second function definition", _HINT_ONE_DEF)
            if not isinstance(stmt, pyast.FunctionDef):
                raise self._error(stmt, "`async def` is not part of the form", "write `def Run():`")
            self._check_signature(stmt)
            sp = self._span(stmt)
            what = self._open_def(stmt.name, sp.line, sp.column)
        else:
            sp = self._span(stmt)
            self._place((sp.line, sp.column, 1))
            raise self._not_in_form(stmt)
        return self._after_header(e + 1, what)

    def _simple(self, stmt: pyast.stmt) -> None:
        """Place one simple statement read by CPython in the block being read."""
        frame = self.frames[-1]
        sp = self._span(stmt)
        width = sp.end_column - sp.column if sp.end_line == sp.line else 1
        where = (sp.line, sp.column, width)
        end = (sp.end_line, sp.end_column)
        call = _call_name(stmt)
        if frame.kind == "module" and self.def_name is None:
            if frame.first and _is_docstring(stmt):
                frame.first = False
                return
            if call is not None and call not in _NAMES:  # Run() before its def, or unknown
                self._call_before(call, where, stmt)
                frame.first = False
                return
        if not self._place(where, call):
            return
        if frame.kind == "def" and frame.first and _is_docstring(stmt):
            frame.first = False
            return
        self._put(self._block(stmt), end)

    def _call_before(self, name: str, where: tuple[int, int, int], stmt: pyast.stmt) -> None:
        before = self.before
        if before is None:
            try:
                self._block(stmt)
            except ParseError as exc:
                self.before = _Calls(name, where, exc)
            return
        if before.name != name:  # two names: at most one can be the def's
            raise before.error
        before.count += 1
        if before.second is None:
            before.second = where

    def _block(self, stmt: pyast.stmt) -> Block | None:
        """The block one simple statement is (None for `pass`), or the error it is."""
        if isinstance(stmt, pyast.Pass):
            return None
        if isinstance(stmt, pyast.Expr) and isinstance(stmt.value, pyast.Call):
            return self._call(stmt.value)
        if isinstance(stmt, pyast.Expr) and isinstance(stmt.value, pyast.Name):
            name = stmt.value.id
            hint = f"write {_CANONICAL[_NAMES[name]]}" if name in _NAMES else _HINT_FUNCS
            raise self._error(stmt, f"{quoted(name)} is a name, not a call", hint)
        raise self._not_in_form(stmt)

    def _not_in_form(self, stmt: pyast.stmt) -> ParseError:
        return self._error(stmt, f"{_describe(stmt)} is not part of the form", _HINT_SYNTAX)

    def _check_signature(self, func: pyast.FunctionDef) -> None:
        args = func.args
        if args.posonlyargs or args.args or args.vararg or args.kwonlyargs or args.kwarg:
            raise self._error(
                func, f"`def {shorten(func.name)}()` takes no parameters", "write `def Run():`"
            )
        if func.returns is not None:
            raise self._error(func.returns, "return annotations are not part of the form", None)

    def _loop_header(self, stmt: pyast.For) -> tuple[int, pyast.expr]:
        """The count of a `for` line read by CPython, and its node."""
        if not isinstance(stmt.target, pyast.Name):
            raise self._error(stmt.target, "the loop variable must be a plain name", _HINT_LOOP)
        it = stmt.iter
        if not (
            isinstance(it, pyast.Call) and isinstance(it.func, pyast.Name) and it.func.id == "range"
        ):
            raise self._error(it, "a loop must run over range(N)", _HINT_LOOP)
        if len(it.args) != 1 or it.keywords:
            raise self._error(
                it, "range() takes exactly one count here", "write range(3) for three rounds"
            )
        count = it.args[0]
        times = _int_literal(count)
        if times is None:
            raise self._error(
                count, "the repeat count must be a whole number", "write range(3); counts are 1..12"
            )
        return times, count

    def _call(self, call: pyast.Call) -> Block:
        func = call.func
        if not isinstance(func, pyast.Name):
            raise self._error(func, "only plain function calls are part of the form", _HINT_FUNCS)
        name = func.id
        kind = _NAMES.get(name)
        if kind is None:
            close = difflib.get_close_matches(shorten(name), list(_NAMES), n=1)
            hint = f"did you mean {close[0]}()? " + _HINT_FUNCS if close else _HINT_FUNCS
            if name == "repeat":
                hint = _HINT_LOOP
            raise self._error(func, f"unknown function {quoted(name)}", hint)
        if kind == "setpc":
            return self._setpc(call, name)
        if call.args or call.keywords:
            raise self._error(
                call,
                f"{name}() takes no arguments",
                "to repeat an action, put it in a loop: `for i in range(2):`",
            )
        return Command(kind, self._span(call))  # type: ignore[arg-type]

    def _setpc(self, call: pyast.Call, name: str) -> SetPenColor:
        if len(call.args) != 1 or call.keywords:
            raise self._error(call, f"{name}() takes one colour", 'write setpc("red")')
        arg = call.args[0]
        if isinstance(arg, pyast.Constant) and isinstance(arg.value, str):
            color = arg.value
        elif isinstance(arg, pyast.Name):  # setpc(red): a bare colour name, as in the text form
            color = arg.id
        else:
            raise self._error(
                arg, "the pen colour must be a colour name in quotes", 'write setpc("red")'
            )
        return SetPenColor(color.strip().lower(), self._span(call), self._span(arg))

    # -- cutting out and parsing a piece -------------------------------------------------------

    def _scan(self, s: int, stop: str) -> int:
        """Where the statement at `s` ends: its first `stop` (`;` or `:`) outside brackets and
        strings, else the end of its logical line (the offset of the line break, or the end)."""
        src, n = self.source, len(self.source)
        depth, p = 0, s
        while True:
            m = _SCAN.search(src, p)
            if m is None:
                return n
            c, q = m.group(), m.start()
            p = q + 1
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth = max(depth - 1, 0)
            elif c in "\r\n" or c == stop:  # the end of the logical line, or the stop
                if depth == 0:
                    return q
            elif c == "#":
                br = _BREAK.search(src, q)
                p = br.start() if br else n
            elif c == "\\":
                if src.startswith("\r\n", p):
                    p += 2
                elif src.startswith(("\r", "\n"), p):
                    p += 1
            elif c in "'\"":
                quote = c * 3 if src.startswith(c * 3, q) else c
                end = _STRING_END[quote].match(src, q + len(quote))
                if end is not None:
                    p = end.end()
                elif len(quote) == 3:  # unterminated: to the end of the text
                    return n
                else:  # unterminated: the line ends the statement, CPython names it
                    br = _BREAK.search(src, q)
                    p = br.start() if br else n

    def _parse(self, s: int, text: str) -> list[pyast.stmt]:
        """Parse `text`, which starts at offset `s` of the source, with positions mapped back.

        A statement with more code than any of the form's (`move_forward(1,1,1,...)`, a list
        of a million items) is parsed with the inside of its long brackets blanked out (see
        `_hollow`), so CPython names what it is (a call with arguments, an assignment) without
        building a tree of every item; one long without brackets (`1+1+...`) is named here.
        """
        if len(text) > _BIG and _code_size(text) > _BIG:
            text = _hollow(text)
            if _code_size(text) > _BIG:
                raise self._make(
                    f"a statement of {len(text):,} characters is not part of the form",
                    self.line,
                    self._col(s),
                    1,
                    _HINT_SYNTAX,
                )
        # positions CPython gives are UTF-8 offsets into these lines (blanked out or not)
        self.piece = _Piece(self.line, s - self.line_start, _LINE_BREAK.split(text))
        try:
            # Python warns about things like invalid string escapes in the text it parses; in a
            # model's reply those are just garbage, which the errors below already name
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # never the real file name: CPython reads the line at an error from a file of
                # that name on disk, and the text here (a piece, blanked or dedented) is not it
                return pyast.parse(text, filename="<program>").body
        except SyntaxError as exc:
            raise self._piece_syntax_error(exc) from None
        except (ValueError, RecursionError, MemoryError) as exc:  # absurd nesting
            raise ParseError(f"not a Python-style program: {exc}", file=self.filename) from None

    # -- positions and errors ------------------------------------------------------------------

    def _column(self, k: int, byte_offset: int) -> int:
        """The Span column of a UTF-8 offset on line `k` of the current piece."""
        piece = self.piece
        text = piece.lines[k - 1] if 0 < k <= len(piece.lines) else ""
        if text.isascii():
            chars = byte_offset
        else:
            chars = len(text.encode()[:byte_offset].decode("utf-8", "ignore"))
        return chars + (piece.column if k == 1 else 0) + 1 + self.m

    def _span(self, node: pyast.AST) -> Span:
        lineno, end_lineno = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        base = self.piece.line - 1
        return Span(
            base + lineno,
            self._column(lineno, node.col_offset),  # type: ignore[attr-defined]
            base + end_lineno,
            self._column(end_lineno, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def _error(self, node: pyast.AST, message: str, hint: str | None) -> ParseError:
        span = self._span(node)
        width = span.end_column - span.column if span.end_line == span.line else 1
        if hasattr(node, "body"):  # a compound statement: its header is what was read
            width = 1
        return self._make(message, span.line, span.column, width, hint)

    def _line_text(self, line: int) -> str:
        """Line `line` of the (dedented) source, "" past its end (error paths only: O(n))."""
        src, start = self.source, 0
        if line > 1:
            for k, br in enumerate(_LINE_BREAK.finditer(src), 2):
                if k == line:
                    start = br.end()
                    break
            else:
                return ""
        end = _LINE_BREAK.search(src, start)
        return src[start : end.start() if end else len(src)]

    def _piece_syntax_error(self, exc: SyntaxError) -> ParseError:
        piece = self.piece
        k = exc.lineno or 1
        line = piece.line + k - 1
        offset = (exc.offset or 1) + (piece.column if k == 1 else 0)
        exc.msg = _LINE_NUMBER.sub(lambda m: f"{m[1]} line {int(m[2]) + piece.line - 1}", exc.msg)
        return self._syntax_error(exc, line, offset, self._line_text(line))

    def _syntax_error(self, exc: SyntaxError, line: int, offset: int, src: str) -> ParseError:
        """CPython's error at `line`, 1-based character `offset` of `src` (the dedented line)."""
        indent = len(src) - len(src.lstrip(" \t"))
        column = offset + (self.m if src.strip() else 0)
        msg = exc.msg
        long_number = _LONG_NUMBER.search(src) if msg.startswith("Exceeds the limit") else None
        if long_number is not None:  # Python names no position: the number is on this line
            return self._long_number(src, line, long_number)
        if isinstance(exc, TabError):
            message, hint = (
                "inconsistent indentation: tabs and spaces are mixed",
                "indent with spaces only",
            )
            column = 1
        elif isinstance(exc, IndentationError):
            column = indent + 1 + (self.m if src.strip() else 0)
            if msg.startswith("unindent does not match"):
                message = "inconsistent indentation: this line lines up with no enclosing block"
                hint = "indent every line of a block by the same amount"
            elif msg.startswith("unexpected indent"):
                message = "unexpected indent: this line is indented deeper than its block"
                hint = "indent a line only under `def Run():` or a `for` line"
            elif msg.startswith("expected an indented block"):
                message = msg.replace("expected an indented block", "missing indented body")
                hint = "indent the body under the colon line, or write `pass` for an empty body"
            else:
                message, hint = (
                    f"indentation error: {msg}",
                    "indent every line of a block by the same amount",
                )
        elif msg == "expected ':'":
            message = "missing colon at the end of this line"
            hint = "write `for i in range(3):` and `def Run():` with a colon"
        elif (
            "was never closed" in msg
            or "does not match opening parenthesis" in msg
            or msg.startswith("unmatched")
        ):
            message, hint = (
                f"unbalanced brackets: {msg}",
                'calls are written move_forward(), setpc("red")',
            )
        else:
            message, hint = f"not a Python-style program: {msg}", _HINT_SYNTAX
        return self._make(message, line, max(column, 1), 1, hint)

    def _long_number(self, src: str, line: int, m: re.Match[str]) -> ParseError:
        """A number too long for Python to convert: a range error when it is a loop's count."""
        digits = m.group()
        rule = None
        if _RANGE_OPEN.search(src, 0, m.start()):
            message = count_out_of_range(digits_text(digits))
            hint, rule = _HINT_LOOP, REPEAT_RANGE
        else:
            message = f"a number of {len(digits):,} digits is not part of the form"
            hint = _HINT_FUNCS
        column = m.start() + 1 + self.m
        return self._make(message, line, column, len(digits), hint, rule)

    def _make(
        self,
        message: str,
        line: int,
        column: int,
        width: int,
        hint: str | None,
        rule: str | None = None,
    ) -> ParseError:
        # CPython reads an empty line after a final `\r\n` and may place an error there, on a
        # line no editor shows: the end of the last line stands for it
        line, column = within_text(self.text, line, column)
        return ParseError(
            message,
            file=self.filename,
            line=line,
            column=column,
            excerpt=caret_excerpt(self.text, line, column, width) or None,
            hint=hint,
            rule=rule,
        )


def _dedent(text: str) -> tuple[str, str]:
    """Strip the indentation that every non-blank line shares (replies often indent a snippet).

    Returns the dedented source and the margin removed, so columns map back to `text`.
    """
    lines = _LINE_BREAK.split(text)
    margins = [ln[: len(ln) - len(ln.lstrip(" \t"))] for ln in lines if ln.strip()]
    if not margins:
        return text, ""
    # The prefix they all share is the one the least and the greatest (in sorted order) share:
    # one pass over the characters, however wide the margins.
    least, most = min(margins), max(margins)
    margin = least
    if not most.startswith(least):  # they differ before `least` ends: find where, by blocks
        i = 0
        while least[i : i + 4096] == most[i : i + 4096]:
            i += 4096
        while least[i] == most[i]:
            i += 1
        margin = least[:i]
    if not margin:
        return text, ""
    parts = _LINE_BREAKS.split(text)  # the lines and the breaks between them, kept as written
    parts[::2] = [ln[len(margin) :] if ln.strip() else "" for ln in lines]
    return "".join(parts), margin


def _code_size(text: str) -> int:
    """About how many tokens `text` has besides strings: its code, each name or number as 1."""
    return len(_WORD.sub("w", _NOT_CODE.sub("", text)))


def _hollow(text: str) -> str:
    """`text` with the inside of each outermost bracket pair longer than 64 characters blanked
    out (line breaks kept, so positions stay) but for an empty tuple `()` at its start: an
    argument, an item, and no count or colour."""
    out: list[str] = []
    last = depth = start = 0
    regions = []
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c in "([{":
            depth += 1
            if depth == 1:
                start = m.end()
        elif c in ")]}" and depth > 0:
            depth -= 1
            if depth == 0:
                regions.append((start, m.start()))
    if depth > 0:
        regions.append((start, len(text)))
    for a, b in regions:
        blank = _NOT_BREAK.sub(" ", text[a:b])
        at = blank.find("  ")
        if b - a <= 64 or at < 0:
            continue
        out += (text[last:a], blank[:at], "()", blank[at + 2 :])
        last = b
    out.append(text[last:])
    return "".join(out)


def _line_end(text: str, pos: int) -> re.Match[str] | None:
    """`_LINE_END` at `pos`, unless a `\\` and its line break end the text (see `_Reader._gap`).
    Blanks or a comment after them are a last line (CPython ends the text with a line break if it
    has none)."""
    m = _LINE_END.match(text, pos)
    if m is not None and m.end(1) == len(text) and _ends_in_continuation(text, m.start(1)):
        return None
    return m


def _ends_in_continuation(text: str, pos: int) -> bool:
    """Whether text[pos:] ends with a `\\` and its line break, which CPython calls an unexpected
    end of file; not with `\\` and `\\r\\n`, which CPython reads with an empty line after it."""
    return text.endswith(("\\\n", "\\\r"), pos)


def _continued_to_end(text: str) -> bool:
    """Whether `text` ends with a `\\` continuation and blanks: the line it joins is cut off."""
    end = len(text)
    while end and text[end - 1] in " \t\f":
        end -= 1
    br = 2 if text.endswith("\r\n", 0, end) else int(text.endswith(("\r", "\n"), 0, end))
    return br > 0 and text.endswith("\\", 0, end - br)


def _int_literal(node: pyast.expr) -> int | None:
    """The integer a count literal writes (`3`, `-1`), or None for anything else."""
    sign = 1
    if isinstance(node, pyast.UnaryOp) and isinstance(node.op, pyast.USub | pyast.UAdd):
        sign = -1 if isinstance(node.op, pyast.USub) else 1
        node = node.operand
    if isinstance(node, pyast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _call_name(stmt: pyast.stmt) -> str | None:
    """The NAME of a statement `NAME()` (a call without arguments), else None."""
    if (
        isinstance(stmt, pyast.Expr)
        and isinstance(stmt.value, pyast.Call)
        and isinstance(stmt.value.func, pyast.Name)
        and not stmt.value.args
        and not stmt.value.keywords
    ):
        return stmt.value.func.id
    return None


def _is_docstring(stmt: pyast.stmt) -> bool:
    return (
        isinstance(stmt, pyast.Expr)
        and isinstance(stmt.value, pyast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _describe(stmt: pyast.stmt) -> str:
    """A few words for a statement outside the form: `a while loop`, `an assignment`."""
    words = {
        "While": "a `while` loop",
        "If": "an `if` statement",
        "Assign": "an assignment",
        "AugAssign": "an assignment",
        "AnnAssign": "an assignment",
        "Return": "`return`",
        "Import": "an import",
        "ImportFrom": "an import",
        "Expr": "a bare value",
        "ClassDef": "a class",
        "With": "a `with` block",
        "Try": "a `try` block",
        "Break": "`break`",
        "Continue": "`continue`",
    }
    return words.get(type(stmt).__name__, f"a `{type(stmt).__name__.lower()}` statement")
