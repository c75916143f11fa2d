"""Worlds built around a program's trace, the way the reference synthesizer builds them.

A program is first run on an open canvas (no walls, nothing forbidden) to get its trace: the
cells it visits, the edges it crosses and the segments it draws. The trace is then placed on a
grid of the benchmark's sizes (3x3 up to 8x8; draw worlds are cropped to the picture's bounding
box so the trace touches x=0 and y=0). Every visited cell is allowed and no crossed edge gets a
wall; off the trace, cells may become forbidden (walled off from their allowed neighbours, as in
the real data) and standalone walls may separate allowed cells, which is how shortcuts are blocked.

This module only places cells, walls and the turtle; items and goals are `goals.py`'s job, and it
never runs the solver.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

from ..ast import Program
from ..interpreter import execute
from ..world import COLOR_TO_HEX, DX, DY, WALL_SIDES, Item, Line, Tile, Turtle, World

MAX_SIDE = 8  # the largest grid side the generator makes (the real tasks go up to 6)
_CANVAS = 2 * MAX_SIDE + 1  # a program that stays on this canvas from its centre fits in 8x8
_MID = MAX_SIDE

Cell = tuple[int, int]
Edge = tuple[Cell, Cell]  # two neighbouring cells, smaller first


def edge(a: Cell, b: Cell) -> Edge:
    return (a, b) if a < b else (b, a)


@cache
def _canvas(direction: int) -> World:
    tiles = tuple(Tile(x, y, True) for y in range(_CANVAS) for x in range(_CANVAS))
    return World(_CANVAS, _CANVAS, tiles, {}, (), Turtle(_MID, _MID, direction))


@dataclass(frozen=True)
class Trace:
    """A run on the open canvas, in canvas-free coordinates (start = (0, 0))."""

    direction: int
    path: tuple[Cell, ...]  # start cell, then the cell after each move (repeats kept)
    segments: dict[Edge, str]  # every unit segment drawn, with its (last) pen colour
    width: int
    height: int
    min_x: int
    min_y: int


def trace_of(prog: Program, direction: int) -> Trace | None:
    """Run `prog` from the centre of an open canvas; None if its trace cannot fit in 8x8."""
    world = _canvas(direction)
    ex = execute(world, prog)
    if ex.crash is not None or ex.truncated:
        return None
    n = _CANVAS
    path = tuple((c % n - _MID, c // n - _MID) for c in ex.cells)
    xs = [p[0] for p in path]
    ys = [p[1] for p in path]
    w, h = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
    if w > MAX_SIDE or h > MAX_SIDE:
        return None
    segments: dict[Edge, str] = {}
    for key, color in ex.drawn.items():
        (ax, ay), (bx, by) = world.segment_cells(key)  # cell (i % n, i // n) of each end
        segments[edge((ax - _MID, ay - _MID), (bx - _MID, by - _MID))] = color
    return Trace(direction, path, segments, w, h, min(xs), min(ys))


@dataclass
class Layout:
    """A trace placed on a grid, plus the cells and walls the world will have.

    Mutable on purpose: goal placement and shortcut blocking add to it before `world()` freezes
    it into a core `World`.
    """

    rows: int
    cols: int
    trace: Trace
    ox: int  # grid x of trace x = 0
    oy: int
    missing: set[Cell] = field(default_factory=set)  # cells without a tile (draw worlds)
    forbidden: set[Cell] = field(default_factory=set)
    walls: set[Edge] = field(default_factory=set)  # standalone walls between allowed cells
    items: dict[Cell, Item] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    @property
    def path(self) -> list[Cell]:
        return [(x + self.ox, y + self.oy) for x, y in self.trace.path]

    @property
    def start(self) -> Cell:
        return self.path[0]

    @property
    def on_path(self) -> set[Cell]:
        return set(self.path)

    @property
    def crossed(self) -> set[Edge]:
        p = self.path
        return {edge(p[i], p[i + 1]) for i in range(len(p) - 1)}

    def cells(self) -> list[Cell]:
        return [(x, y) for y in range(self.rows) for x in range(self.cols)]

    def free_cells(self) -> list[Cell]:
        """Allowed cells that are not the start (where items may go)."""
        start = self.start
        return [
            c
            for c in self.cells()
            if c != start and c not in self.forbidden and c not in self.missing
        ]

    def neighbours(self, c: Cell) -> list[Cell]:
        out = []
        for d in range(4):
            n = (c[0] + DX[d], c[1] + DY[d])
            if 0 <= n[0] < self.cols and 0 <= n[1] < self.rows:
                out.append(n)
        return out

    def allowed(self, c: Cell) -> bool:
        return c not in self.forbidden and c not in self.missing

    def world(self) -> World:
        walls: dict[Cell, set[str]] = {}

        def wall(a: Cell, b: Cell) -> None:
            for frm, to in ((a, b), (b, a)):
                d = next(i for i in range(4) if (frm[0] + DX[i], frm[1] + DY[i]) == to)
                walls.setdefault(frm, set()).add(WALL_SIDES[d])

        for a, b in self.walls:
            wall(a, b)
        for c in self.forbidden:
            for n in self.neighbours(c):
                if self.allowed(n):
                    wall(c, n)
        tiles = []
        for y in range(self.rows):
            for x in range(self.cols):
                c = (x, y)
                if c in self.missing:
                    tiles.append(Tile(x, y, False, False))
                else:
                    tiles.append(
                        Tile(x, y, c not in self.forbidden, True, frozenset(walls.get(c, ())))
                    )
        items = {y * self.cols + x: it for (x, y), it in self.items.items()}
        sx, sy = self.start
        return World(
            self.rows,
            self.cols,
            tuple(tiles),
            items,
            tuple(self.lines),
            Turtle(sx, sy, self.trace.direction),
        )


def place_for_items(
    rng: random.Random, trace: Trace, *, pad: float = 0.3, like: tuple[int, int] | None = None
) -> Layout:
    """Put a trace on a grid for an item task: at least 3x3, sometimes a little larger than
    the trace needs (or about the size of `like`, rows x cols), at a random offset."""
    w, h = trace.width, trace.height
    if like is not None:
        rows = min(MAX_SIDE, max(h, 3, like[0] + rng.choice((0, 0, 1))))
        cols = min(MAX_SIDE, max(w, 3, like[1] + rng.choice((0, 0, 1))))
    else:
        rows = min(MAX_SIDE, max(h, 3) + (rng.random() < pad) * rng.randint(1, 2))
        cols = min(MAX_SIDE, max(w, 3) + (rng.random() < pad) * rng.randint(1, 2))
    ox = rng.randint(0, cols - w) - trace.min_x
    oy = rng.randint(0, rows - h) - trace.min_y
    return Layout(rows, cols, trace, ox, oy)


def place_for_drawing(trace: Trace) -> Layout:
    """A draw world: exactly the picture's bounding box; cells off the trace have no tile."""
    lay = Layout(trace.height, trace.width, trace, -trace.min_x, -trace.min_y)
    on = lay.on_path
    lay.missing = {c for c in lay.cells() if c not in on}
    for (a, b), color in sorted(trace.segments.items()):
        if color not in COLOR_TO_HEX:  # cannot happen for programs the parser accepts
            raise ValueError(f"pen colour {color!r} has no line colour")
        (x1, y1), (x2, y2) = ((a[0] + lay.ox, a[1] + lay.oy), (b[0] + lay.ox, b[1] + lay.oy))
        lay.lines.append(Line(x1, y1, x2, y2, color))
    return lay


