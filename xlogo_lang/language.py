"""The one description of the Mini language's surface: vocabulary, value ranges and answer forms.

Everything that writes or constrains programs in a given form reads it from here: the
Python-style printer and reader (`python_form`), and every grammar export for constrained
decoding (`grammar_export`: GBNF, Lark and the JSON Schema of the code JSON). Keeping one
description is what guarantees that the grammar handed to a model server admits exactly what
xlogo prints and reads; a test checks that rendering the text form from this description
reproduces the canonical printer (`printer.to_text`) byte for byte.

This module only describes; it never parses, runs or imports anything above `ast`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .ast import (
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    Block,
    CommandKind,
    Program,
    Repeat,
    SetPenColor,
    printable_blocks,
)


@dataclass(frozen=True, slots=True)
class Action:
    """One basic action: its AST kind (also its text-form name and code-JSON type) and its
    Python-style function, plus the other function names the Python-style reader accepts."""

    kind: CommandKind
    python: str
    aliases: tuple[str, ...] = ()


ACTIONS: tuple[Action, ...] = (
    Action("fd", "move_forward", ("move_forwards", "forward", "fd")),
    Action("bk", "move_back", ("move_backward", "move_backwards", "back", "backward", "bk")),
    Action("lt", "turn_left", ("left", "lt")),
    Action("rt", "turn_right", ("right", "rt")),
)
# The Python form's calls as a hint lists them: `move_forward(), ..., setpc("red")`.
PYTHON_CALLS = ", ".join(f"{a.python}()" for a in ACTIONS) + ', setpc("red")'
COLORS: tuple[str, ...] = PEN_COLORS
REPEAT_COUNTS: tuple[int, ...] = tuple(range(MIN_TIMES, MAX_TIMES + 1))

# The Python-style pen-colour function and the other names its reader accepts.
SETPC_PYTHON = "setpc"
SETPC_ALIASES: tuple[str, ...] = ("setpencolor", "setpencolour", "set_pen_color", "set_pen_colour")

# The code JSON (`{"run": [...]}`): its one top-level key and the keys of the valued blocks.
JSON_ROOT = "run"
JSON_SETPC_VALUE = "value"
JSON_REPEAT_TIMES = "times"
JSON_REPEAT_BODY = "body"

# How deep the Python-style grammar export lets repeats nest by default (see `grammar_export`):
# reference solutions nest at most 2 deep and the deepest program of the oracle corpus nests 5
# (a call-limit stress case), so 8 leaves headroom while keeping the grammar a few dozen rules.
PYTHON_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Form:
    """How one answer form writes a program, line by line.

    Values sit between a prefix and a suffix (`setpc` = ("setpc(", ")") writes `setpc(red)`), so a
    grammar generator can put a colour or count rule between two literals. A form whose loops
    have no closing line (`loop_close is None`) delimits bodies by indentation alone; an empty body
    is then written as the `empty_body` line.
    """

    name: str
    header: str | None  # the line before the body (the Python form's `def Run():`), if any
    indent: str  # one level of indentation
    actions: tuple[tuple[CommandKind, str], ...]  # (kind, line) for each basic action
    setpc: tuple[str, str]  # prefix and suffix around the colour
    loop_open: tuple[str, str]  # prefix and suffix around the repeat count
    loop_close: str | None  # the line that ends a loop body, or None: bodies end by indentation
    empty_body: str | None  # the line standing for an empty body, or None: it is just empty
    # a colour is written as a string literal's contents, escaped (a colour outside the six,
    # kept by a lenient parse or built by hand, may hold a quote, a backslash or a newline)
    escape_colour: bool = False

    @property
    def indentation_sensitive(self) -> bool:
        return self.loop_close is None

    @property
    def base_level(self) -> int:
        """Indentation level of the program's top-level blocks (1 under a header)."""
        return 0 if self.header is None else 1


TEXT = Form(
    name="text",
    header=None,
    indent="  ",
    actions=tuple((a.kind, a.kind) for a in ACTIONS),
    setpc=("setpc(", ")"),
    loop_open=("repeat(", "){"),
    loop_close="}",
    empty_body=None,
)

PYTHON = Form(
    name="python",
    header="def Run():",
    indent="  ",  # the paper's Figure 1 indents by two spaces
    actions=tuple((a.kind, f"{a.python}()") for a in ACTIONS),
    setpc=(f'{SETPC_PYTHON}("', '")'),
    loop_open=("for i in range(", "):"),
    loop_close=None,
    empty_body="pass",
    escape_colour=True,
)

FORMS: dict[str, Form] = {TEXT.name: TEXT, PYTHON.name: PYTHON}


def python_names() -> dict[str, str]:
    """Every function name the Python-style reader accepts -> AST kind ('setpc' for colours)."""
    names: dict[str, str] = {}
    for action in ACTIONS:
        for name in (action.python, *action.aliases):
            names[name] = action.kind
    for name in (SETPC_PYTHON, *SETPC_ALIASES):
        names[name] = "setpc"
    return names


def render(prog: Program | tuple[Block, ...], form: Form, who: str = "render") -> str:
    """The program written in `form`: one block per line, every line ending in a newline
    (`who`, the printer called, is named if `prog` is no program)."""
    blocks = printable_blocks(prog, who)
    lines: list[str] = []
    if form.header is not None:
        lines.append(form.header + "\n")
    lines.extend(_lines(blocks, form, dict(form.actions), form.base_level))
    if form.header is not None and not blocks and form.empty_body is not None:
        lines.append(form.indent * form.base_level + form.empty_body + "\n")
    return "".join(lines)


def _lines(
    blocks: tuple[Block, ...], form: Form, actions: dict[str, str], level: int
) -> Iterator[str]:
    pad = form.indent * level
    for block in blocks:
        if isinstance(block, Repeat):
            yield f"{pad}{form.loop_open[0]}{block.times}{form.loop_open[1]}\n"
            if block.body:
                yield from _lines(block.body, form, actions, level + 1)
            elif form.empty_body is not None:
                yield f"{pad}{form.indent}{form.empty_body}\n"
            if form.loop_close is not None:
                yield f"{pad}{form.loop_close}\n"
        elif isinstance(block, SetPenColor):
            colour = _escaped(block.color) if form.escape_colour else block.color
            yield f"{pad}{form.setpc[0]}{colour}{form.setpc[1]}\n"
        else:
            yield f"{pad}{actions[block.kind]}\n"


def _escaped(colour: str) -> str:
    """`colour` as the inside of a double-quoted Python string that reads back as it: a quote
    and a backslash escaped, and anything not printable (a newline, a NUL, a line separator, a
    lone surrogate) as Python's own escape, which the Python-style reader decodes."""
    if colour.isprintable() and '"' not in colour and "\\" not in colour:
        return colour
    return "".join(
        "\\" + ch if ch in '"\\' else ch if ch.isprintable() else repr(ch)[1:-1] for ch in colour
    )
