"""The benchmark's Python-style answer form: `def Run():`, `move_forward()`, `for i in range(3):`.

The paper's models answer in this form (BENCHMARK.md, "How the paper's models answer"), so xlogo
reads it (`parse_python`, reached through `parser.parse`) and writes it (`to_python`).

Why Python's own parser (`ast.parse`) rather than a Lark grammar with an indenter or a
hand-written line parser: the form *is* Python syntax, so CPython's parser is its reference.
Indentation of any consistent width, tabs, both quote styles, comments, `;`, one-line bodies
(`for i in range(2): move_forward()`) and `pass` all come out exactly as Python reads them, and
CPython 3.11 already names the errors people make, with positions: "expected ':'", "unindent does
not match any outer indentation level", "expected an indented block after 'for' statement on
line 2". A Lark indenter postlex reports a bad dedent with no position at all. `ast.parse` only
builds a tree; it never compiles or executes anything. A small translator then walks that tree,
accepts the Mini subset (calls of the six functions, `for NAME in range(N):`, `pass`, one
`def NAME():` wrapper, optionally followed by a call of it) and names the first node outside it
with its line, column and a hint. Repeat counts and colours are carried into the AST as written
(`range(13)` builds `Repeat(13, ...)`), so `parse(text, strict=False)` returns the program and
`parser.validate` reports range errors for the text and the Python form alike.

Which names the functions have, and how the form is printed, come from `language.PYTHON`.
This module never imports the CLI, and never runs the code it reads.
"""

from __future__ import annotations

import ast as pyast
import difflib
import re
import warnings
from bisect import bisect_right
from itertools import accumulate

from .ast import MAX_TIMES, MIN_TIMES, Block, Command, Program, Repeat, SetPenColor, Span
from .errors import MAX_NUMBER_DIGITS, ParseError, caret_excerpt, digits_text, quoted, shorten
from .language import ACTIONS, PYTHON, python_names, render

_NAMES = python_names()
_CANONICAL = {a.kind: f"{a.python}()" for a in ACTIONS} | {"setpc": 'setpc("red")'}
_FUNCTIONS = ", ".join(f"{a.python}()" for a in ACTIONS) + ', setpc("red")'
_HINT_FUNCS = f"the functions are {_FUNCTIONS}"
_HINT_LOOP = "loops are written `for i in range(3):` with the body indented below"

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
# an integer literal longer than Python converts (its SyntaxError names no position)
_LONG_NUMBER = re.compile(rf"(?<![\w.])[0-9]{{{MAX_NUMBER_DIGITS + 1},}}")
_RANGE_OPEN = re.compile(r"range[ \t]*\([ \t]*[-+]?[ \t]*$")


def looks_like_python(text: str) -> bool:
    """Whether `text` is written in the Python-style form (one regex search, no parsing).

    True when some line starts with `def NAME(`, `for NAME in range(` or a Python-style action
    call such as `move_forward(`, or is a lone `pass`; the text form (`fd`, `repeat(3){...}`,
    Logo `repeat 3 [fd]`, `setpc("red")`) and prose never start a line that way.
    """
    return _LOOKS_LIKE_PYTHON.search(text) is not None


def to_python(prog: Program) -> str:
    """The canonical Python-style print, as in the paper's Figure 1.

    `def Run():` header, two spaces of indent per level, `setpc("red")`, `for i in range(n):`,
    `pass` for an empty body (and for the empty program); every line ends in a newline.
    """
    return render(prog, PYTHON)


def parse_python(text: str, *, filename: str | None = None) -> Program:
    """Read a Python-style program, with or without its `def Run():` header.

    Raises ParseError with line, column, caret excerpt and hint for syntax errors (bad
    indentation, a missing colon), unknown functions and Python constructs outside the form.
    Repeat counts and colours are not range-checked here (see the module docstring).
    """
    return _Reader(text, filename).read()


