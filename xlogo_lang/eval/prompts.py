"""Prompts: the exact text (and, in vision mode, the picture) a model is shown for a task.

A prompt is a plain template file with `--- system ---` and `--- user ---` sections and
`$placeholders` (Python `string.Template`), filled from the task:

* `$world`: the task in words (grid size, turtle cell and heading, walls, forbidden and missing
  cells, items with colours and counts, the target picture as a list and as a text map, and a
  text map of the grid); in vision mode a short legend of the attached picture instead;
* `$description`: the goal and code constraints as the core words them (`task.description`);
* `$answer_format`: how to write the answer (`answer_text.txt` or `answer_python.txt`);
* also `$task_id`, `$rows`, `$cols`, `$goal_kind`, `$constraints`.

A template must use `$world` or `$description` (or both): one with neither sends every task the
same prompt, and is a usage error naming the file.

The templates ship with the package (`xlogo_lang/eval/templates/`) and any other file can be
passed instead. `template_hash` identifies template + answer format + mode, so results from
different prompts are never mixed up (the eval runner keys its resume logic on it).

This module only builds prompts: it never calls a model and never scores anything.
"""

from __future__ import annotations

import base64
import hashlib
import os
import string
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..reading import cannot_open
from ..task_format import check_task
from ..tasks import Task
from ..world import LETTERS, World

MODES = ("text", "vision")
ANSWER_FORMATS = ("text", "python")
CONSTRAIN = (None, "grammar", "json")  # None: free decoding
DEFAULT_TEMPLATE = "default"
_SECTION = "--- {} ---"
# Bumped when the way `$world` is worded or the picture is drawn changes: part of the hash.
# 2: letter items are labelled by their letter (`A: black letter A`), not by grid position.
PROMPT_VERSION = "2"

_DIRECTION_WORDS = {0: "north (up)", 1: "east (right)", 2: "south (down)", 3: "west (left)"}
_ARROWS = "^>v<"
_COLOR_LETTERS = {"red": "R", "green": "G", "blue": "B", "yellow": "Y", "black": "K", "white": "W"}


