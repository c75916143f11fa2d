"""A task's English description, generated from its goal and constraints.

Reproduces the reference's `Task.task_description` (SEMANTICS.md sections 5-6) word for word,
so prompts built on it match the benchmark's, the reference's missing space in a visit in order
of four or more items included ("..., C,finally the D"), but for a visit in order of two items,
which no real task has and which the reference words as three visits (`objective_text`). The stored
`description` strings are the platform's own texts and are kept separately as
`Task.platform_description`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .goals import Goal, Objective, plural, spec_text
from .world import ITEM_COLORS

if TYPE_CHECKING:
    from .tasks import Task


def objective_text(obj: Objective) -> str:
    if obj.name == "draw":
        return "Draw the picture"
    s = spec_text(obj.specs[0])
    if obj.name == "find":
        return f"Find the {s}"
    if obj.name == "findonly":
        return f"Find only the {s}"
    if obj.name == "collectall":
        # "objects" follows one of the eight colour words only: not "nocolor", not "not red"
        return f"Collect all {s} objects" if s in ITEM_COLORS else f"Collect all {s}"
    if obj.name == "forbid":
        return f"without standing on a {s}"
    if obj.name == "sum":
        text = f"Collect exactly {obj.total} {s}"
        if obj.total is not None and obj.total > 1:
            text = plural(text)
        return text
    # concat
    texts = [spec_text(sp) for sp in obj.specs]
    if len(texts) == 2:
        # the reference says "First find the A, then the B, finally the B", which asks for B
        # twice; no real task visits two items, generated ones do
        return f"First find the {texts[0]}, then the {texts[1]}"
    middle = "".join(f"{t}," for t in texts[2:-1])  # no space after it, as in the reference
    return f"First find the {texts[0]}, then the {texts[1]}, {middle}finally the {texts[-1]}"


def goal_text(goal: Goal) -> str:
    text = ""
    for obj in goal.processing_order():
        piece = objective_text(obj)
        if obj.name == "forbid" and "without" in text:
            piece = piece.replace("without standing on a", "and")
        text = f"{text} {piece}" if text else piece
    return text


def colour_phrase(colors: list[str]) -> str:
    cs = sorted(c for c in colors if c != "white")
    if not cs or cs == ["black"]:
        return ""
    if len(cs) == 1:
        return f"in {cs[0]}"
    if len(cs) == 2:
        return f"using the colors {cs[0]} and {cs[1]}"
    return f"using the colors {', '.join(cs[:-1])} and {cs[-1]}"


def describe(task: Task) -> str:
    # an empty goal holds whatever the program does (SEMANTICS quirk 14), but the reference's
    # task loader reads `[]` as a drawing, and its description says so
    text = goal_text(task.goal) or objective_text(Objective("draw", ()))
    phrase = colour_phrase(task.world.line_colors)
    if phrase:
        text += " " + phrase
    cons = task.constraints.text()
    if cons:
        text += ". " + cons
    text = text.strip()
    if not text.endswith("."):
        text += "."
    return text