class _Reader:
    """One parse: the source, its dedented copy handed to Python, and position bookkeeping."""

    def __init__(self, text: str, filename: str | None) -> None:
        self.text = text
        self.filename = filename
        self.source, self.margin = _dedent(text)
        self.lines = _LINE_BREAK.split(self.source)
        self._char_ends: dict[int, list[int]] = {}  # line → UTF-8 end offset of each character

    # -- entry ---------------------------------------------------------------------------------

    def read(self) -> Program:
        try:
            # Python warns about things like invalid string escapes in the text it parses; in a
            # model's reply those are just garbage, which the errors below already name
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = pyast.parse(self.source, filename=self.filename or "<program>")
        except SyntaxError as exc:
            raise self._syntax_error(exc) from None
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
            raise ParseError(f"not a Python-style program: {exc}", file=self.filename) from None
        return Program(self._top_level(module.body))

    def _top_level(self, stmts: list[pyast.stmt]) -> tuple[Block, ...]:
        """The module body: either one `def NAME():` (plus an optional call of it) or bare lines."""
        defs = [s for s in stmts if isinstance(s, pyast.FunctionDef | pyast.AsyncFunctionDef)]
        if not defs:
            return self._blocks(_skip_docstring(stmts))
        func = defs[0]
        fname = shorten(func.name)
        if len(defs) > 1:
            raise self._error(
                defs[1],
                "a second function definition",
                "write the whole program in one `def Run():`",
            )
        if not isinstance(func, pyast.FunctionDef):
            raise self._error(func, "`async def` is not part of the form", "write `def Run():`")
        self._check_signature(func)
        for stmt in stmts:
            if stmt is func or _is_call_of(stmt, func.name) or _is_docstring(stmt, stmts):
                continue
            raise self._error(
                stmt,
                f"a statement outside `def {fname}():`",
                f"indent it into the body of {fname}(), or drop the `def` line",
            )
        return self._blocks(_skip_docstring(func.body))

    def _check_signature(self, func: pyast.FunctionDef) -> None:
        args = func.args
        if args.posonlyargs or args.args or args.vararg or args.kwonlyargs or args.kwarg:
            raise self._error(
                func, f"`def {shorten(func.name)}()` takes no parameters", "write `def Run():`"
            )
        if func.decorator_list:
            raise self._error(func.decorator_list[0], "decorators are not part of the form", None)
        if func.returns is not None:
            raise self._error(func.returns, "return annotations are not part of the form", None)

    # -- statements ----------------------------------------------------------------------------

    def _blocks(self, stmts: list[pyast.stmt]) -> tuple[Block, ...]:
        out: list[Block] = []
        for stmt in stmts:
            if isinstance(stmt, pyast.Pass):
                continue
            if isinstance(stmt, pyast.For):
                out.append(self._loop(stmt))
            elif isinstance(stmt, pyast.Expr) and isinstance(stmt.value, pyast.Call):
                out.append(self._call(stmt.value))
            elif isinstance(stmt, pyast.Expr) and isinstance(stmt.value, pyast.Name):
                name = stmt.value.id
                hint = f"write {_CANONICAL[_NAMES[name]]}" if name in _NAMES else _HINT_FUNCS
                raise self._error(stmt, f"{quoted(name)} is a name, not a call", hint)
            else:
                raise self._error(
                    stmt,
                    f"{_describe(stmt)} is not part of the form",
                    _HINT_FUNCS + "; " + _HINT_LOOP,
                )
        return tuple(out)

    def _loop(self, stmt: pyast.For) -> Repeat:
        if not isinstance(stmt.target, pyast.Name):
            raise self._error(stmt.target, "the loop variable must be a plain name", _HINT_LOOP)
        if stmt.orelse:
            raise self._error(stmt.orelse[0], "`for ... else` is not part of the form", _HINT_LOOP)
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
        body = self._blocks(stmt.body)
        return Repeat(times, body, self._span(stmt), self._span(count))

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

    # -- positions and errors ------------------------------------------------------------------

    def _column(self, lineno: int, byte_offset: int) -> int:
        """1-based character column in the original text of a 0-based UTF-8 offset in `source`."""
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if line.isascii():
            chars = byte_offset
        else:  # characters that end at or before the offset (once per line: lines may be long)
            ends = self._char_ends.get(lineno)
            if ends is None:
                ends = self._char_ends[lineno] = list(accumulate(len(c.encode()) for c in line))
            chars = bisect_right(ends, byte_offset)
        return chars + 1 + (len(self.margin) if line and not line.isspace() else 0)

    def _span(self, node: pyast.AST) -> Span:
        lineno, end_lineno = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return Span(
            lineno,
            self._column(lineno, node.col_offset),  # type: ignore[attr-defined]
            end_lineno,
            self._column(end_lineno, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def _error(self, node: pyast.AST, message: str, hint: str | None) -> ParseError:
        span = self._span(node)
        width = span.end_column - span.column if span.end_line == span.line else 1
        return self._make(message, span.line, span.column, width, hint)

    def _syntax_error(self, exc: SyntaxError) -> ParseError:
        line = exc.lineno or 1
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        indent = len(src) - len(src.lstrip(" \t"))
        column = (exc.offset or 1) + (len(self.margin) if src.strip() else 0)
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
            column = indent + 1 + (len(self.margin) if src.strip() else 0)
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
            message, hint = f"not a Python-style program: {msg}", _HINT_FUNCS + "; " + _HINT_LOOP
        return self._make(message, line, max(column, 1), 1, hint)

    def _long_number(self, src: str, line: int, m: re.Match[str]) -> ParseError:
        """A number too long for Python to convert: a range error when it is a loop's count."""
        digits = m.group()
        if _RANGE_OPEN.search(src, 0, m.start()):
            message = f"repeat count {digits_text(digits)} is outside {MIN_TIMES}..{MAX_TIMES}"
            hint = _HINT_LOOP
        else:
            message = f"a number of {len(digits):,} digits is not part of the form"
            hint = _HINT_FUNCS
        column = m.start() + 1 + len(self.margin)
        return self._make(message, line, column, len(digits), hint)

    def _make(
        self, message: str, line: int, column: int, width: int, hint: str | None
    ) -> ParseError:
        return ParseError(
            message,
            file=self.filename,
            line=line,
            column=column,
            excerpt=caret_excerpt(self.text, line, column, width) or None,
            hint=hint,
        )


def _dedent(text: str) -> tuple[str, str]:
    """Strip the indentation that every non-blank line shares (replies often indent a snippet).

    Returns the dedented source and the margin removed, so columns map back to `text`.
    """
    lines = _LINE_BREAK.split(text)
    margins = [ln[: len(ln) - len(ln.lstrip(" \t"))] for ln in lines if ln.strip()]
    if not margins:
        return text, ""
    margin = margins[0]
    for m in margins[1:]:
        while not m.startswith(margin):
            margin = margin[:-1]
    if not margin:
        return text, ""
    return "\n".join(ln[len(margin) :] if ln.strip() else "" for ln in lines), margin


def _int_literal(node: pyast.expr) -> int | None:
    """The integer a count literal writes (`3`, `-1`), or None for anything else."""
    sign = 1
    if isinstance(node, pyast.UnaryOp) and isinstance(node.op, pyast.USub | pyast.UAdd):
        sign = -1 if isinstance(node.op, pyast.USub) else 1
        node = node.operand
    if isinstance(node, pyast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _is_call_of(stmt: pyast.stmt, name: str) -> bool:
    """`Run()` on its own line after the definition: harmless, the way Python scripts end."""
    return (
        isinstance(stmt, pyast.Expr)
        and isinstance(stmt.value, pyast.Call)
        and isinstance(stmt.value.func, pyast.Name)
        and stmt.value.func.id == name
        and not stmt.value.args
        and not stmt.value.keywords
    )


def _is_docstring(stmt: pyast.stmt, body: list[pyast.stmt]) -> bool:
    return (
        stmt is body[0]
        and isinstance(stmt, pyast.Expr)
        and isinstance(stmt.value, pyast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _skip_docstring(body: list[pyast.stmt]) -> list[pyast.stmt]:
    return body[1:] if body and _is_docstring(body[0], body) else body


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
