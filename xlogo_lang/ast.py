"""The typed AST of Mini programs.

Nodes are frozen dataclasses so programs can be hashed, deduplicated and used as dict keys by the
solver and the generator. Source spans are carried on every node but excluded from equality and
hashing: `parse("fd rt")` equals `parse("fd\\nrt\\n")`.

This module never imports the parser, the interpreter or anything above it at load time;
`Program.__str__` imports the printer when a program is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from .errors import ProgramError, number_text, quoted

BASIC = ("fd", "bk", "lt", "rt")
BLOCK_TYPES = ("fd", "bk", "lt", "rt", "setpc", "repeat")
PEN_COLORS = ("red", "black", "blue", "green", "yellow", "white")
MIN_TIMES, MAX_TIMES = 1, 12
# The checker's rules for a value out of range, which every reader's error carries
# (`ProgramError.rule`), so that `check` reports it as such whichever reader found it.
REPEAT_RANGE, PEN_COLOUR = "repeat-range", "pen-colour"
# Deepest nesting of repeats a program may have. Real programs nest at most 3 deep, and with counts
# of 2 or more anything past 17 levels exceeds the call cap; the limit keeps every recursive walk
# of the AST (printing, hashing, counting) far from Python's recursion limit on hostile input.
MAX_DEPTH = 64

CommandKind: TypeAlias = Literal["fd", "bk", "lt", "rt"]


@dataclass(frozen=True, slots=True)
class Span:
    """1-based line/column of the first character and the position just after the last one."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_dict(self) -> dict[str, int]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@dataclass(frozen=True, slots=True)
class Command:
    """fd, bk, lt or rt."""

    kind: CommandKind
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def type(self) -> str:
        return self.kind


@dataclass(frozen=True, slots=True)
class SetPenColor:
    """setpc(color): the colour later moves draw in (one of PEN_COLORS once checked)."""

    color: str
    span: Span | None = field(default=None, compare=False, repr=False)
    color_span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def type(self) -> str:
        return "setpc"


@dataclass(frozen=True, slots=True)
class Repeat:
    """repeat(times){body}: `times` in 1..12 once checked; `body` a tuple of blocks."""

    times: int
    body: tuple[Block, ...]
    span: Span | None = field(default=None, compare=False, repr=False)
    times_span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def type(self) -> str:
        return "repeat"


Block: TypeAlias = Command | SetPenColor | Repeat


@dataclass(frozen=True, slots=True)
class Program:
    """A whole program: its top-level blocks. Spans are kept but take no part in equality."""

    body: tuple[Block, ...] = ()

    def __len__(self) -> int:
        """The number of blocks, counted as the constraints count them (no unrolling)."""
        return sum(1 for _ in walk(self.body))

    def __str__(self) -> str:
        from .printer import to_text

        return to_text(self)