@dataclass(frozen=True)
class Prompt:
    """One prompt: what is sent to the model, and a hash naming the template that made it."""

    system: str
    user: str
    image_png: bytes | None  # vision mode only
    template_hash: str

    def messages(self) -> list[dict[str, Any]]:
        """OpenAI chat messages; in vision mode the picture is a data: URL `image_url` part."""
        out: list[dict[str, Any]] = []
        if self.system:
            out.append({"role": "system", "content": self.system})
        if self.image_png is None:
            out.append({"role": "user", "content": self.user})
        else:
            url = "data:image/png;base64," + base64.b64encode(self.image_png).decode("ascii")
            out.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": self.user},
                        {"type": "image_url", "image_url": {"url": url}},
                    ],
                }
            )
        return out

    @property
    def image_sha256(self) -> str | None:
        return hashlib.sha256(self.image_png).hexdigest() if self.image_png is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the prompt (the picture by its hash: the task rebuilds it)."""
        return {
            "system": self.system,
            "user": self.user,
            "image_sha256": self.image_sha256,
            "template_hash": self.template_hash,
        }


def check_choice(name: str, value: object, allowed: tuple[str | None, ...]) -> None:
    """A setting that takes one of a few words (mode, answer format, constraint mode): anything
    else is a UsageError naming the setting and its words where it is given, not a KeyError or
    a prompt built for nothing further on. `build_prompt` and `EvalConfig` (under its option
    names, `--mode`) both check with this, so they accept and word the same things."""
    if value not in allowed:
        words = " or ".join(a for a in allowed if a is not None)
        if None in allowed:
            words += ", or None"
        raise UsageError(f"unknown {name} {value!r} (use {words})")


# -- templates -----------------------------------------------------------------------------------


def template_source(template: str | Path | None = None) -> tuple[str, str]:
    """(source text, name) of a template: a shipped name (`default`) or a file path. Anything
    else (a number, bytes) is a TypeError naming the argument, and an empty name a UsageError:
    as a path, "" is the current folder, "cannot read the template: Is a directory"."""
    if template is None:
        template = DEFAULT_TEMPLATE
    if not isinstance(template, (str, os.PathLike)):
        raise TypeError(f"template must be a str or a path, got {type(template).__name__}")
    if template == "":
        raise UsageError("the template name is empty (None: the shipped template)")
    shipped = files("xlogo_lang.eval").joinpath("templates", f"{template}.txt")
    if isinstance(template, str) and "/" not in template and shipped.is_file():
        return shipped.read_text(encoding="utf-8"), str(template)
    path = Path(template)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise UsageError(
            f"cannot read the template: {cannot_open(exc)}",
            file=str(path),
            hint=f"a template file, or the shipped template's name: {DEFAULT_TEMPLATE}",
        ) from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read the template: {exc}", file=str(path)) from None


def answer_format_text(answer_format: str, constrain: str | None = None) -> str:
    """What the prompt asks the answer to look like. Under constrained decoding the grammar or
    schema allows the program and nothing else (no reasoning, no fence; with `json`, code JSON
    whatever the answer format), so the prompt asks for just that (README, "Grammars for
    constrained decoding")."""
    check_choice("answer_format", answer_format, ANSWER_FORMATS)
    check_choice("constrain", constrain, CONSTRAIN)
    name = {None: answer_format, "grammar": f"{answer_format}_only", "json": "json_only"}[constrain]
    return files("xlogo_lang.eval").joinpath("templates", f"answer_{name}.txt").read_text("utf-8")


def split_sections(source: str, name: str = "<template>") -> tuple[str, str]:
    """(system, user) parts of a template; a file with no section markers is all user text.

    Nothing may be empty: an empty file or section would send the model an empty prompt (or
    system message) for every task, which is never what the author meant."""
    sys_mark, user_mark = _SECTION.format("system"), _SECTION.format("user")
    lines = source.splitlines()
    marks = {i: ln.strip() for i, ln in enumerate(lines) if ln.strip() in (sys_mark, user_mark)}
    if not marks:
        if not source.strip():
            raise UsageError("the template is empty: it would send empty prompts", file=name)
        return "", source.strip("\n")
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for i, ln in enumerate(lines):
        if i in marks:
            current = "system" if marks[i] == sys_mark else "user"
            if current in parts:
                raise UsageError(f"the {marks[i]} section appears twice", file=name, line=i + 1)
            parts[current] = []
        elif current is None:
            if ln.strip():
                raise UsageError("text before the first section marker", file=name, line=i + 1)
        else:
            parts[current].append(ln)
    if "user" not in parts:
        raise UsageError(f"the template has no {user_mark} section", file=name)
    _require_text(parts, name)
    return "\n".join(parts.get("system", [])).strip("\n"), "\n".join(parts["user"]).strip("\n")


def _require_text(parts: dict[str, list[str]], name: str) -> None:
    """Refuse a section with nothing in it; a template without a system message leaves out the
    `--- system ---` marker instead."""
    for section, body in parts.items():
        if not "".join(body).strip():
            hint = "leave the marker out for no system message" if section == "system" else None
            raise UsageError(
                f"the {_SECTION.format(section)} section is empty", file=name, hint=hint
            )


def read_template(template: str | Path | None = None) -> tuple[str, str, str, str]:
    """(source, name, system part, user part) of a template, checked: every reader of templates
    (`build_prompt`, the eval config's hash) goes through here, so a bad one fails before any
    prompt is built or request made."""
    source, name = template_source(template)
    system, user = split_sections(source, name)
    return source, name, system, user


def template_hash(source: str, answer_format: str, mode: str, constrain: str | None = None) -> str:
    h = hashlib.sha256()
    for part in (PROMPT_VERSION, mode, answer_format_text(answer_format, constrain), source):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:12]


def _check_placeholders(source: str, values: dict[str, str], name: str) -> None:
    """Every `$` of the template file is a known placeholder or `$$`, checked on the whole file
    so that an error names the file's own line and column (`string.Template` counts within the
    section it fills)."""
    known = ", ".join(f"${k}" for k in sorted(values))
    for m in string.Template.pattern.finditer(source):
        line = source.count("\n", 0, m.start()) + 1
        column = m.start() - (source.rfind("\n", 0, m.start()) + 1) + 1
        word = m.group("named") or m.group("braced")
        if m.group("invalid") is not None:
            raise UsageError(
                "bad placeholder: a $ that starts no name (write $$ for a literal $)",
                file=name,
                line=line,
                column=column,
            )
        if word is not None and word not in values:
            raise UsageError(
                f"unknown placeholder ${word} (known: {known})", file=name, line=line, column=column
            )


# A template must show the model the task: its world or its goal. Without either (a file of
# fixed text, or one naming only $task_id) every task gets the same prompt, and a run "works"
# while measuring nothing.
TASK_PLACEHOLDERS = ("world", "description")


def _check_names_the_task(source: str, name: str) -> None:
    """Refuse a template in which neither `$world` nor `$description` occurs (`$$world` is a
    literal dollar, not the placeholder)."""
    used = {m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(source)}
    if not used.intersection(TASK_PLACEHOLDERS):
        raise UsageError(
            "the template names neither $world nor $description, so every task would get the "
            "same prompt (the placeholders are listed in xlogo_lang/eval/README.md)",
            file=name,
        )