def add_obstacles(rng: random.Random, lay: Layout, *, p_forbidden: float, n_walls: int) -> None:
    """Forbid some cells off the trace and put standalone walls on edges the trace never crosses."""
    on = lay.on_path
    for c in lay.cells():
        if c not in on and c not in lay.missing and rng.random() < p_forbidden:
            lay.forbidden.add(c)
    crossed = lay.crossed
    candidates = sorted(
        {
            edge(c, n)
            for c in lay.cells()
            for n in lay.neighbours(c)
            if lay.allowed(c) and lay.allowed(n) and edge(c, n) not in crossed
        }
    )
    rng.shuffle(candidates)
    lay.walls.update(candidates[:n_walls])


def block_shortcut(lay: Layout, shortcut: list[Cell]) -> bool:
    """Close the route of a shortcut solution (its visited cells, start first) so that it no
    longer works: forbid the first cell it visits off the intended trace (or, if an item lies
    there, wall the edge into it), or wall the first edge it crosses that the intended run never
    crosses. Returns False if nothing can be closed (the shortcut follows the intended route)."""
    on = lay.on_path
    crossed = lay.crossed
    for i in range(1, len(shortcut)):
        a, b = shortcut[i - 1], shortcut[i]
        if b not in on:
            if b in lay.items:
                lay.walls.add(edge(a, b))
            else:
                lay.forbidden.add(b)
                lay.walls = {
                    e for e in lay.walls if b not in e
                }  # the forbidden cell brings its own
            return True
        if edge(a, b) not in crossed:
            lay.walls.add(edge(a, b))
            return True
    return False
