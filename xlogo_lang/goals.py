"""Goals: their model, their check on a run's trace, and the reason when they fail.

The reference checks non-draw goals by building a z3 model every time; SEMANTICS.md section 5
shows that this is equivalent to evaluating each objective directly on the trace, which is what
happens here. Every spec is compiled once per task into a bitmask of the cells it matches, so a
check is a handful of integer operations on the mask of visited cells.

Documented meanings where the reference raises (README, "Semantics, and where xlogo gives a
meaning the reference does not"):
`neg: 1` negates a literal, `{"count": n}` holds on a cell whose item has count n, and a
multi-clause `findonly` means "find S, and every visited item satisfies S".

A `Goal` checks itself when it is built (`check_goal`): an unknown objective, a wrong number of
specs or an unknown item would otherwise be an IndexError or a silently false goal deep in a run.
The task reader runs the same checks on each part (`check_objective_name`, `check_total`,
`check_spec_count`, `check_spec`), so a task file and a hand-built goal are refused in the same
words; a TaskError raised here names the field relative to the part checked, and the caller
puts the part's path in front (`errors.within`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import TaskError, bool_problem, did_you_mean, int_problem, key_path, within
from .world import (
    DECORATIONS,
    ITEM_COLORS,
    ITEM_NAMES,
    ITEM_NAMES_TEXT,
    Item,
    SegmentKey,
    World,
    item_word_hint,
)

OBJECTIVES = ("find", "findonly", "forbid", "collectall", "sum", "concat", "draw")
LITERAL_KINDS = ("name", "color", "count")


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # "name" | "color" | "count"
    value: str | int
    neg: bool = False

    def holds(self, world: World, index: int) -> bool:
        return self.holds_on(world.items.get(index))

    def holds_on(self, item: Item | None) -> bool:
        """Whether the literal holds on a cell holding `item` (None for an empty cell)."""
        if self.kind == "name":
            hit = (
                item is None
                if self.value == "noname"
                else item is not None and item.name == self.value
            )
        elif self.kind == "color":
            hit = (
                item is None
                if self.value == "nocolor"
                else item is not None and item.color == self.value
            )
        else:
            hit = item is not None and item.count == self.value
        return hit != self.neg

    def text(self) -> str:
        word = str(self.value)
        if self.kind == "count":
            word = f"count {word}"
        return f"not {word}" if self.neg else word

    def to_json(self) -> dict[str, object]:
        return {self.kind: self.value, "neg": int(self.neg)}


Clause = tuple[Literal, ...]
Spec = tuple[Clause, ...]  # CNF: clauses ANDed, literals ORed


@dataclass(frozen=True, slots=True)
class Objective:
    name: str
    specs: tuple[Spec, ...]
    total: int | None = None  # sum only


@dataclass(frozen=True, slots=True)
class Goal:
    objectives: tuple[Objective, ...]

    def __post_init__(self) -> None:
        check_goal(self)

    @property
    def is_draw(self) -> bool:
        return any(o.name == "draw" for o in self.objectives)

    @property
    def kinds(self) -> list[str]:
        return [o.name for o in self.objectives]

    def processing_order(self) -> list[Objective]:
        """Objectives grouped by name, groups in order of first appearance, list order inside."""
        order: list[str] = []
        for o in self.objectives:
            if o.name not in order:
                order.append(o.name)
        return [o for name in order for o in self.objectives if o.name == name]


# -- the checks a goal gets, built by hand or read from a task file -------------------------------


def check_goal(goal: Goal) -> None:
    """Every objective of `goal` (paths `objectives[i]...`)."""
    if type(goal.objectives) is not tuple:
        raise TaskError(_not_a_tuple("Objectives", goal.objectives), path="objectives")
    for i, obj in enumerate(goal.objectives):
        if not isinstance(obj, Objective):
            raise TaskError(
                f"must be an Objective, not {type(obj).__name__}", path=f"objectives[{i}]"
            )
        with within(f"objectives[{i}]"):
            check_objective(obj)


def check_objective(obj: Objective) -> None:
    """An objective the goal checker can evaluate: a known name, its total, its specs."""
    check_objective_name(obj.name)
    if type(obj.specs) is not tuple:
        raise TaskError(_not_a_tuple("specs", obj.specs), path="specs")
    check_total(obj.name, obj.total)
    if obj.name == "draw":
        if obj.specs:  # a task file's draw specs are its lines, which the world holds
            raise TaskError(
                "a draw objective holds no specs: it draws the world's lines", path="specs"
            )
        return
    check_spec_count(obj.name, len(obj.specs))
    for j, spec in enumerate(obj.specs):
        with within(f"specs[{j}]"):
            check_spec(spec)


def check_objective_name(name: Any) -> None:
    if name not in OBJECTIVES:
        raise TaskError(
            f"unknown objective {name!r} (objectives are {', '.join(OBJECTIVES)})",
            path="name",
            hint=did_you_mean(name, OBJECTIVES) if isinstance(name, str) else None,
        )


def check_total(name: str, total: Any) -> None:
    """A sum needs its total (a whole number >= 0); no other objective has one."""
    if name != "sum":
        if total is not None:
            raise TaskError(
                f"total_cnt belongs to sum objectives only, not {name}", path="total_cnt"
            )
        return
    if total is None:
        raise TaskError("a sum objective needs total_cnt", path="total_cnt")
    problem = int_problem(total, 0)
    if problem:
        raise TaskError(problem, path="total_cnt")


def check_spec_count(name: str, count: int) -> None:
    """concat orders two or more specs; every other objective reads exactly one."""
    if name == "concat" and count < 2:
        raise TaskError("concat needs at least two specs", path="specs")
    if name != "concat" and count != 1:
        raise TaskError(f"{name} takes exactly one spec, found {count}", path="specs")


def check_spec(spec: Spec) -> None:
    """A CNF of literals with no empty part: the reference reads an empty spec as matching every
    cell and an empty clause as matching none, almost surely a slip (README)."""
    if type(spec) is not tuple:
        raise TaskError(_not_a_tuple("clauses", spec), path="")
    if not spec:
        raise TaskError("a spec needs at least one clause", path="")
    for i, clause in enumerate(spec):
        if type(clause) is not tuple:
            raise TaskError(_not_a_tuple("Literals", clause), path=f"[{i}]")
        if not clause:
            raise TaskError("a clause needs at least one literal", path=f"[{i}]")
        for j, lit in enumerate(clause):
            if not isinstance(lit, Literal):
                raise TaskError(f"must be a Literal, not {type(lit).__name__}", path=f"[{i}][{j}]")
            with within(f"[{i}][{j}]"):
                check_literal(lit)


def check_literal(lit: Literal) -> None:
    """A kind of LITERAL_KINDS with a value the task format allows for it."""
    problem = bool_problem(lit.neg)
    if problem:
        raise TaskError(problem, path="neg")
    if lit.kind not in LITERAL_KINDS:
        raise TaskError(
            f"unknown literal key {lit.kind!r} (use name, color or count)",
            path=key_path("", lit.kind),
            hint=did_you_mean(lit.kind, LITERAL_KINDS),
        )
    v = lit.value
    if lit.kind == "name" and v != "noname" and v not in ITEM_NAMES and v not in DECORATIONS:
        raise TaskError(
            f"unknown item name {v!r} (items are {ITEM_NAMES_TEXT}; noname is an empty cell)",
            path="name",
            hint=item_word_hint(v, (*ITEM_NAMES, "noname")),
        )
    if lit.kind == "color" and v != "nocolor" and v not in ITEM_COLORS:
        raise TaskError(
            f"unknown item colour {v!r} (the colours are {', '.join(ITEM_COLORS)}; nocolor is "
            "an empty cell)",
            path="color",
            hint=item_word_hint(v, (*ITEM_COLORS, "nocolor")),
        )
    problem = int_problem(v, 1, 4) if lit.kind == "count" else None
    if problem:
        raise TaskError(problem, path="count")


def _not_a_tuple(what: str, value: object) -> str:
    # a list would make the goal unhashable, and could change after the goal is checked
    return f"must be a tuple of {what}, not {type(value).__name__}"


# -- matching ------------------------------------------------------------------------------------


def spec_mask(world: World, spec: Spec) -> int:
    mask = (1 << world.size) - 1
    for clause in spec:
        cmask = 0
        for i in range(world.size):
            if any(lit.holds(world, i) for lit in clause):
                cmask |= 1 << i
        mask &= cmask
    return mask


def _with_noname(spec: Spec) -> Spec:
    return tuple((*clause, Literal("name", "noname")) for clause in spec)


def spec_text(spec: Spec) -> str:
    """The reference's rendering: single name clauses last, other clauses reversed in front."""
    words: list[str] = []
    for clause in spec:
        token = " or ".join(lit.text() for lit in clause)
        if len(clause) == 1 and clause[0].kind == "name" and not clause[0].neg:
            words.append(token)
        else:
            words.insert(0, token)
    return " ".join(words)