def _fill(text: str, values: dict[str, str], name: str) -> str:
    try:
        return string.Template(text).substitute(values)
    except KeyError as exc:
        known = ", ".join(f"${k}" for k in sorted(values))
        raise UsageError(
            f"unknown placeholder ${exc.args[0]} (known: {known})", file=name
        ) from None
    except ValueError as exc:
        raise UsageError(f"bad placeholder: {exc} (write $$ for a literal $)", file=name) from None


def build_prompt(
    task: Task,
    mode: str = "text",
    template: str | Path | None = None,
    answer_format: str = "text",
    constrain: str | None = None,
) -> Prompt:
    """The prompt for `task`: text mode lists the grid in words, vision mode attaches a picture.
    `constrain` ("grammar" or "json", as `xlogo eval --constrain`) asks for the program alone.
    Every argument is checked before the template is read (a task that is not a Task is a
    TypeError, as for `run`)."""
    check_task(task, "build_prompt")
    check_choice("mode", mode, MODES)
    answer = answer_format_text(answer_format, constrain)  # checks both
    source, name, system_t, user_t = read_template(template)
    world_text = task_text(task) if mode == "text" else vision_text(task)
    values = {
        "world": world_text,
        "description": task.description,
        "answer_format": answer.strip("\n"),
        "task_id": task.id,
        "rows": str(task.world.rows),
        "cols": str(task.world.cols),
        "goal_kind": task.kind,
        "constraints": task.constraints.text(),
    }
    _check_placeholders(source, values, name)
    _check_names_the_task(source, name)
    image = None
    if mode == "vision":
        from .render import render_png

        image = render_png(task)
    return Prompt(
        system=_fill(system_t, values, name),
        user=_fill(user_t, values, name),
        image_png=image,
        template_hash=template_hash(source, answer_format, mode, constrain),
    )


# -- the task in words -----------------------------------------------------------------------------


def _cell(x: int, y: int) -> str:
    return f"({x}, {y})"


