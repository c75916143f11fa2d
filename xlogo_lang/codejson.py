"""The reference code JSON (`{"run": [...]}`) ↔ AST.

Reading validates as strictly as the reference's `Code` object (exactly one top-level key, no
extra keys in blocks, repeat counts 1..12, the six pen colours) and names the JSON path of the
first problem. Documented differences: `setpc` with a null value, which the reference draws in
black, reads as `setpc(black)`; the `cursor` block, which the reference accepts and then fails to
run, is rejected.
"""

from __future__ import annotations

from typing import Any

from .ast import (
    BASIC,
    MAX_DEPTH,
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    Block,
    Command,
    Program,
    Repeat,
    SetPenColor,
)
from .errors import ProgramError


def to_json(prog: Program) -> dict[str, Any]:
    return {"run": _blocks_to_json(prog.body)}


def _blocks_to_json(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, Repeat):
            out.append(
                {"type": "repeat", "times": block.times, "body": _blocks_to_json(block.body)}
            )
        elif isinstance(block, SetPenColor):
            out.append({"type": "setpc", "value": block.color})
        else:
            out.append({"type": block.kind})
    return out


def from_json(obj: Any, *, file: str | None = None) -> Program:
    if not isinstance(obj, dict):
        raise ProgramError(f"code JSON must be an object, not {type(obj).__name__}", file=file)
    if list(obj) != ["run"]:
        raise ProgramError('code JSON must have exactly one key, "run"', file=file, path="$")
    return Program(_blocks_from_json(obj["run"], "run", file, 0))


def _blocks_from_json(items: Any, path: str, file: str | None, level: int) -> tuple[Block, ...]:
    if not isinstance(items, list):
        raise ProgramError("expected a list of blocks", file=file, path=path)
    return tuple(
        _block_from_json(item, f"{path}[{i}]", file, level) for i, item in enumerate(items)
    )


def _block_from_json(item: Any, path: str, file: str | None, level: int) -> Block:
    def bad(msg: str) -> ProgramError:
        return ProgramError(msg, file=file, path=path)

    if not isinstance(item, dict) or "type" not in item:
        raise bad('a block must be an object with a "type"')
    kind = item["type"]
    keys = set(item)
    if kind in BASIC:
        if keys != {"type"}:
            raise bad(f"unexpected keys {sorted(keys - {'type'})} in a {kind} block")
        return Command(kind)
    if kind == "setpc":
        if keys != {"type", "value"}:
            raise bad('a setpc block has exactly the keys "type" and "value"')
        value = item["value"]
        if value is None:
            value = "black"
        if value not in PEN_COLORS:
            raise bad(f"unknown pen colour {value!r}; the colours are {', '.join(PEN_COLORS)}")
        return SetPenColor(value)
    if kind == "repeat":
        if keys != {"type", "times", "body"}:
            raise bad('a repeat block has exactly the keys "type", "times" and "body"')
        times = item["times"]
        if isinstance(times, bool) or not isinstance(times, int):
            raise bad("repeat times must be an integer")
        if not MIN_TIMES <= times <= MAX_TIMES:
            raise bad(f"repeat count {times} is outside {MIN_TIMES}..{MAX_TIMES}")
        if level >= MAX_DEPTH:
            raise bad(f"repeats nested more than {MAX_DEPTH} deep")
        return Repeat(times, _blocks_from_json(item["body"], f"{path}.body", file, level + 1))
    raise bad(f"unknown block type {kind!r}")