def plural(text: str) -> str:
    """The reference's plural of a sum's items: the words replaced wherever they are."""
    return text.replace("strawberry", "strawberries").replace("lemon", "lemons")


@dataclass(frozen=True)
class GoalResult:
    ok: bool
    reason: str  # empty when ok
    kind: str  # which part failed: "", "item", "order", "count", "forbidden_item", "picture"


class CompiledGoal:
    """A goal bound to one world: spec masks computed once, checks on traces made cheap."""

    def __init__(self, goal: Goal, world: World) -> None:
        self.goal = goal
        self.world = world
        self.draw = goal.is_draw
        self.always = not goal.objectives
        self.catalogue_ok = world.catalogue_ok
        self.target: Objective | None = None
        self.forbids: list[tuple[Objective, int]] = []  # (objective, mask of forbidden cells)
        full = (1 << world.size) - 1
        for obj in goal.processing_order():
            if obj.name == "forbid":
                self.forbids.append((obj, spec_mask(world, obj.specs[0])))
            elif obj.name == "findonly":
                self.target = obj
                self.forbids = [(obj, full & ~spec_mask(world, _with_noname(obj.specs[0])))]
            elif obj.name != "draw":
                self.target = obj
        self.target_masks = (
            [spec_mask(world, s) for s in self.target.specs] if self.target is not None else []
        )
        self.counts = [
            (world.items[i].count or 0) if i in world.items else 0 for i in range(world.size)
        ]

    # -- the verdict ---------------------------------------------------------------------------

    def check(self, cells: Sequence[int], drawn: dict[SegmentKey, str]) -> bool:
        """Does a run that visited `cells` (start cell first) and drew `drawn` meet the goal?"""
        if self.draw:
            return drawn == self.world.picture
        if not self.catalogue_ok:  # even for `goal: []` (SEMANTICS quirks 13 and 14)
            return False
        if self.always:
            return True
        visited = 0
        for c in cells:
            visited |= 1 << c
        for _, mask in self.forbids:
            if visited & mask:
                return False
        target = self.target
        if target is None:
            return True
        name = target.name
        if name in ("find", "findonly"):
            return bool(visited & self.target_masks[0])
        m = self.target_masks[0]
        if name == "collectall":
            return bool(m) and m & ~visited == 0
        if name == "sum":
            hit = visited & m
            counts = self.counts
            total = 0
            while hit:
                low = hit & -hit
                total += counts[low.bit_length() - 1]
                hit ^= low
            return total == target.total
        return _concat_ok(self.target_masks, cells)

    # -- the explanation -----------------------------------------------------------------------

    def explain(self, cells: Sequence[int], drawn: dict[SegmentKey, str]) -> GoalResult:
        """Why the goal is (not) met, in words a learner or a failure analysis can use."""
        if self.check(cells, drawn):
            return GoalResult(True, "", "")
        w = self.world
        if self.draw:
            return self._explain_draw(drawn)
        if not self.catalogue_ok:
            odd = sorted({it.phrase() for it in w.items.values() if not it.in_catalogue})
            return GoalResult(
                False,
                f"the world holds items outside the catalogue ({', '.join(odd)}), "
                "so no goal can be met",
                "item",
            )
        visited = 0
        for c in cells:
            visited |= 1 << c
        for obj, mask in self.forbids:
            if visited & mask:
                cell = (visited & mask).bit_length() - 1
                x, y = w.cell(cell)
                item = w.items.get(cell)
                what = item.phrase() if item else "that cell"
                if obj.name == "findonly":
                    return GoalResult(
                        False,
                        f"stood on the {what} at ({x},{y}), "
                        f"but only the {spec_text(obj.specs[0])} may be visited",
                        "forbidden_item",
                    )
                return GoalResult(
                    False,
                    f"stood on the {what} at ({x},{y}), which the goal forbids",
                    "forbidden_item",
                )
        target = self.target
        assert target is not None
        seen = [w.items[c].phrase() for c in _distinct(cells) if c in w.items]
        want = spec_text(target.specs[0])
        m = self.target_masks[0]
        if target.name in ("find", "findonly"):
            if not m:  # a goal naming an item the world does not have: no run can find it
                return GoalResult(False, f"there is no {want} on the grid", "item")
            if seen:
                return GoalResult(
                    False,
                    f"visited the {', the '.join(seen)} but the goal asks for the {want}",
                    "item",
                )
            return GoalResult(False, f"never reached the {want}", "item")
        if target.name == "collectall":
            if not m:
                return GoalResult(False, f"there is no {want} to collect", "item")
            got, total = (visited & m).bit_count(), m.bit_count()
            return GoalResult(False, f"collected {got} of the {total} {want} items", "count")
        if target.name == "sum":
            total = sum(self.counts[c] for c in _distinct(cells) if (m >> c) & 1)
            if total != 1:  # "5 strawberries", as the description pluralises its count
                want = plural(want)
            return GoalResult(
                False,
                f"collected {total} {want} in total; the goal asks for exactly {target.total}",
                "count",
            )
        # concat
        places = []  # the one trace position of each spec, once every spec has one
        for j, (spec, mask) in enumerate(zip(target.specs, self.target_masks, strict=True)):
            if not mask:
                return GoalResult(
                    False,
                    f"there is no {spec_text(spec)} on the grid (item {j + 1} of "
                    f"{len(target.specs)})",
                    "item",
                )
            at = [p for p, c in enumerate(cells) if (mask >> c) & 1]
            hits = len(at)
            if hits == 0:
                return GoalResult(
                    False,
                    f"never visited the {spec_text(spec)} (item {j + 1} of {len(target.specs)})",
                    "item",
                )
            if hits > 1:
                return GoalResult(
                    False,
                    f"visited the {spec_text(spec)} {hits} times; each item must be visited once",
                    "count",
                )
            places.append(at[0])
        # one position each: two consecutive specs on one cell (after the start) is no order
        specs = target.specs
        for j in range(len(specs) - 1):
            cell = cells[places[j]]
            if places[j] >= 1 and (self.target_masks[j + 1] >> cell) & 1:
                x, y = w.cell(cell)
                item = w.items.get(cell)
                what = item.phrase() if item else "empty cell"
                return GoalResult(
                    False,
                    f"the {what} at ({x},{y}) is both the "
                    f"{spec_text(specs[j])} and the {spec_text(specs[j + 1])}; "
                    "each item of the order must be visited on a cell of its own",
                    "order",
                )
        return GoalResult(False, "visited the items in the wrong order", "order")

    def _explain_draw(self, drawn: dict[SegmentKey, str]) -> GoalResult:
        target = self.world.picture
        missing = [k for k in target if k not in drawn]
        extra = [k for k in drawn if k not in target]
        recolor = [k for k in target if k in drawn and drawn[k] != target[k]]
        parts = []
        if missing:
            parts.append(f"{len(missing)} segment{'s' * (len(missing) != 1)} missing")
        if extra:
            parts.append(f"{len(extra)} extra segment{'s' * (len(extra) != 1)}")
        if recolor:
            (ax, ay), (bx, by) = self.world.segment_cells(recolor[0])
            parts.append(
                f"{len(recolor)} segment{'s' * (len(recolor) != 1)} in the wrong colour "
                f"(e.g. ({ax},{ay})-({bx},{by}) is {drawn[recolor[0]]}, "
                f"should be {target[recolor[0]]})"
            )
        return GoalResult(
            False, "the drawing differs from the picture: " + ", ".join(parts), "picture"
        )


def _distinct(cells: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(cells))


def _concat_ok(masks: list[int], cells: Sequence[int]) -> bool:
    """Each spec matches exactly one trace position, and they come in order (section 5)."""
    positions = []
    for mask in masks:
        hits = [p for p, c in enumerate(cells) if (mask >> c) & 1]
        if len(hits) != 1:
            return False
        positions.append(hits[0])
    # With one matching position per spec, the pairwise rules for p >= 1 reduce to these.
    for j in range(len(masks) - 1):
        a, b = positions[j], positions[j + 1]
        if b >= 1 and not a < b:
            return False
        if a >= 1 and b < a:
            return False
    return True