def item_labels(world: World) -> dict[int, str]:
    """Short labels for the items in the text map: a letter item is its letter (`A`), the
    others a, b, ..., z, then aa, ab, ... in grid order. Letters labelled by grid position read
    `b: black letter C`, shown as `b` on the map: a model asked to visit the C had to translate
    (and generated tasks use letters A-H, the labels' own first letters)."""
    labels = {}
    n = 0
    for idx in sorted(world.items):
        name = world.items[idx].name
        if name in LETTERS:
            labels[idx] = name
            continue
        labels[idx] = chr(97 + n) if n < 26 else chr(97 + n // 26 - 1) + chr(97 + n % 26)
        n += 1
    return labels


def item_words(world: World, index: int) -> str:
    item = world.items[index]
    words = f"letter {item.name}" if item.name in LETTERS else item.name
    if item.color:
        words = f"{item.color} {words}"
    if item.count is not None and item.count != 1:
        words += f" (count {item.count})"
    return words


def wall_list(world: World) -> list[str]:
    """Every wall once: `between A and B`, or `on the S side of C` for a one-sided wall."""
    out = []
    sides = (
        ("top", 0, -1, "bottom"),
        ("right", 1, 0, "left"),
        ("bottom", 0, 1, "top"),
        ("left", -1, 0, "right"),
    )
    seen: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    for t in world.tiles:
        for side, dx, dy, opposite in sides:
            if side not in t.walls:
                continue
            nx, ny = t.x + dx, t.y + dy
            key = tuple(sorted(((t.x, t.y), (nx, ny))))
            if key in seen:
                continue
            seen.add(key)  # type: ignore[arg-type]
            both = world.inside(nx, ny) and opposite in world.tiles[world.index(nx, ny)].walls
            if both:
                a, b = key
                out.append(f"between {_cell(*a)} and {_cell(*b)}")
            else:
                out.append(f"on the {side} side of {_cell(t.x, t.y)} (it blocks leaving that cell)")
    return out


def grid_map(world: World) -> str:
    """A small text map: items by label, `#` forbidden, blank missing, `|` and `---` walls."""
    labels = item_labels(world)
    t = world.turtle
    header = "     " + " ".join(f"{x:^3}" for x in range(world.cols))
    lines = [header.rstrip()]
    for y in range(world.rows):
        row = f"{y:>3}  "
        below = "     "
        for x in range(world.cols):
            i = world.index(x, y)
            tile = world.tiles[i]
            if (x, y) == (t.x, t.y):
                cell = f"T{_ARROWS[t.direction]}"
            elif i in labels:
                cell = labels[i]
            elif _is_missing(world, i):
                cell = ""
            elif not tile.allowed:
                cell = "#"
            else:
                cell = "."
            row += f"{cell:^3}"
            if x < world.cols - 1:
                right = world.tiles[i + 1]
                row += "|" if "right" in tile.walls or "left" in right.walls else " "
            if y < world.rows - 1:
                down = world.tiles[i + world.cols]
                wall = "bottom" in tile.walls or "top" in down.walls
                below += ("---" if wall else "   ") + " "
        lines.append(row.rstrip())
        if y < world.rows - 1 and below.strip():
            lines.append(below.rstrip())
    return "\n".join(lines)


def _is_missing(world: World, index: int) -> bool:
    return not world.tiles[index].exist


def picture_list(world: World) -> list[str]:
    return [
        f"a {ln.color} line from {_cell(ln.x1, ln.y1)} to {_cell(ln.x2, ln.y2)}"
        for ln in world.lines
    ]


def picture_map(world: World) -> str:
    """The target picture on the grid of cell centres (`o`), one letter per colour."""
    horiz: dict[tuple[int, int], str] = {}
    vert: dict[tuple[int, int], str] = {}
    for ln in world.lines:
        letter = _COLOR_LETTERS.get(ln.color, "?")
        for (x1, y1), (x2, y2) in ln.unit_segments():
            if y1 == y2:
                horiz[(min(x1, x2), y1)] = letter
            else:
                vert[(x1, min(y1, y2))] = letter
    lines = ["     " + "   ".join(str(x) for x in range(world.cols))]
    for y in range(world.rows):
        row = f"{y:>3}  "
        for x in range(world.cols):
            row += "o"
            if x < world.cols - 1:
                row += horiz.get((x, y), " ") * 3
        lines.append(row.rstrip())
        if y < world.rows - 1:
            mid = "     " + "   ".join(vert.get((x, y), " ") for x in range(world.cols))
            lines.append(mid.rstrip())
    return "\n".join(lines)


def task_text(task: Task) -> str:
    """The world in words and as text maps (text mode's `$world`)."""
    w = task.world
    t = w.turtle
    out = [
        f"Grid: {w.rows} row{'s' * (w.rows != 1)} and {w.cols} column{'s' * (w.cols != 1)} "
        f"(x from 0 to {w.cols - 1}, y from 0 to {w.rows - 1}).",
        f"Turtle: starts at {_cell(t.x, t.y)}, facing {_DIRECTION_WORDS[t.direction]}.",
    ]
    walls = wall_list(w)
    out.append("Walls: " + ("; ".join(walls) if walls else "none") + ".")
    forbidden = [
        _cell(tl.x, tl.y)
        for tl in w.tiles
        if not tl.allowed and not _is_missing(w, w.index(tl.x, tl.y))
    ]
    out.append("Forbidden cells: " + (", ".join(forbidden) if forbidden else "none") + ".")
    missing = [_cell(tl.x, tl.y) for tl in w.tiles if _is_missing(w, w.index(tl.x, tl.y))]
    if missing:
        out.append("Missing cells (no tile): " + ", ".join(missing) + ".")
    labels = item_labels(w)
    if w.items:
        out.append("Items:")
        out.extend(
            f"- {labels[i]}: {item_words(w, i)} at {_cell(*w.cell(i))}" for i in sorted(w.items)
        )
    else:
        out.append("Items: none.")
    legend = "T = turtle (the arrow shows its heading)"
    if "T" in labels.values():  # the letter T is an item: the turtle is the T with an arrow
        legend = "T with an arrow = turtle (the arrow shows its heading), T alone = letter T"
    legend += ", . = free cell, # = forbidden cell"
    if missing:
        legend += ", blank = missing cell"
    if w.items:
        legend += ", letters = the items above"
    legend += ", | and --- = walls"
    out.append(f"Map ({legend}):")
    out.append(_fence(grid_map(w)))
    if w.lines:
        out.append("Target picture (lines join cell centres):")
        out.extend(f"- {p}" for p in picture_list(w))
        used = sorted({ln.color for ln in w.lines})
        key = ", ".join(f"{_COLOR_LETTERS[c]} = {c}" for c in used if c in _COLOR_LETTERS)
        out.append(f"Target picture map (o = cell centre, {key}):")
        out.append(_fence(picture_map(w)))
    return "\n".join(out)


def _fence(text: str) -> str:
    return f"```text\n{text}\n```"


def vision_text(task: Task) -> str:
    """Vision mode's `$world`: a legend for the attached picture, no grid listing."""
    w = task.world
    return (
        f"The attached picture shows the task on a grid of {w.rows} row{'s' * (w.rows != 1)} and "
        f"{w.cols} column{'s' * (w.cols != 1)}; "
        "the x and y coordinates are written along its edges. "
        "The turtle is the green arrow, pointing the way it faces. Thick dark lines are walls, "
        "grey hatched cells are forbidden, and blank spaces are missing cells. Items are drawn in "
        "their colours, with their count when it is more than one. "
        + ("The target picture is drawn as coloured lines between cell centres." if w.lines else "")
    ).strip()
