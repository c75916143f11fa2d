"""Shared by the core's tests: a hypothesis strategy for programs, a small task builder, the
example task file of docs/task-format.md, and a guard for reads that could block for ever.

The builder writes tasks in the single-file layout (as a user would) and loads them through
`task_from_dict`, so tests exercise the real loader rather than constructing worlds by hand.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from xlogo_lang.ast import (
    BASIC,
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    Command,
    Program,
    Repeat,
    SetPenColor,
)
from xlogo_lang.tasks import Task, task_from_dict

HEX = {
    "green": "#009624",
    "blue": "#0D47A1",
    "red": "#D60000",
    "black": "#000000",
    "yellow": "#FFD600",
    "white": "#FFFFFF",
}

_leaves = st.one_of(
    st.sampled_from(BASIC).map(Command),
    st.sampled_from(PEN_COLORS).map(SetPenColor),
)


def _repeat(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Repeat]:
    body = st.lists(children, max_size=4).map(tuple)
    return st.builds(Repeat, st.integers(MIN_TIMES, MAX_TIMES), body)


blocks = st.recursive(_leaves, _repeat, max_leaves=12)
programs = st.lists(blocks, max_size=8).map(lambda bs: Program(tuple(bs)))
nonempty_programs = st.lists(blocks, min_size=1, max_size=8).map(lambda bs: Program(tuple(bs)))


def make_task(
    rows: int = 3,
    cols: int = 3,
    *,
    turtle: tuple[int, int, int] = (0, 0, 1),
    items: list[tuple[int, int, str, str | None, int | None]] = (),  # type: ignore[assignment]
    goal: Any = (),
    lines: list[tuple[int, int, int, int, str]] = (),  # type: ignore[assignment]
    constraints: Any = None,
    walls: dict[tuple[int, int], list[str]] | None = None,
    forbidden: tuple[tuple[int, int], ...] = (),
    missing: tuple[tuple[int, int], ...] = (),
    no_tile: tuple[tuple[int, int], ...] = (),
    task_id: str = "t",
) -> Task:
    """A task from a compact description; `walls` are written on the named tile only."""
    walls = walls or {}
    tiles = []
    for y in range(rows):
        for x in range(cols):
            if (x, y) in missing:
                continue
            tile: dict[str, Any] = {
                "x": x,
                "y": y,
                "allowed": (x, y) not in forbidden,
                "walls": {side: True for side in walls.get((x, y), [])},
            }
            if (x, y) in no_tile:
                tile["exist"] = False
            tiles.append(tile)
    data = {
        "id": task_id,
        "turtle": {"x": turtle[0], "y": turtle[1], "direction": turtle[2]},
        "tiles": tiles,
        "items": [{"x": x, "y": y, "name": n, "color": c, "count": k} for (x, y, n, c, k) in items],
        "lines": [
            {"x1": a, "y1": b, "x2": c, "y2": d, "color": HEX[col]} for (a, b, c, d, col) in lines
        ],
        "goal": list(goal) if goal is not None else None,
        "constraints": constraints if constraints is not None else [],
    }
    return task_from_dict(data, file="<test>")


def lit(neg: int = 0, **kw: Any) -> dict[str, Any]:
    """A goal literal: lit(name="strawberry"), lit(color="red", neg=1)."""
    return {**kw, "neg": neg}


def objective(
    name: str, *specs: list[list[dict[str, Any]]], total: int | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "specs": list(specs)}
    if total is not None:
        out["total_cnt"] = total
    return out


def lemon_behind_wall(folder: Path, *, left_wall_on_1_1: bool) -> Path:
    """docs/task-format.md's example: the lemon at (1,1) behind a wall on both tiles, or with
    the wall written on (0,1) only, as a hand-written task often has it."""
    tiles = [
        {"x": x, "y": y, "allowed": (x, y) != (1, 2), "walls": {}}
        for y in range(3)
        for x in range(2)
    ]
    tiles[2]["walls"] = {"right": True}
    if left_wall_on_1_1:
        tiles[3]["walls"] = {"left": True}
    f = folder / "lemon.json"
    f.write_text(
        json.dumps(
            {
                "id": "lemon-behind-wall",
                "turtle": {"x": 0, "y": 2, "direction": 0},
                "tiles": tiles,
                "items": [{"x": 1, "y": 1, "name": "lemon", "color": "yellow", "count": 1}],
                "goal": [{"name": "find", "specs": [[[{"name": "lemon"}]]]}],
            }
        )
    )
    return f


def finishes(fn: Callable[[], Any], seconds: float = 10) -> Any:
    """What `fn` returns or raises, run in a thread that a blocked read cannot hold for ever:
    without the check, opening a FIFO waits for a writer that never comes."""
    out: list[Any] = []

    def call() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # handed back to the test
            out.append(exc)

    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(seconds)
    assert out, f"still reading after {seconds} s"
    return out[0]
