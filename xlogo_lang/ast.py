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
