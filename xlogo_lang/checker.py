"""Static diagnostics for a program: every problem found without running it, each with a span.

`check(source, task)` reports syntax errors, repeat counts outside 1..12, unknown pen colours,
empty repeat bodies and, given a task, its code constraints (counted as SEMANTICS.md section 6
says, by `Constraints.check`). Diagnostics are ruff/rustc style: a rule name, a message that says
what is wrong in words, a span, an optional hint, rendered with the source line and a caret, or as
JSON for machines. `xlogo check` and the error paths of the other commands share this type.

This module never runs programs, never looks at goals and never imports the CLI: whether a
program solves a task is `verdict.run`'s job.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .ast import (
    COUNT_RANGE_HINT,
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    PEN_COLOUR,
    REPEAT_RANGE,
    Block,
    Program,
    Repeat,
    SetPenColor,
    Span,
    check_tree,
    count_out_of_range,
    walk,
)
from .errors import (
    FileName,
    ProgramError,
    caret_excerpt,
    file_name,
    number_text,
    quoted,
    report,
    shorten,
    source_lines,
)
from .parser import parse
from .tasks import Task

if TYPE_CHECKING:
    from .constraints import Violation

SEVERITIES = ("error", "warning")
RULES = ("syntax", REPEAT_RANGE, PEN_COLOUR, "empty-repeat", "at-most", "exactly", "start-by")
_VIOLATION_RULES = {"at_most": "at-most", "exactly": "exactly", "start_by": "start-by"}


@dataclass(frozen=True)
class Diagnostic:
    """One problem: how bad, which rule, what in words, where, and how to fix it."""

    severity: str  # "error" | "warning"
    rule: str  # one of RULES
    message: str  # names the rule in words, e.g. "7 commands used; this task allows at most 6"
    span: Span | None
    hint: str | None = None
    # where it is in a program read from code JSON (which has no spans): `run[2].body[0]`
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        sp = self.span
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "line": sp.line if sp else None,
            "column": sp.column if sp else None,
            "end_line": sp.end_line if sp else None,
            "end_column": sp.end_column if sp else None,
            "path": self.path,
            "hint": self.hint,
        }

    def render(self, source: str | None = None, filename: FileName | None = None) -> str:
        """`prog.txt: line 3, column 5: <message>`, then the source line with a caret, then the
        hint: the place worded as every other error's (`XlogoError`), column included."""
        name = file_name(filename)
        where = [name] if name else []
        if self.span is not None:
            where.append(f"line {self.span.line}, column {self.span.column}")
        elif self.path is not None:
            where.append(self.path)
        excerpt = None
        if source is not None and self.span is not None:
            excerpt = caret_excerpt(source, self.span.line, self.span.column, self._width(source))
        return report(": ".join(where), self.message, excerpt, self.hint)

    def _width(self, source: str) -> int:
        """Caret width: the span on its first line (to the end of that line if it goes on)."""
        sp = self.span
        assert sp is not None
        if sp.end_line == sp.line:
            return max(sp.end_column - sp.column, 1)
        lines = source_lines(source)
        if 1 <= sp.line <= len(lines):
            return max(len(lines[sp.line - 1]) - sp.column + 1, 1)
        return 1

    def sort_key(self) -> tuple[float, float, int]:
        """Source order; diagnostics without a span (whole-program rules) come last."""
        sp = self.span
        if sp is None:
            return (float("inf"), float("inf"), 0)
        return (sp.line, sp.column, SEVERITIES.index(self.severity))


