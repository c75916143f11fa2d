"""Goals, items and code constraints for generated tasks, one recipe per goal kind.

Each recipe puts its items on a `Layout` so the intended trace solves the task in the way the
reference's generation rules require (SEMANTICS.md section 9): find has exactly one target and it
lies on the last cell; collect-all has two or more targets, all on the trace, the last cell one of
them; sum holds only strawberries, reaches the total exactly at the last cell and the world holds
more than the total; visit-in-order puts one item per spec on cells visited once, in order, the
last on the final cell; forbid keeps its forbidden items off the trace. Distractors go where they
cannot change that. Constraints are chosen from the shortest solution, so they can only make the
intended task precise, never unsolvable (except "don't use", which is re-solved).

This module never runs programs or the solver; `generate.py` verifies everything it makes.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TypedDict

from ..ast import Program
from ..constraints import Constraints, count_blocks
from ..goals import Goal, Literal, Objective, Spec
from ..world import ITEM_COLORS, LETTERS, Item
from .worlds import Cell, Layout

KINDS = ("find", "findonly", "forbid", "collectall", "sum", "concat", "draw")
SHAPE_COLORS = {
    "triangle": ("red", "green", "blue"),
    "rectangle": ("red", "green", "blue"),
    "cross": ("red", "green", "blue"),
    "circle": ITEM_COLORS,
}
FAMILIES = ("fruit", "shape", "circle", "letter")


class Style(TypedDict, total=False):
    """How a recipe dresses its goal; every key optional (absent: the recipe picks at random)."""

    family: str  # one of FAMILIES
    dense: bool  # many distractor items
    collect: bool  # forbid: the target is "collect all" rather than "find"
    n_forbid: int  # forbid: how many forbidden items
    n_specs: int  # concat: how many items in the sequence


class NoGoal(Exception):
    """The layout cannot carry this goal (too few cells, no cell visited once, ...)."""


# -- items and specs -------------------------------------------------------------------------


def name_spec(name: str) -> Spec:
    return ((Literal("name", name),),)


def color_spec(color: str) -> Spec:
    return ((Literal("color", color),),)


def color_name_spec(color: str, name: str) -> Spec:
    return ((Literal("color", color),), (Literal("name", name),))


def matches(spec: Spec, item: Item | None) -> bool:
    """Whether a cell holding `item` satisfies the CNF `spec` (the goal checker's rule)."""
    return all(any(lit.holds_on(item) for lit in clause) for clause in spec)


def random_item(rng: random.Random, family: str) -> Item:
    if family == "fruit":
        if rng.random() < 0.6:
            return Item("strawberry", "red", 1)
        return Item("lemon", "yellow", 1)
    if family == "letter":
        return Item(rng.choice(LETTERS[:8]), "black", 1)
    if family == "circle":
        return Item("circle", rng.choice(ITEM_COLORS), 1)
    shape = rng.choice(tuple(SHAPE_COLORS))
    return Item(shape, rng.choice(SHAPE_COLORS[shape]), 1)


def target_spec(rng: random.Random, item: Item, family: str) -> Spec:
    """How a goal names `item`: by name for fruit and letters, colour + shape otherwise."""
    if family in ("fruit", "letter"):
        return name_spec(item.name)
    return color_name_spec(item.color or "black", item.name)


def _distractor(rng: random.Random, family: str, avoid: list[Spec], tries: int = 30) -> Item | None:
    for _ in range(tries):
        it = random_item(rng, family)
        if family == "fruit" and rng.random() < 0.3:
            it = random_item(rng, rng.choice(("shape", "circle")))
        if not any(matches(s, it) for s in avoid):
            return it
    return None


def _scatter(
    rng: random.Random, lay: Layout, cells: list[Cell], n: int, family: str, avoid: list[Spec]
) -> None:
    """Put up to `n` distractors (items matching none of `avoid`) on the given empty cells."""
    cells = [c for c in cells if c not in lay.items]
    rng.shuffle(cells)
    for c in cells[:n]:
        it = _distractor(rng, family, avoid)
        if it is not None:
            lay.items[c] = it


def _near_path(lay: Layout, cells: list[Cell]) -> list[Cell]:
    """Off-path cells next to the path first: there a distractor or forbidden item matters."""
    on = lay.on_path
    return sorted(cells, key=lambda c: not any(n in on for n in lay.neighbours(c)))


def _density(rng: random.Random, lay: Layout, style: Style) -> int:
    free = len(lay.free_cells())
    if style.get("dense") is True or (style.get("dense") is None and rng.random() < 0.35):
        return free
    return rng.randint(0, min(3, free))


# -- one recipe per kind -----------------------------------------------------------------------


def _last_once(lay: Layout) -> Cell:
    path = lay.path
    last = path[-1]
    if last in path[:-1]:
        raise NoGoal("the last cell is visited before the end")
    return last


def goal_find(rng: random.Random, lay: Layout, style: Style) -> Goal:
    family = str(style.get("family") or rng.choice(FAMILIES))
    last = _last_once(lay)
    target = random_item(rng, family)
    spec = target_spec(rng, target, family)
    lay.items[last] = target
    others = [c for c in lay.free_cells() if c != last]
    _scatter(rng, lay, others, _density(rng, lay, style), family, [spec])
    return Goal((Objective("find", (spec,)),))


def goal_findonly(rng: random.Random, lay: Layout, style: Style) -> Goal:
    family = str(style.get("family") or rng.choice(("fruit", "shape", "letter")))
    last = _last_once(lay)
    target = random_item(rng, family)
    spec = name_spec(target.name)
    lay.items[last] = target
    off = _near_path(lay, [c for c in lay.free_cells() if c not in lay.on_path])
    if not off:
        raise NoGoal("no cell off the path for a distractor")
    n = max(1, min(len(off), rng.randint(1, 3)))
    before = len(lay.items)
    _scatter(rng, lay, off[: n + 1], n, family, [spec])
    if len(lay.items) == before:
        raise NoGoal("no distractor placed")
    return Goal((Objective("findonly", (spec,)),))


def goal_forbid(rng: random.Random, lay: Layout, style: Style) -> Goal:
    family = str(style.get("family") or rng.choice(("shape", "circle")))
    collect = bool(style.get("collect", rng.random() < 0.3))
    on = lay.on_path
    off = _near_path(lay, [c for c in lay.free_cells() if c not in on])
    if not off:
        raise NoGoal("no cell off the path for a forbidden item")
    if collect:
        target_goal = goal_collectall(rng, lay, {**style, "family": family, "dense": False})
        tspec = target_goal.objectives[0].specs[0]
    else:
        last = _last_once(lay)
        target = random_item(rng, family)
        tspec = target_spec(rng, target, family)
        lay.items[last] = target
        target_goal = Goal((Objective("find", (tspec,)),))
    forbids: list[Spec] = []
    n_forbid = int(style.get("n_forbid") or rng.choice((1, 1, 2)))
    free_off = [c for c in off if c not in lay.items]
    for _ in range(n_forbid):
        if not free_off:
            break
        for _try in range(20):
            it = random_item(rng, family)
            fspec = (
                color_spec(it.color or "black")
                if rng.random() < 0.5
                else target_spec(rng, it, family)
            )
            path_items = [lay.items.get(c) for c in on]
            if matches(tspec, it) or any(matches(fspec, pi) for pi in path_items if pi is not None):
                continue
            if any(matches(f, it) for f in forbids):  # already forbidden: the goal would repeat
                continue
            cell = free_off.pop(0)
            lay.items[cell] = it
            forbids.append(fspec)
            break
    if not forbids:
        raise NoGoal("no forbidden item placed")
    targets_and_forbids = [tspec, *forbids]
    rest = [c for c in lay.free_cells() if c not in lay.items]
    _scatter(rng, lay, rest, _density(rng, lay, style), family, targets_and_forbids)
    objs = list(target_goal.objectives) + [Objective("forbid", (f,)) for f in forbids]
    return Goal(tuple(objs))


def goal_collectall(rng: random.Random, lay: Layout, style: Style) -> Goal:
    family = str(style.get("family") or rng.choice(("fruit", "shape", "circle")))
    last = _last_once(lay)
    path = lay.path
    start = path[0]
    earlier = list(dict.fromkeys(c for c in path[1:-1] if c != start))
    if not earlier:
        raise NoGoal("no cell before the last one for a second target")
    if family == "fruit":
        name = rng.choice(("strawberry", "lemon"))
        spec = name_spec(name)

        def make() -> Item:
            return Item(name, "red", 1) if name == "strawberry" else Item("lemon", "yellow", 1)
    else:
        color = rng.choice(("red", "green", "blue"))
        spec = color_spec(color)

        def make() -> Item:
            shape = rng.choice(tuple(SHAPE_COLORS) if family == "shape" else ("circle",))
            return Item(shape, color, 1)

    k = rng.randint(1, min(3, len(earlier)))
    for c in [*rng.sample(earlier, k), last]:
        lay.items[c] = make()
    rest = [c for c in lay.free_cells() if c not in lay.items]
    _scatter(
        rng, lay, rest, _density(rng, lay, style), family if family != "fruit" else "shape", [spec]
    )
    return Goal((Objective("collectall", (spec,)),))


def goal_sum(rng: random.Random, lay: Layout, style: Style) -> Goal:
    last = _last_once(lay)
    path = lay.path
    start = path[0]
    earlier = list(dict.fromkeys(c for c in path[1:-1] if c != start))
    k = rng.randint(0, min(2, len(earlier)))
    on_cells = [*rng.sample(earlier, k), last]
    total = 0
    for c in on_cells:
        n = rng.randint(1, 4)
        lay.items[c] = Item("strawberry", "red", n)
        total += n
    on = lay.on_path
    off = [c for c in lay.free_cells() if c not in on]
    if not off:
        raise NoGoal("no cell off the path for a spare strawberry")
    rng.shuffle(off)
    for c in _near_path(lay, off)[: rng.randint(1, min(3, len(off)))]:
        lay.items[c] = Item("strawberry", "red", rng.randint(1, 4))
    return Goal((Objective("sum", (name_spec("strawberry"),), total),))


def goal_concat(rng: random.Random, lay: Layout, style: Style) -> Goal:
    family = str(style.get("family") or rng.choice(("shape", "circle", "letter")))
    path = lay.path
    last = _last_once(lay)
    seen = Counter(path)
    once = [i for i in range(1, len(path) - 1) if seen[path[i]] == 1]
    k = int(style.get("n_specs") or rng.choice((2, 3, 3)))
    if len(once) < k - 1:
        raise NoGoal("too few cells visited once")
    positions = [*sorted(rng.sample(once, k - 1)), len(path) - 1]
    specs: list[Spec] = []
    items: list[Item] = []
    for _ in positions:
        for _try in range(30):
            it = random_item(rng, family)
            sp = target_spec(rng, it, family)
            if not any(matches(sp, other) for other in items) and not any(
                matches(s, it) for s in specs
            ):
                specs.append(sp)
                items.append(it)
                break
        else:
            raise NoGoal("could not pick distinct items")
    for pos, it in zip(positions, items, strict=True):
        lay.items[path[pos]] = it
    del last
    rest = [c for c in lay.free_cells() if c not in lay.items]
    _scatter(rng, lay, rest, _density(rng, lay, style), family, specs)
    return Goal((Objective("concat", tuple(specs)),))


def goal_draw(rng: random.Random, lay: Layout, style: Style) -> Goal:
    if not lay.lines:
        raise NoGoal("the program draws nothing")
    return Goal((Objective("draw", ()),))


RECIPES = {
    "find": goal_find,
    "findonly": goal_findonly,
    "forbid": goal_forbid,
    "collectall": goal_collectall,
    "sum": goal_sum,
    "concat": goal_concat,
    "draw": goal_draw,
}


def kind_of_task(goal: Goal) -> str:
    """The generator kind a (real) task belongs to, for `--like`."""
    names = goal.kinds
    if "draw" in names:
        return "draw"
    if "forbid" in names:
        return "forbid"
    for k in ("concat", "sum", "collectall", "findonly", "find"):
        if k in names:
            return k
    return "find"


def style_of_task(goal: Goal) -> Style:
    """What a real task's items look like, so a variant can look the same."""
    style: Style = {}
    specs = [s for o in goal.objectives for s in o.specs]
    names = {lit.value for s in specs for cl in s for lit in cl if lit.kind == "name"}
    if names & {"strawberry", "lemon"}:
        style["family"] = "fruit"
    elif names & set(LETTERS):
        style["family"] = "letter"
    elif names == {"circle"}:
        style["family"] = "circle"
    elif names:
        style["family"] = "shape"
    forbids = [o for o in goal.objectives if o.name == "forbid"]
    if forbids:
        style["n_forbid"] = len(forbids)
        style["collect"] = any(o.name == "collectall" for o in goal.objectives)
    concat = [o for o in goal.objectives if o.name == "concat"]
    if concat:
        style["n_specs"] = len(concat[0].specs)
    return style


# -- constraints -------------------------------------------------------------------------------


def constraint_style_of(c: Constraints) -> str:
    if c.start_by:
        return "start_by"
    if any(v == 0 for v in c.exactly.values()) or any(v == 0 for v in c.at_most.values()):
        return "dont_use"
    if c.exactly:
        return "exactly"
    if c.at_most:
        return "at_most"
    return "none"


def constraints_from_solution(rng: random.Random, style: str, solution: Program) -> Constraints:
    """A constraint the (shortest) solution meets exactly, so it stays shortest under it.

    at_most: `all` = its size (the budget real tasks give); exactly: its counts of one or two
    commands and `all`; start_by: its first one to three top-level blocks.
    """
    counts = count_blocks(solution)
    if style == "at_most":
        return Constraints(at_most={"all": counts["all"]})
    if style == "exactly":
        kinds = [k for k in ("fd", "bk", "lt", "rt", "repeat", "setpc") if counts.get(k)]
        pick = sorted(rng.sample(kinds, min(len(kinds), rng.randint(1, 2))), key=kinds.index)
        ex = {k: counts[k] for k in pick}
        ex["all"] = counts["all"]
        return Constraints(exactly=ex)
    if style == "start_by":
        n = min(len(solution.body), rng.randint(1, 3))
        return Constraints(start_by=tuple(b.type for b in solution.body[:n]))
    return Constraints()


def dont_use_choice(rng: random.Random, solution: Program, intended: Program) -> str | None:
    """A basic command the shortest solution uses but the intended program does not: banning it
    changes the answer and keeps the task solvable (the intended program still works)."""
    used = count_blocks(solution)
    mine = count_blocks(intended)
    options = [k for k in ("fd", "bk", "lt", "rt") if used.get(k) and not mine.get(k)]
    return rng.choice(options) if options else None