def walk(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, depth first, in source order (a repeat before its body), in linear time.

    (An explicit stack of iterators: recursive generators would pass each block through one
    frame per enclosing repeat, 64 times the work on a large program nested 64 deep.)
    """
    stack = [iter(blocks)]
    while stack:
        for block in stack[-1]:
            yield block
            if isinstance(block, Repeat) and block.body:
                stack.append(iter(block.body))
                break
        else:
            stack.pop()


def depth(blocks: tuple[Block, ...]) -> int:
    """Nesting depth of repeats (0 for straight-line code)."""
    return max(
        (1 + depth(b.body) for b in blocks if isinstance(b, Repeat)),
        default=0,
    )


def call_count(blocks: tuple[Block, ...]) -> int:
    """How many basic actions running `blocks` performs, computed without unrolling."""
    total = 0
    for block in blocks:
        if isinstance(block, Repeat):
            total += block.times * call_count(block.body)
        else:
            total += 1
    return total


def program(*blocks: Block) -> Program:
    return Program(tuple(blocks))


def check_tree(prog: object, *, ranges: bool = True, who: str | None = None) -> None:
    """Raise ProgramError, naming the node's path (`body[0].body[2].times`), at the first node of
    a hand-built AST that the parser could never have built: a node of another type, a command
    other than fd/bk/lt/rt, repeats nested past MAX_DEPTH and, with `ranges`, a repeat count
    outside 1..12 or an unknown pen colour (the checker reports those two as diagnostics
    instead). Text and code JSON are checked while they are read; this is for the ASTs that
    tools and generators build themselves, so that running one is never silently wrong or a
    traceback. Iterative and linear: the tree may be hostile. `who`, the public function it
    was given to, names the caller's slip when `prog` is no Program at all."""
    if not isinstance(prog, Program):
        raise TypeError(f"{who or 'check_tree'} expects a Program, got {type(prog).__name__}")
    # the path of a body is the indexes of the repeats around it, joined only for an error
    stack: list[tuple[object, tuple[int, ...]]] = [(prog.body, ())]
    while stack:
        blocks, where = stack.pop()
        if not isinstance(blocks, tuple):
            raise ProgramError(
                f"a body must be a tuple of blocks, found {type(blocks).__name__}",
                path=_path(where, None, ""),
            )
        for i, block in enumerate(blocks):
            problem = _problem(block, ranges)
            if problem is not None:
                field, message = problem
                raise ProgramError(message, path=_path(where, i, field))
            if isinstance(block, Repeat):
                if len(where) + 1 > MAX_DEPTH:  # (the path, 64 levels of it, keeps its ends)
                    here = _path(where, i, "")
                    here = f"{here[:24]}…{here[-32:]}" if len(here) > 60 else here
                    raise ProgramError(f"repeats nested more than {MAX_DEPTH} deep", path=here)
                stack.append((block.body, (*where, i)))


def printable_blocks(prog: Program | tuple[Block, ...], who: str) -> tuple[Block, ...]:
    """The blocks to print, once `check_tree` has made sure a recursive printer can walk them (a
    hand-built tree may hold anything, nested any depth); counts and colours out of range are
    printed as they are, for `check` to report. `who` is the printer, named in a TypeError."""
    if not isinstance(prog, (Program, tuple)):
        kind = type(prog).__name__
        raise TypeError(f"{who} expects a Program (or a tuple of blocks), got {kind}")
    check_tree(prog if isinstance(prog, Program) else Program(prog), ranges=False)
    return prog.body if isinstance(prog, Program) else prog


def unknown_colour(colour: str) -> str:
    """How a pen colour outside PEN_COLORS is worded, whichever reader finds it (`colour` as it
    is shown, quoted)."""
    return f"unknown pen colour {colour}; the colours are {', '.join(PEN_COLORS)}"


COUNT_RANGE_HINT = f"use a count from {MIN_TIMES} to {MAX_TIMES}; nest two repeats for more"


def count_out_of_range(count: str) -> str:
    """How a repeat count out of range is worded, whichever reader finds it (`count` as it is
    shown: `number_text` or `digits_text`)."""
    return f"repeat count {count} is outside {MIN_TIMES}..{MAX_TIMES}"


def _problem(block: object, ranges: bool) -> tuple[str, str] | None:
    """What is wrong with one node itself (the field, and why), or None."""
    if isinstance(block, Command):
        if block.kind not in BASIC:
            kind = quoted(str(block.kind))
            return "kind", f"unknown command {kind} (the commands are {', '.join(BASIC)})"
    elif isinstance(block, SetPenColor):
        if not isinstance(block.color, str):
            return "color", f"a pen colour must be a string, found {type(block.color).__name__}"
        if ranges and block.color not in PEN_COLORS:
            return "color", unknown_colour(quoted(block.color))
    elif isinstance(block, Repeat):
        times = block.times
        if isinstance(times, bool) or not isinstance(times, int):
            return "times", f"a repeat count must be an integer, found {type(times).__name__}"
        # without `ranges`, still no count too long to print: Python refuses to
        if not MIN_TIMES <= times <= MAX_TIMES and (ranges or times.bit_length() > 2000):
            return "times", count_out_of_range(number_text(times))
    else:
        kinds = "a Command, SetPenColor or Repeat"
        return "", f"not a block: {type(block).__name__} (a block is {kinds})"
    return None


def _path(where: tuple[int, ...], i: int | None, field: str) -> str:
    """`body[0].body[2].times`: the body at `where`, its block `i`, that block's `field`."""
    path = "body" + "".join(f"[{j}].body" for j in where)
    if i is not None:
        path += f"[{i}]"
    return f"{path}.{field}" if field else path
