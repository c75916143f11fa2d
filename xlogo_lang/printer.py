"""AST → text: the one canonical printer.

The canonical form is the reference's text form byte for byte: one block per line, two spaces of
indent per level, `repeat(N){` ... `}`, `setpc(c)`, every line ending in a newline, and the empty
program printing as the empty string.
"""

from __future__ import annotations

import re

from .ast import Block, Program, Repeat, SetPenColor, printable_blocks


def to_text(prog: Program | tuple[Block, ...]) -> str:
    """The canonical text form (what `xlogo fmt` prints), one block per line."""
    blocks = printable_blocks(prog, "to_text")
    out: list[str] = []
    _emit(blocks, 0, out)
    return "".join(out)


def _emit(blocks: tuple[Block, ...], level: int, out: list[str]) -> None:
    pad = "  " * level
    for block in blocks:
        if isinstance(block, Repeat):
            out.append(f"{pad}repeat({block.times}){{\n")
            _emit(block.body, level + 1, out)
            out.append(f"{pad}}}\n")
        elif isinstance(block, SetPenColor):
            out.append(f"{pad}setpc({_colour(block.color)})\n")
        else:
            out.append(f"{pad}{block.kind}\n")


def to_compact(prog: Program | tuple[Block, ...]) -> str:
    """One-line form for tables and logs: `fd rt repeat(3){fd} setpc(red)`."""
    return _compact(printable_blocks(prog, "to_compact"))


def _compact(blocks: tuple[Block, ...]) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Repeat):
            parts.append(f"repeat({block.times}){{{_compact(block.body)}}}")
        elif isinstance(block, SetPenColor):
            parts.append(f"setpc({_colour(block.color)})")
        else:
            parts.append(block.kind)
    return " ".join(parts)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _colour(color: str) -> str:
    """A pen colour as the grammar reads it back: a word bare, anything else (an unknown colour
    a lenient parse kept, `x) repeat(3){fd`) quoted, so that it stays one setpc. The text form's
    strings have no escapes, so a colour holding both quote marks or a line break (only the
    Python form's escapes can write one) has no spelling that reads back."""
    if _WORD.match(color):
        return color
    return f"'{color}'" if '"' in color else f'"{color}"'