def check(
    source: str | Program, task: Task | None = None, *, filename: FileName | None = None
) -> list[Diagnostic]:
    """Every static problem of `source` (program text, code JSON text, or a parsed Program).

    A syntax error stops the analysis (there is no program to look at) and is the only
    diagnostic. Otherwise all range problems and empty repeats are reported, then the task's
    constraint violations, sorted by position.
    """
    if task is not None and not isinstance(task, Task):
        raise TypeError(f"check expects a Task or None, got {type(task).__name__}")
    if isinstance(source, Program):
        try:  # built by hand: only what the parser checks as it reads stops the analysis
            check_tree(source, ranges=False)
        except ProgramError as err:
            return [_from_error(err)]
        prog = source
    elif isinstance(source, str):
        try:
            prog = parse(source, filename=filename, strict=False)
        except ProgramError as err:
            return [_from_error(err)]
    else:
        raise TypeError(f"check expects a str or a Program, got {type(source).__name__}")
    # (walk index of the block pointed at, diagnostic): the index names a block without spans
    found: list[tuple[int | None, Diagnostic]] = [*_range_diagnostics(prog), *_empty_repeats(prog)]
    if task is not None:
        found.extend((v.at, _from_violation(v)) for v in task.constraints.check(prog))
    if any(d.span is None and at is not None for at, d in found):
        paths = _json_paths(prog)
        found = [
            (at, replace(d, path=paths[at]) if d.span is None and at is not None else d)
            for at, d in found
        ]
    # source order; without spans (code JSON) block order, whole-program rules last
    last = float("inf")
    found.sort(key=lambda p: (*p[1].sort_key(), last if p[0] is None else p[0]))
    return [d for _, d in found]


def _json_paths(prog: Program) -> list[str]:
    """The code JSON path of every block, in `walk` order (`run[1].body[0]`)."""
    out: list[str] = []
    stack: list[tuple[str, Iterator[tuple[int, Block]]]] = [("run", iter(enumerate(prog.body)))]
    while stack:
        base, blocks = stack[-1]
        for i, block in blocks:
            out.append(f"{base}[{i}]")
            if isinstance(block, Repeat) and block.body:
                stack.append((f"{base}[{i}].body", iter(enumerate(block.body))))
                break
        else:
            stack.pop()
    return out


def _from_error(err: ProgramError) -> Diagnostic:
    """A ParseError (or a code JSON error) as the one `syntax` (or range) diagnostic."""
    span = None
    if err.line is not None:
        col = err.column or 1
        span = Span(err.line, col, err.line, col + 1)
    # code JSON is validated strictly while it is read: its range errors carry their rule, and
    # its errors their place as a path (`run[0].body[2]`), which `render` shows before the message
    return Diagnostic("error", err.rule or "syntax", err.message, span, err.hint, err.path)


def _range_diagnostics(prog: Program) -> list[tuple[int, Diagnostic]]:
    out = []
    for at, block in enumerate(walk(prog.body)):
        if isinstance(block, Repeat) and not MIN_TIMES <= block.times <= MAX_TIMES:
            out.append(
                (
                    at,
                    Diagnostic(
                        "error",
                        REPEAT_RANGE,
                        count_out_of_range(number_text(block.times)),
                        block.times_span or block.span,
                        COUNT_RANGE_HINT,
                    ),
                )
            )
        elif isinstance(block, SetPenColor) and block.color not in PEN_COLORS:
            close = difflib.get_close_matches(shorten(block.color), PEN_COLORS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            out.append(
                (
                    at,
                    Diagnostic(
                        "error",
                        PEN_COLOUR,
                        f"unknown pen colour {quoted(block.color)}",
                        block.color_span or block.span,
                        f"{hint}the pen colours are {', '.join(PEN_COLORS)}",
                    ),
                )
            )
    return out


def _empty_repeats(prog: Program) -> list[tuple[int, Diagnostic]]:
    return [
        (
            at,
            Diagnostic(
                "warning",
                "empty-repeat",
                f"repeat({block.times}) has an empty body and does nothing",
                block.span,
                "remove it, or put commands between the brackets (it still counts as a block)",
            ),
        )
        for at, block in enumerate(walk(prog.body))
        if isinstance(block, Repeat) and not block.body
    ]


def _from_violation(v: Violation) -> Diagnostic:
    rule = _VIOLATION_RULES.get(v.rule, v.rule)
    hint = None
    if rule == "at-most" and v.key == "all":
        hint = "repeat(n){...} counts as one block plus its body: use it for repeated commands"
    elif rule == "exactly" and "forbids" in v.message:
        hint = "find a way around it with the other commands"
    elif rule == "start-by":
        hint = "the first top-level blocks must be exactly these, in this order"
    return Diagnostic("error", rule, v.message, v.span, hint)
