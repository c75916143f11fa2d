"""The typed AST of Mini programs.

Nodes are frozen dataclasses so programs can be hashed, deduplicated and used as dict keys by the
solver and the generator. Source spans are carried on every node but excluded from equality and
hashing: `parse("fd rt")` equals `parse("fd\\nrt\\n")`.

This module never imports the parser, the interpreter or anything above it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from .errors import ProgramError, number_text, quoted

MOVES = ("fd", "bk")
TURNS = ("lt", "rt")
BASIC = ("fd", "bk", "lt", "rt")
BLOCK_TYPES = ("fd", "bk", "lt", "rt", "setpc", "repeat")
PEN_COLORS = ("red", "black", "blue", "green", "yellow", "white")
MIN_TIMES, MAX_TIMES = 1, 12
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
    color: str
    span: Span | None = field(default=None, compare=False, repr=False)
    color_span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def type(self) -> str:
        return "setpc"


@dataclass(frozen=True, slots=True)
class Repeat:
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


def check_tree(prog: object, *, ranges: bool = True) -> None:
    """Raise ProgramError, naming the node's path (`body[0].body[2].times`), at the first node of
    a hand-built AST that the parser could never have built: a node of another type, a command
    other than fd/bk/lt/rt, repeats nested past MAX_DEPTH and, with `ranges`, a repeat count
    outside 1..12 or an unknown pen colour (the checker reports those two as diagnostics
    instead). Text and code JSON are checked while they are read; this is for the ASTs that
    tools and generators build themselves, so that running one is never silently wrong or a
    traceback. Iterative and linear: the tree may be hostile."""
    if not isinstance(prog, Program):
        raise TypeError(f"expected a Program, got {type(prog).__name__}")
    if not _tree_ok(prog.body, ranges):
        _raise_first_problem(prog, ranges)


_BASIC_SET = frozenset(BASIC)
_COLOR_SET = frozenset(PEN_COLORS)


def _tree_ok(body: object, ranges: bool) -> bool:
    """The fast pass: whether every node passes (run calls it on every program built by hand,
    so it costs a fraction of a run, and builds no path)."""
    stack = [(body, 1)]
    while stack:
        blocks, level = stack.pop()
        if type(blocks) is not tuple:
            return False
        for block in blocks:
            t = type(block)
            if t is Command:
                if block.kind not in _BASIC_SET:
                    return False
            elif t is SetPenColor:
                if ranges and block.color not in _COLOR_SET:
                    return False
            elif t is Repeat:
                n = block.times
                if type(n) is not int or level > MAX_DEPTH:
                    return False
                if not MIN_TIMES <= n <= MAX_TIMES and (ranges or n.bit_length() > 2000):
                    return False
                stack.append((block.body, level + 1))
            else:
                return False
    return True


def _raise_first_problem(prog: Program, ranges: bool) -> None:
    """The slow pass of `check_tree`: the same checks, naming the first problem's path."""
    stack: list[tuple[object, str, int]] = [(prog.body, "body", 1)]
    while stack:
        blocks, path, level = stack.pop()
        if not isinstance(blocks, tuple):
            raise ProgramError(
                f"a body must be a tuple of blocks, found {type(blocks).__name__}", path=path
            )
        for i, block in enumerate(blocks):
            here = f"{path}[{i}]"
            if isinstance(block, Command):
                if block.kind not in BASIC:
                    raise ProgramError(
                        f"unknown command {quoted(str(block.kind))} (the commands are "
                        f"{', '.join(BASIC)})",
                        path=f"{here}.kind",
                    )
            elif isinstance(block, SetPenColor):
                if ranges and block.color not in PEN_COLORS:
                    raise ProgramError(
                        f"unknown pen colour {quoted(str(block.color))}; the colours are "
                        f"{', '.join(PEN_COLORS)}",
                        path=f"{here}.color",
                    )
            elif isinstance(block, Repeat):
                times = block.times
                if isinstance(times, bool) or not isinstance(times, int):
                    raise ProgramError(
                        f"a repeat count must be an integer, found {type(times).__name__}",
                        path=f"{here}.times",
                    )
                if (ranges or times.bit_length() > 2000) and not MIN_TIMES <= times <= MAX_TIMES:
                    # (without `ranges`, still no count too long to print: Python refuses it)
                    raise ProgramError(
                        f"repeat count {number_text(times)} is outside {MIN_TIMES}..{MAX_TIMES}",
                        path=f"{here}.times",
                    )
                if level > MAX_DEPTH:  # (the path, 64 levels of it, keeps its ends)
                    where = f"{here[:24]}…{here[-32:]}" if len(here) > 60 else here
                    raise ProgramError(f"repeats nested more than {MAX_DEPTH} deep", path=where)
                stack.append((block.body, f"{here}.body", level + 1))
            else:
                raise ProgramError(
                    f"not a block: {type(block).__name__} (a block is a Command, SetPenColor "
                    "or Repeat)",
                    path=here,
                )
