"""The reference code JSON (`{"run": [...]}`) ↔ AST.

Reading validates as strictly as the reference's `Code` object (exactly one top-level key, no
extra keys in blocks, repeat counts 1..12, the six pen colours) and names the JSON path of the
first problem. Documented differences: `setpc` with a null value, which the reference draws in
black, reads as `setpc(black)`; the `cursor` block, which the reference accepts and then fails to
run, is rejected.

`loads` reads code JSON *text* (what `parser.parse` hands it when a program starts with `{"`):
numbers too long to convert and nesting too deep for the JSON decoder become `ParseError`s like
the text form's (a count outside 1..12, repeats nested more than 64 deep), never a ValueError or
a RecursionError.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .ast import (
    BASIC,
    COUNT_RANGE_HINT,
    MAX_DEPTH,
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    PEN_COLOUR,
    REPEAT_RANGE,
    Block,
    Command,
    Program,
    Repeat,
    SetPenColor,
    check_tree,
    count_out_of_range,
    unknown_colour,
)
from .errors import (
    FileName,
    ParseError,
    ProgramError,
    caret_excerpt,
    digits_text,
    file_name,
    json_message,
    json_place,
    number_text,
    quoted,
    shorten,
    too_many_digits,
)


class LongNumber(str):
    """A JSON integer with more than MAX_NUMBER_DIGITS digits, kept as its digits."""


def parse_int(digits: str) -> int | LongNumber:
    """The `parse_int` hook of xlogo's JSON decoders: huge integers stay text."""
    if too_many_digits(digits):
        return LongNumber(digits)
    return int(digits)


_DECODER = json.JSONDecoder(parse_int=parse_int)


def loads(text: str, *, file: str | None = None) -> Program:
    """The program a code JSON document (`{"run": [...]}`) holds; ParseError if it holds none.

    Errors carry the line and column of a JSON syntax error, or the JSON path of the block that
    is not valid (as `from_json` names it).
    """
    try:
        data = _decode(text)
    except json.JSONDecodeError as exc:
        line, column = json_place(exc)
        raise ParseError(
            f"not valid JSON: {json_message(exc)}",
            file=file,
            line=line,
            column=column,
            excerpt=caret_excerpt(text, line, column) or None,
        ) from None
    try:
        return from_json(data, file=file)
    except ParseError:
        raise
    except ProgramError as exc:
        raise ParseError(
            exc.message, file=file, path=exc.path, hint=exc.hint, rule=exc.rule
        ) from None


# Containers deeper than this cannot be part of a program (each repeat adds an object and its
# body list): `{"run": [` + MAX_DEPTH repeats + a leaf. The decoder recurses in C and stops at
# Python's recursion limit, about 1,000 levels.
_DEEPEST = 2 + 2 * MAX_DEPTH + 2
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _decode(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except RecursionError:
        pass
    # Too deep for the decoder, so not a program. To name what is wrong as `from_json` would
    # (repeats nested more than 64 deep, a block that is not an object, ...), the first container
    # that opens deeper than any program nests is replaced by null and the document decoded
    # again. The text before it is valid JSON (the decoder got that far), so the scan of
    # strings and brackets below reads it right.
    closers: list[str] = []
    for m in _STRUCTURE.finditer(text):
        tok = m.group()
        if tok == "[" or tok == "{":
            if len(closers) == _DEEPEST:
                cut = m.start()
                return _DECODER.decode(text[:cut] + "null" + "".join(reversed(closers)))
            closers.append("]" if tok == "[" else "}")
        elif (tok == "]" or tok == "}") and closers:  # (unbalanced only past an error)
            closers.pop()
    raise json.JSONDecodeError("nested too deeply", text, 0)


def to_json(prog: Program | tuple[Block, ...]) -> dict[str, Any]:
    """The reference's code JSON of `prog` (a Program, or a tuple of blocks as the printers
    take). A hand-built tree is checked whole, ranges included: what `to_json` writes,
    `from_json` (and the reference) reads back."""
    if isinstance(prog, tuple):
        prog = Program(prog)
    check_tree(prog, who="to_json")
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


def from_json(obj: Any, *, file: FileName | None = None) -> Program:
    """The program of decoded code JSON; ProgramError naming the JSON path of the first problem."""
    file = file_name(file, "file")
    if not isinstance(obj, dict):
        raise ProgramError(f"code JSON must be an object, not {_kind(obj)}", file=file)
    if list(obj) != ["run"]:
        raise ProgramError('code JSON must have exactly one key, "run"', file=file, path="$")
    return Program(_blocks_from_json(obj["run"], "run", file, 0))


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _show(value: Any) -> str:
    """A JSON value for a message, short whatever it is."""
    if isinstance(value, LongNumber):
        return digits_text(value)
    if isinstance(value, str):
        return quoted(value)
    if value is None or isinstance(value, bool | int | float):
        return shorten(repr(value))
    return "an object" if isinstance(value, dict) else f"a {_kind(value)}"


def _blocks_from_json(items: Any, path: str, file: str | None, level: int) -> tuple[Block, ...]:
    if not isinstance(items, list):
        raise ProgramError("expected a list of blocks", file=file, path=path)
    return tuple(
        _block_from_json(item, f"{path}[{i}]", file, level) for i, item in enumerate(items)
    )


def _block_from_json(item: Any, path: str, file: str | None, level: int) -> Block:
    def bad(msg: str, rule: str | None = None, hint: str | None = None) -> ProgramError:
        # a path 64 repeats deep is 900 characters: keep its start and its end
        shown = path if len(path) <= 100 else f"{path[:60]}…{path[-30:]}"
        return ProgramError(msg, file=file, path=shown, rule=rule, hint=hint)

    if not isinstance(item, dict) or "type" not in item:
        raise bad('a block must be an object with a "type"')
    kind = item["type"]
    keys = set(item)
    if kind in BASIC:
        if keys != {"type"}:
            raise bad(f"unexpected keys {shorten(str(sorted(keys - {'type'})))} in a {kind} block")
        return Command(kind)
    if kind == "setpc":
        if keys != {"type", "value"}:
            raise bad('a setpc block has exactly the keys "type" and "value"')
        value = item["value"]
        if value is None:
            value = "black"
        if value not in PEN_COLORS:
            raise bad(unknown_colour(_show(value)), PEN_COLOUR)
        return SetPenColor(value)
    if kind == "repeat":
        if keys != {"type", "times", "body"}:
            raise bad('a repeat block has exactly the keys "type", "times" and "body"')
        times = item["times"]
        if isinstance(times, LongNumber):
            raise bad(count_out_of_range(digits_text(times)), REPEAT_RANGE, COUNT_RANGE_HINT)
        if isinstance(times, bool) or not isinstance(times, int):
            raise bad("repeat times must be an integer")
        if not MIN_TIMES <= times <= MAX_TIMES:
            raise bad(count_out_of_range(number_text(times)), REPEAT_RANGE, COUNT_RANGE_HINT)
        if level >= MAX_DEPTH:
            raise bad(f"repeats nested more than {MAX_DEPTH} deep")
        return Repeat(times, _blocks_from_json(item["body"], f"{path}.body", file, level + 1))
    raise bad(f"unknown block type {_show(kind)}")
