"""The canonical hash of a task: equal for tasks that are the same up to rotation and mirroring.

A task rotated by 90 degrees (grid, walls, items, picture and the turtle's heading together) is
solved by the same program, and its mirror image by the program with lt and rt swapped, so the
generator treats all eight as one task. The hash covers world + goal + constraints (constraints
swap lt and rt in the mirror images); ids, descriptions and solutions are not part of it.

The hash is a pure function of the task's content: stable across runs, processes and machines
(no Python `hash()`, no dict order). `transform_task` builds the symmetric tasks themselves.
This module never generates or loads anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from ..ast import Block, Command, Program, Repeat
from ..constraints import Constraints
from ..goals import Goal
from ..tasks import Task
from ..world import WALL_SIDES, Line, Tile, Turtle, World

HASH_CHARS = 20  # 80 bits: collisions among a few million tasks are out of the question

_SWAP = {"lt": "rt", "rt": "lt"}


def _transforms(rows: int, cols: int) -> Iterator[tuple[int, bool]]:
    for rot in range(4):
        for mirror in (False, True):
            yield rot, mirror


def _map_cell(x: int, y: int, rows: int, cols: int, rot: int, mirror: bool) -> tuple[int, int]:
    if mirror:
        x = cols - 1 - x
    for _ in range(rot):  # 90 degrees clockwise: (x, y) in R x C -> (R-1-y, x) in C x R
        x, y = rows - 1 - y, x
        rows, cols = cols, rows
    return x, y


def _map_dir(d: int, rot: int, mirror: bool) -> int:
    if mirror:
        d = (4 - d) % 4
    return (d + rot) % 4


def _world_form(w: World, rot: int, mirror: bool) -> list[object]:
    rows, cols = (w.cols, w.rows) if rot % 2 else (w.rows, w.cols)
    tiles = []
    for t in w.tiles:
        if not t.exist and not t.allowed and not t.walls:
            continue
        x, y = _map_cell(t.x, t.y, w.rows, w.cols, rot, mirror)
        walls = sorted(WALL_SIDES[_map_dir(WALL_SIDES.index(s), rot, mirror)] for s in t.walls)
        tiles.append((y, x, t.allowed, t.exist, walls))
    tiles.sort()
    items = sorted(
        (
            *reversed(_map_cell(i % w.cols, i // w.cols, w.rows, w.cols, rot, mirror)),
            it.name,
            it.color or "",
            it.count or 0,
        )
        for i, it in w.items.items()
    )
    segs = []
    for key, color in w.picture.items():
        a, b = w.segment_cells(key)
        a = _map_cell(*a, w.rows, w.cols, rot, mirror)
        b = _map_cell(*b, w.rows, w.cols, rot, mirror)
        segs.append((*sorted((a, b)), color))
    segs.sort()
    tx, ty = _map_cell(w.turtle.x, w.turtle.y, w.rows, w.cols, rot, mirror)
    return [rows, cols, tiles, items, segs, [tx, ty, _map_dir(w.turtle.direction, rot, mirror)]]


def _goal_form(goal: Goal) -> list[object]:
    return [
        [
            o.name,
            o.total,
            [[[[lit.kind, lit.value, lit.neg] for lit in cl] for cl in s] for s in o.specs],
        ]
        for o in goal.objectives
    ]


def _constraints_form(c: Constraints, mirror: bool) -> list[object]:
    def key(k: str) -> str:
        return _SWAP.get(k, k) if mirror else k

    return [
        sorted((key(k), v) for k, v in c.exactly.items()),
        sorted((key(k), v) for k, v in c.at_most.items()),
        [key(k) for k in c.start_by],
    ]


def canonical_form(task: Task) -> str:
    """The smallest of the eight symmetric forms, as compact JSON."""
    goal = _goal_form(task.goal)
    best = None
    for rot, mirror in _transforms(task.world.rows, task.world.cols):
        form = json.dumps(
            [
                _world_form(task.world, rot, mirror),
                goal,
                _constraints_form(task.constraints, mirror),
            ],
            separators=(",", ":"),
        )
        if best is None or form < best:
            best = form
    assert best is not None
    return best


def canonical_hash(task: Task) -> str:
    """A short hash of `canonical_form`: equal for a task and its rotations and mirror images,
    so a generated task that is a real one turned or flipped is caught by `--exclude`."""
    return hashlib.sha256(canonical_form(task).encode()).hexdigest()[:HASH_CHARS]


# -- the symmetric tasks themselves (for tests and data augmentation) --------------------------


def _swap_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Repeat):
            out.append(Repeat(b.times, _swap_blocks(b.body)))
        elif isinstance(b, Command) and b.kind in _SWAP:
            out.append(Command(_SWAP[b.kind]))  # type: ignore[arg-type]
        else:
            out.append(b)
    return tuple(out)


def mirror_program(prog: Program) -> Program:
    """The program that solves a task's mirror image: lt and rt swapped."""
    return Program(_swap_blocks(prog.body))


def transform_task(task: Task, rot: int, mirror: bool) -> Task:
    """`task` mirrored left-right (if `mirror`), then rotated `rot` quarter turns clockwise.

    The constraints (and the solution) swap lt and rt in a mirror image, so the transformed
    task is solved by the transformed solution: the property the canonical hash relies on.
    """
    w = task.world
    rows, cols = (w.cols, w.rows) if rot % 2 else (w.rows, w.cols)
    tiles: dict[tuple[int, int], Tile] = {}
    for t in w.tiles:
        x, y = _map_cell(t.x, t.y, w.rows, w.cols, rot, mirror)
        walls = frozenset(WALL_SIDES[_map_dir(WALL_SIDES.index(s), rot, mirror)] for s in t.walls)
        tiles[(x, y)] = Tile(x, y, t.allowed, t.exist, walls)
    items = {}
    for i, it in w.items.items():
        x, y = _map_cell(i % w.cols, i // w.cols, w.rows, w.cols, rot, mirror)
        items[y * cols + x] = it
    lines = []
    for ln in w.lines:
        x1, y1 = _map_cell(ln.x1, ln.y1, w.rows, w.cols, rot, mirror)
        x2, y2 = _map_cell(ln.x2, ln.y2, w.rows, w.cols, rot, mirror)
        lines.append(Line(x1, y1, x2, y2, ln.color))
    tx, ty = _map_cell(w.turtle.x, w.turtle.y, w.rows, w.cols, rot, mirror)
    world = World(
        rows,
        cols,
        tuple(tiles[(x, y)] for y in range(rows) for x in range(cols)),
        items,
        tuple(lines),
        Turtle(tx, ty, _map_dir(w.turtle.direction, rot, mirror)),
    )
    c = task.constraints
    if mirror:

        def sw(d: Mapping[str, int]) -> dict[str, int]:
            return {_SWAP.get(k, k): v for k, v in d.items()}

        c = Constraints(sw(c.exactly), sw(c.at_most), tuple(_SWAP.get(k, k) for k in c.start_by))
    sol = task.solution
    if sol is not None and mirror:
        sol = mirror_program(sol)
    return Task(task.id, world, task.goal, c, sol, task.platform_description, task.source)
