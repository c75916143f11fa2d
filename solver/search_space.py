"""A task compiled for program search: poses, block effects, goal summaries, constraint bounds.

Both engines and the repair search read a task through `Space`; it is built once per task and
holds everything a search step needs as flat Python ints and tuples:

* **Poses** are `cell*4 + direction`. `fd`/`bk` tables give the next pose, or -1 for a move that is
  *dead*: it crashes exactly as the interpreter would (wall of the tile being left, out of the
  world, forbidden cell, missing tile), enters a cell a `forbid` (or `findonly`) goal rules out,
  or, in a draw task, draws a segment that is not in the picture. None of these can be part of a
  solution, whatever comes after (visited cells and drawn segments are never taken back).
* **Effects** summarise running a piece of code from one pose: exit pose, cells entered, concat
  hits, drawn segments (with the pen colour, or "the pen at entry"), the pen at exit and the
  number of calls. Effects compose, so a repeat is its body's effect composed `n` times.
* **Summaries** are what the goal can still observe of a run so far (found or not, the visited
  target cells, concat ranks, the drawn picture). `goal_met` on a summary is the core's
  `CompiledGoal.check` on the run; the masks come from the task's own compiled goal.
* **Bounds** are the constraint profile: which block types may be used at all, which counts the
  search must track, the size window and the forced top-level prefix (`start_by`).

This module never imports the CLI, never runs z3, and never decides anything about search order.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import cast

from xlogo_lang.ast import PEN_COLORS, Block, Command, SetPenColor
from xlogo_lang.errors import counted
from xlogo_lang.goals import spec_text
from xlogo_lang.interpreter import MAX_CALLS
from xlogo_lang.tasks import Task

TYPES = ("fd", "bk", "lt", "rt", "setpc", "repeat")
PEN_CODE = {c: i + 1 for i, c in enumerate(PEN_COLORS)}  # 0 means "no colour set / entry pen"
CODE_PEN = {v: k for k, v in PEN_CODE.items()}
BLACK = PEN_CODE["black"]
# Basic block codes: 0 fd, 1 bk, 2 lt, 3 rt, 4 + pen code = setpc(colour).
FD, BK, LT, RT, SETPC0 = 0, 1, 2, 3, 4
DEFAULT_MAX_SIZE = 20
# `stats.reason` of a task whose start `alive_states` finds dead, in every engine and in repair
UNREACHABLE = "no run of any length reaches the goal"

# An effect: (exit pose, cells entered mask, concat hits, clear, fixed, entry, pen, calls).
# `clear` has 3 one-bits per drawn picture segment, `fixed` the colour codes drawn with a known
# pen, `entry` a one in the lowest bit of each segment drawn with the pen at entry. None = dead.
Effect = tuple[int, int, tuple[int, ...], int, int, int, int, int]


class Infeasible(Exception):
    """The task can never be solved, whatever the program (e.g. the start cell is forbidden)."""


class OutOfTime(Exception):
    """The deadline passed while the task was being compiled (`Space.of`) or a setup pass ran."""


def check_deadline(deadline: float | None) -> None:
    """Raise `OutOfTime` once `deadline` (a `time.perf_counter()` value) has passed."""
    if deadline is not None and time.perf_counter() >= deadline:
        raise OutOfTime


@dataclass
class Bounds:
    """The constraint profile, as the search uses it (SEMANTICS.md section 6)."""

    lo: dict[str, int]
    hi: dict[str, float]
    lo_all: int
    hi_all: float
    start_by: tuple[str, ...]
    allowed: frozenset[str]  # block types that may appear at all (upper bound above 0)
    tracked: tuple[str, ...]  # types whose count can break a constraint
    exact_all: bool  # `exactly all` is set: the size itself is part of the state
    padding: bool  # a lower bound may force do-nothing blocks (repeat(1), empty bodies, setpc)

    @classmethod
    def of(cls, task: Task) -> Bounds:
        c = task.constraints
        lo = {t: c.bounds(t)[0] for t in TYPES}
        hi = {t: c.bounds(t)[1] for t in TYPES}
        lo_all, hi_all = c.bounds("all")
        allowed = frozenset(t for t in TYPES if hi[t] > 0)
        tracked = tuple(t for t in TYPES if t in allowed and (hi[t] < math.inf or lo[t] > 0))
        exact_all = "all" in c.exactly
        # `repeat(1){B}` (or an empty repeat) is B with one more block, needed only when a
        # constraint asks for a repeat the shortest program does not have
        padding = exact_all or lo["repeat"] > 0 or "repeat" in c.start_by
        return cls(lo, hi, lo_all, hi_all, tuple(c.start_by), allowed, tracked, exact_all, padding)

    def counts_ok(self, counts: tuple[int, ...]) -> bool:
        """Tracked counts (aligned with `tracked`) meet the per-type rules."""
        for t, n in zip(self.tracked, counts, strict=True):
            if n and (n < self.lo[t] or n > self.hi[t]):
                return False
        return True

    def over(self, counts: tuple[int, ...]) -> bool:
        """Some tracked count is already above its upper bound (it can only grow)."""
        return any(n > self.hi[t] for t, n in zip(self.tracked, counts, strict=True))


@dataclass
class Space:
    """Everything a search step needs about one task (see the module docstring)."""

    task: Task
    bounds: Bounds
    npose: int
    start_pose: int
    fwd: list[int]
    back: list[int]
    fwd_edge: list[int]
    back_edge: list[int]
    draw: bool
    colors: tuple[int, ...]  # pen codes setpc may use
    basic_codes: tuple[int, ...]  # the basic blocks of the alphabet
    basic_effects: list[list[Effect | None]]  # [code][pose]
    kind: str  # "draw" | "always" | "find" | "collectall" | "sum" | "concat" | "none"
    tmask: int = 0  # target cells (find, collectall, sum)
    total: int = 0  # sum target
    counts: tuple[int, ...] = ()  # item count per cell (sum)
    cellspec: tuple[int, ...] = ()  # concat: bitset of specs each cell matches
    nspecs: int = 0
    target_drawn: int = 0  # draw: the picture as 3-bit colour codes per segment
    edge_colors: tuple[int, ...] = ()  # draw: target colour code per segment
    nedges: int = 0
    field_ones: int = 0  # draw: the lowest bit of every segment's 3-bit field
    max_times: int = 12
    blocks: dict[int, Block] = field(default_factory=dict)  # code -> AST block
    colour_fields: tuple[tuple[int, int], ...] = ()  # draw: (colour, its segments' low bits)
    # per pose: what a run can reach without turning (the row or column it faces along): for
    # draw the low bits of the segments on that line, else the cells on it
    on_line: list[int] = field(default_factory=list)
    can_turn: bool = True

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def of(cls, task: Task, deadline: float | None = None) -> Space:
        """`task` compiled for search. With a `deadline` (a `time.perf_counter()` value), raises
        `OutOfTime` once it has passed: on a large grid the tables take seconds."""
        check_deadline(deadline)
        world = task.world
        goal = task.compiled_goal
        bounds = Bounds.of(task)
        rows, cols = world.rows, world.cols
        ncell = rows * cols
        npose = ncell * 4
        draw = goal.draw
        forbidden = 0
        if not draw:
            for _, mask in goal.forbids:
                forbidden |= mask
        edges: dict[tuple[int, int], int] = {}
        edge_colors: list[int] = []
        if draw:
            for key, color in world.picture.items():
                if not (isinstance(key[0], int) and isinstance(key[1], int)):
                    raise Infeasible(
                        "the picture has a line outside the grid, which no move can draw"
                    )
                edges[key] = len(edges)
                edge_colors.append(PEN_CODE[color])
        fwd, back = [-1] * npose, [-1] * npose
        fwd_edge, back_edge = [-1] * npose, [-1] * npose
        # the world's own table of steps (`World.moves`: walls, the grid's edge, forbidden and
        # missing cells, decided as the interpreter decides them), with the search's filters:
        # cells a goal forbids, and segments outside the picture of a drawing
        moves, segments = world.moves, world.segments
        for cell in range(ncell):
            if cell & 255 == 0:
                check_deadline(deadline)
            for d in range(4):
                pose = cell * 4 + d
                for table, etable, step in ((fwd, fwd_edge, d), (back, back_edge, (d + 2) & 3)):
                    nxt = moves[cell * 4 + step]
                    if nxt < 0 or forbidden >> nxt & 1:
                        continue
                    if draw:
                        key = cast("tuple[int, int]", segments[cell * 4 + step])  # a move's
                        e = edges.get(key)
                        if e is None:
                            continue
                        etable[pose] = e
                    table[pose] = nxt * 4 + d
        t = world.turtle
        start_cell = t.y * cols + t.x
        space = cls(
            task=task,
            bounds=bounds,
            npose=npose,
            start_pose=start_cell * 4 + t.direction,
            fwd=fwd,
            back=back,
            fwd_edge=fwd_edge,
            back_edge=back_edge,
            draw=draw,
            colors=(),
            basic_codes=(),
            basic_effects=[],
            kind="none",
        )
        space._goal_model(start_cell, forbidden, edge_colors)
        check_deadline(deadline)
        if draw:
            space._picture_reachable(start_cell)
        space._alphabet(deadline)
        space._conflicts()
        check_deadline(deadline)
        space._lines(edges)
        space.max_times = _max_times(rows, cols)
        return space

    def _conflicts(self) -> None:
        """Constraints that no program meets together with the goal, found before any search, so
        that both engines prove them at once (size by size, the Z3 engine would take hours):
        the blocks `start_by` names count under their types; a drawing needs one setpc block
        per colour of its picture besides black (the pen starts black, and a repeat repeats a
        setpc but never changes its colour); and the basic blocks `start_by` opens with run
        first, whatever follows, so one that dies (a wall, the edge, a forbidden cell, a move
        off the picture) dies in every program."""
        b = self.bounds
        for t in dict.fromkeys(b.start_by):
            n = b.start_by.count(t)
            if n > b.hi[t]:
                raise Infeasible(
                    f"the program must start with {counted(n, t + ' block')}, and the "
                    f"constraints allow {int(b.hi[t])}"
                )
        if len(b.start_by) > b.hi_all:
            raise Infeasible(
                f"the program must start with {counted(len(b.start_by), 'block')}, and the "
                f"constraints allow {int(b.hi_all)} in all"
            )
        if self.draw:
            need = len(set(self.edge_colors) - {BLACK})
            if need > b.hi["setpc"]:
                raise Infeasible(
                    f"the picture has {counted(need, 'colour')} besides black, each needs a "
                    f"setpc block, and the constraints allow {int(b.hi['setpc'])}"
                )
        pose = self.start_pose
        for i, t in enumerate(b.start_by):
            if t == "repeat":
                break
            if t == "setpc":
                continue  # it moves nothing
            e = self.basic_effects[("fd", "bk", "lt", "rt").index(t)][pose]
            if e is None:
                opening = " ".join(b.start_by[: i + 1])
                raise Infeasible(f"the program must start with {opening}, and that run dies")
            pose = e[0]

    def _picture_reachable(self, start_cell: int) -> None:
        """In a drawing every move draws, and a move off the picture is dead: so a run only
        ever follows the picture's segments from the start cell, and a segment that no such
        walk reaches can never be drawn, whatever the program."""
        seen_cells = {start_cell}
        drawn: set[int] = set()
        stack = [start_cell]
        while stack:
            cell = stack.pop()
            for d in range(4):
                nxt = self.fwd[cell * 4 + d]
                if nxt < 0:
                    continue
                drawn.add(self.fwd_edge[cell * 4 + d])
                if nxt >> 2 not in seen_cells:
                    seen_cells.add(nxt >> 2)
                    stack.append(nxt >> 2)
        if len(drawn) < self.nedges:
            raise Infeasible(
                "part of the picture cannot be reached along the picture from the start, and a"
                " move off the picture is dead"
            )

    def _lines(self, edges: dict[tuple[int, int], int]) -> None:
        cols = self.task.world.cols
        ncell = self.npose // 4
        self.can_turn = "lt" in self.bounds.allowed or "rt" in self.bounds.allowed
        if self.draw:
            self.colour_fields = tuple(
                (c, sum(1 << (3 * i) for i, ec in enumerate(self.edge_colors) if ec == c))
                for c in sorted(set(self.edge_colors))
            )
        rows = ncell // cols
        # what lies on each column (for a vertical heading) and each row (horizontal): per
        # segment or cell once, not per pose and cell (a 64x64 grid has 16,384 poses)
        col_mask, row_mask = [0] * cols, [0] * rows
        if self.draw:
            for (a, b), e in edges.items():
                if a % cols == b % cols:  # a vertical segment lies on column a % cols
                    col_mask[a % cols] |= 1 << (3 * e)
                else:  # a horizontal one on row a // cols
                    row_mask[a // cols] |= 1 << (3 * e)
        else:
            for c in range(ncell):
                col_mask[c % cols] |= 1 << c
                row_mask[c // cols] |= 1 << c
        for pose in range(self.npose):
            cell = pose >> 2
            vertical = (pose & 3) % 2 == 0
            self.on_line.append(col_mask[cell % cols] if vertical else row_mask[cell // cols])

    def _goal_model(self, start_cell: int, forbidden: int, edge_colors: list[int]) -> None:
        goal = self.task.compiled_goal
        if self.draw:
            self.kind = "draw"
            self.nedges = len(edge_colors)
            self.edge_colors = tuple(edge_colors)
            self.target_drawn = sum(c << (3 * i) for i, c in enumerate(edge_colors))
            self.field_ones = sum(1 << (3 * i) for i in range(len(edge_colors)))
            return
        if not goal.catalogue_ok:  # an empty goal included, as `CompiledGoal.check` has it
            raise Infeasible("the world holds items outside the catalogue, so no goal can be met")
        if goal.always:
            self.kind = "always"
            return
        if forbidden >> start_cell & 1:
            raise Infeasible("the start cell is one the goal forbids, and it is always visited")
        target = goal.target
        if target is None:
            self.kind = "none"
            return
        if target.name in ("find", "findonly"):
            self.kind = "find"
            self.tmask = goal.target_masks[0]
            if not self.tmask:
                raise Infeasible(f"there is no {spec_text(target.specs[0])} on the grid")
        elif target.name == "collectall":
            self.kind = "collectall"
            self.tmask = goal.target_masks[0]
            if not self.tmask:
                raise Infeasible("there is nothing to collect")
        elif target.name == "sum":
            self.kind = "sum"
            self.tmask = goal.target_masks[0]
            self.total = int(target.total or 0)
            self.counts = tuple(goal.counts)
            if sum(self.counts[c] for c in bits(self.tmask)) < self.total:
                raise Infeasible("the matching items add up to less than the total asked for")
        else:
            self.kind = "concat"
            self.nspecs = len(goal.target_masks)
            for spec, mask in zip(target.specs, goal.target_masks, strict=True):
                if not mask:
                    raise Infeasible(f"there is no {spec_text(spec)} on the grid")
            size = self.task.world.size
            self.cellspec = tuple(
                sum(1 << j for j, m in enumerate(goal.target_masks) if m >> c & 1)
                for c in range(size)
            )

    def _alphabet(self, deadline: float | None = None) -> None:
        b = self.bounds
        # a do-nothing setpc may be forced: by padding up to `exactly all`, or by a start_by
        # that opens with setpc blocks
        forced = b.exact_all or "setpc" in b.start_by
        if self.draw and (set(self.edge_colors) != {BLACK} or forced):
            # an empty picture has no colour, yet a forced setpc needs one (any: nothing drawn)
            colors = sorted(set(self.edge_colors)) or [BLACK]
        elif self.draw:
            colors = []  # an all-black picture: the pen is black from the start and stays so
        elif forced:
            colors = [BLACK]  # in a non-draw task every colour is the same block
        else:
            colors = []
        if "setpc" not in b.allowed:
            colors = []
        self.colors = tuple(colors)
        codes = [code for code, t in enumerate(("fd", "bk", "lt", "rt")) if t in b.allowed]
        codes += [SETPC0 + c for c in self.colors]
        self.basic_codes = tuple(codes)
        self.blocks = {FD: Command("fd"), BK: Command("bk"), LT: Command("lt"), RT: Command("rt")}
        for c in self.colors:
            self.blocks[SETPC0 + c] = SetPenColor(CODE_PEN[c])
        maxcode = SETPC0 + len(PEN_COLORS) + 1
        self.basic_effects = [[None] * self.npose for _ in range(maxcode)]
        for code in range(maxcode):
            check_deadline(deadline)
            self.basic_effects[code] = [self._basic_effect(code, p) for p in range(self.npose)]

    def _basic_effect(self, code: int, pose: int) -> Effect | None:
        if code in (FD, BK):
            nxt = (self.fwd if code == FD else self.back)[pose]
            if nxt < 0:
                return None
            cell = nxt >> 2
            hits: tuple[int, ...] = ()
            if self.cellspec and self.cellspec[cell]:
                hits = (self.cellspec[cell],)
            if self.draw:
                e = (self.fwd_edge if code == FD else self.back_edge)[pose]
                return (nxt, 1 << cell, hits, 7 << (3 * e), 0, 1 << (3 * e), 0, 1)
            return (nxt, 1 << cell, hits, 0, 0, 0, 0, 1)
        if code == LT:
            return ((pose & ~3) | ((pose - 1) & 3), 0, (), 0, 0, 0, 0, 1)
        if code == RT:
            return ((pose & ~3) | ((pose + 1) & 3), 0, (), 0, 0, 0, 0, 1)
        return (pose, 0, (), 0, 0, 0, code - SETPC0, 1)

    # -- effects -----------------------------------------------------------------------------

    def compose(self, e1: Effect | None, e2: Effect | None) -> Effect | None:
        """The effect of running e1 then e2 (e2 computed from e1's exit pose)."""
        if e1 is None or e2 is None:
            return None
        _x1, m1, h1, c1, f1, n1, p1, k1 = e1
        x2, m2, h2, c2, f2, n2, p2, k2 = e2
        if h2:
            if h1:
                u1 = 0
                for h in h1:
                    u1 |= h
                for h in h2:
                    if u1 & h:
                        return None  # a concat spec matched twice
                hits = h1 + h2
            else:
                hits = h2
        else:
            hits = h1
        mask = m1 | m2
        if self.kind == "sum" and m2 and self._mask_total(mask) > self.total:
            return None
        if c2:
            if p1:
                fixed = (f1 & ~c2) | f2 | (p1 * n2)
                entry = n1 & ~c2
            else:
                fixed = (f1 & ~c2) | f2
                entry = (n1 & ~c2) | n2
            clear = c1 | c2
        else:
            fixed, entry, clear = f1, n1, c1
        return (x2, mask, hits, clear, fixed, entry, p2 or p1, k1 + k2)

    def _mask_total(self, mask: int) -> int:
        m = mask & self.tmask
        total = 0
        counts = self.counts
        while m:
            low = m & -m
            total += counts[low.bit_length() - 1]
            m ^= low
        return total

    # -- summaries ---------------------------------------------------------------------------

    def initial_summary(self) -> object:
        start_cell = self.start_pose >> 2
        if self.kind == "draw":
            return 0
        if self.kind == "find":
            return bool(self.tmask >> start_cell & 1)
        if self.kind in ("collectall", "sum"):
            return self.tmask & (1 << start_cell)
        if self.kind == "concat":
            hit = self.cellspec[start_cell]
            return tuple(0 if hit >> j & 1 else -1 for j in range(self.nspecs))
        return None

    def apply(self, summary: object, pen: int, e: Effect) -> object | None:
        """The summary after a run with effect `e` from a state with `summary` and `pen`.

        None when the goal can no longer be met by any continuation (a dead state).
        """
        kind = self.kind
        if kind == "draw":
            if not e[3]:
                return summary
            v = (summary & ~e[3]) | e[4] | (pen * e[5])  # type: ignore[operator]
            # Keep only the segments that have their target colour: a segment in a wrong colour
            # must be drawn again in the right one, exactly like a missing segment, so the two
            # are the same to every continuation (README, "draw summary").
            z = v ^ self.target_drawn
            wrong = ((z | (z >> 1) | (z >> 2)) & self.field_ones) * 7
            return v & ~wrong
        if kind == "find":
            return summary or bool(e[1] & self.tmask)
        if kind == "collectall":
            return summary | (e[1] & self.tmask)  # type: ignore[operator]
        if kind == "sum":
            m = summary | (e[1] & self.tmask)  # type: ignore[operator]
            if m != summary and self._mask_total(m) > self.total:
                return None
            return m
        if kind == "concat":
            if not e[2]:
                return summary
            ranks = list(summary)  # type: ignore[call-overload]
            nxt = max(max(ranks), 0) + 1
            for h in e[2]:
                j = 0
                while h:
                    if h & 1:
                        if ranks[j] >= 0:
                            return None
                        ranks[j] = nxt
                    h >>= 1
                    j += 1
                nxt += 1
            if not _concat_order_ok(ranks):
                return None
            return tuple(ranks)
        return summary

    def goal_met(self, summary: object) -> bool:
        kind = self.kind
        if kind == "draw":
            return summary == self.target_drawn
        if kind == "find":
            return bool(summary)
        if kind == "collectall":
            return summary == self.tmask
        if kind == "sum":
            return self._mask_total(summary) == self.total  # type: ignore[arg-type]
        if kind == "concat":
            return all(r >= 0 for r in cast(tuple[int, ...], summary))  # concat: rank tuples
        return True  # "always", or only forbids (already enforced by dead moves)

    def lower_bound(self, summary: object, pen: int, pose: int) -> int:
        """At least this many more blocks are needed to meet the goal (README, "lower bound").

        Consistent: a block of size k lowers it by at most k, so A* takes a shortest solution
        first. Every goal needs a moving block, and a turn block when what is left lies off the
        line the turtle faces along (moves without a turn stay on it). A drawing whose wrong
        segments have the colours C needs a setpc block per colour of C other than the pen, and
        |C| blocks that are moves or repeats: a move block draws with its own colour (the last
        setpc before it in its body) or the pen its innermost repeat starts an iteration with,
        which is that repeat's exit pen or, through the enclosing repeats, one more colour."""
        if self.goal_met(summary):
            return 0
        kind = self.kind
        line = self.on_line[pose]
        if kind == "draw":
            z = summary ^ self.target_drawn  # type: ignore[operator]
            wrong = (z | (z >> 1) | (z >> 2)) & self.field_ones
            need = 0
            setpcs = 0
            for c, m in self.colour_fields:
                if wrong & m:
                    need += 1
                    if c != pen:
                        setpcs += 1
            if setpcs and "setpc" not in self.bounds.allowed:
                return 10**6  # a colour is missing and setpc may not be used
            off = wrong & ~line
        elif kind == "find":
            need, setpcs = 1, 0
            off = 0 if self.tmask & line else 1
        elif kind == "collectall":
            need, setpcs = 1, 0
            off = self.tmask & ~summary & ~line  # type: ignore[operator]
        else:
            return 1
        if not off:
            return setpcs + need
        if not self.can_turn:
            return 10**6
        return setpcs + need + 1

    def calls_ok(self, calls: int) -> bool:
        return calls <= MAX_CALLS

    # -- the goal-reachability proof ---------------------------------------------------------------

    def alive_states(self, cap: int, tick: object = None) -> tuple[bool, set | None]:
        """Which (pose, pen, summary) states can still reach the goal by *some* run?

        Whatever its shape, every program runs a sequence of basic actions, so the states a run
        can pass through are exactly those reachable with basic actions (of the allowed types).
        A state from which no goal state is reachable is dead whatever follows; when the start
        is dead, no program of any size solves the task. Returns (start alive, the live states),
        or (True, None) when more than `cap` states would have to be explored."""
        start = self._start_state()
        seen = {start: 0}
        order = [start]
        back: list[list[int]] = [[]]
        i = 0
        while i < len(order):
            for nxt in self._basic_successors(order[i]):
                j = seen.get(nxt)
                if j is None:
                    if len(order) >= cap:
                        return True, None
                    j = seen[nxt] = len(order)
                    order.append(nxt)
                    back.append([])
                back[j].append(i)
            i += 1
            if tick is not None and i & 1023 == 0:
                tick()  # type: ignore[operator]
        mark = [False] * len(order)
        stack = [j for j, st in enumerate(order) if self.goal_met(st[2])]
        for j in stack:
            mark[j] = True
        while stack:
            j = stack.pop()
            for p in back[j]:
                if not mark[p]:
                    mark[p] = True
                    stack.append(p)
        return mark[0], {st for j, st in enumerate(order) if mark[j]}

    def min_moves(self, cap: int, tick: Callable[[], None] | None = None) -> int | None:
        """The fewest moves (fd/bk runs) of any run that meets the goal (`_min_runs`)."""
        return self._min_runs(cap, lambda a, b: a >> 2 != b >> 2, tick)

    def min_turns(self, cap: int, tick: Callable[[], None] | None = None) -> int | None:
        """The fewest turns (lt/rt runs) of any run that meets the goal (`_min_runs`)."""
        return self._min_runs(cap, lambda a, b: a & 3 != b & 3, tick)

    def _min_runs(
        self,
        cap: int,
        counted: Callable[[int, int], bool],
        tick: Callable[[], None] | None = None,
    ) -> int | None:
        """The fewest counted actions of any run that meets the goal, or None when more than
        `cap` states would have to be explored (or no run does). `counted(pose, next pose)` says
        whether a basic action counts (a move changes the cell, a turn the heading).

        Like `alive_states`, it looks at runs as sequences of basic actions, whatever the program
        that runs them: a breadth-first search in which counted actions cost one and the others
        nothing. A program whose counted blocks run fewer times than this cannot solve the
        task. `tick`, if given, is called every thousand states (it may raise to stop)."""
        start = self._start_state()
        dist = {start: 0}
        queue = deque([start])
        popped = 0
        while queue:
            popped += 1
            if tick is not None and popped & 1023 == 0:
                tick()
            st = queue.popleft()
            d = dist[st]
            if self.goal_met(st[2]):
                return d
            for nxt in self._basic_successors(st):
                step = counted(st[0], nxt[0])
                nd = d + step
                if nxt not in dist or dist[nxt] > nd:
                    if len(dist) >= cap:
                        return None
                    dist[nxt] = nd
                    if step:
                        queue.append(nxt)
                    else:
                        queue.appendleft(nxt)
        return None

    def _start_state(self) -> tuple:
        """The (pose, pen, summary) state every run starts from."""
        return (self.start_pose, BLACK if self.draw else 0, self.initial_summary())

    def _basic_successors(self, state: tuple) -> Iterator[tuple]:
        """The (pose, pen, summary) states one basic block leads to from `state` without dying."""
        pose, pen, summ = state
        for code in self.basic_codes:
            e = self.basic_effects[code][pose]
            if e is None:
                continue
            s2 = self.apply(summ, pen, e)
            if s2 is not None:
                yield (e[0], e[6] or pen, s2)

    # -- whole programs (for checks and tests) ----------------------------------------------------

    def effect_of(self, blocks: tuple, pose: int) -> Effect | None:
        """The effect of running `blocks` from `pose`, by plain recursion (no search tricks)."""
        cur: Effect | None = (pose, 0, (), 0, 0, 0, 0, 0)
        for block in blocks:
            x = cur[0]  # type: ignore[index]
            if isinstance(block, (Command, SetPenColor)):
                step = self.basic_effects[code_of(block)][x]
            else:
                step = (x, 0, (), 0, 0, 0, 0, 0)
                for _ in range(block.times):
                    step = self.compose(step, self.effect_of(block.body, step[0]))
                    if step is None:
                        break
            cur = self.compose(cur, step)
            if cur is None or cur[7] > MAX_CALLS:
                return None
        return cur

    def goal_reached(self, blocks: tuple) -> bool:
        """Does running `blocks` meet the goal without dying? (The summaries' view of `run`.)"""
        start_pen = BLACK if self.draw else 0
        e = self.effect_of(blocks, self.start_pose)
        if e is None:
            return False
        summary = self.apply(self.initial_summary(), start_pen, e)
        return summary is not None and self.goal_met(summary)


def _concat_order_ok(ranks: list[int]) -> bool:
    """No continuation can fix a pair of specs visited out of order (SEMANTICS.md section 5)."""
    for a, b in itertools.pairwise(ranks):
        if b >= 1 and (a < 0 or a >= b):
            return False
        if a >= 1 and b >= 0 and b < a:
            return False
    return True


def code_of(block: Command | SetPenColor) -> int:
    """The code of a basic block (the index of its row in `Space.basic_effects`)."""
    if isinstance(block, SetPenColor):
        return SETPC0 + PEN_CODE[block.color]
    return TYPES.index(block.kind)


def type_of(code: int) -> str:
    """The constraint type of a basic block code ("fd", ..., "setpc")."""
    return TYPES[code] if code < SETPC0 else "setpc"


def bits(mask: int) -> list[int]:
    """The indices of the set bits of `mask`, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _max_times(rows: int, cols: int) -> int:
    """Repeat counts above 8 are never needed (README, "period lemma"), unless a body that moves
    without turning can repeat more than 8 times in a line, which needs a grid longer than 9."""
    return min(12, max(8, max(rows, cols) - 1))


def default_max_size(task: Task) -> int:
    """The task's `all` bound when it has one, else DEFAULT_MAX_SIZE."""
    hi = task.constraints.bounds("all")[1]
    return int(hi) if hi < math.inf else DEFAULT_MAX_SIZE
