"""Tracing a picture line by line: a solving program for every drawing it can follow, an upper
bound on the shortest one, and None where the picture cannot be followed."""

from __future__ import annotations

import json

import pytest
from xlogo_lang.solver import solve
from xlogo_lang.solver.search_space import Infeasible, Space
from xlogo_lang.solver.tracing import trace_program

from xlogo_lang import load_task, run
from xlogo_lang.tasks import task_from_dict


def test_every_traced_real_picture_is_solved(real_tasks):
    """`run` decides, constraints included: a traced program breaking one is None, never a
    wrong answer (the search proves the real drawings' minima on its own)."""
    traced = 0
    for task in real_tasks.values():
        space = Space.of(task)
        if not space.draw:
            continue
        prog = trace_program(space)
        if prog is not None:
            traced += 1
            assert run(task, prog).solved, task.id
    assert traced >= 15


def test_a_straight_side_is_one_repeat(examples_dir):
    prog = trace_program(Space.of(load_task(examples_dir / "tasks" / "draw-frame.json")))
    assert prog is not None and str(prog).count("repeat(4)") == 4 and len(prog) == 15


def test_a_picture_with_a_part_no_walk_along_it_reaches_is_proved_impossible_at_once(
    examples_dir,
):
    """Every move off the picture is dead, so a segment not joined to the rest can never be
    drawn: both engines answer `no_solution` before any search."""
    data = json.loads((examples_dir / "tasks" / "draw-frame.json").read_text())
    data["lines"].append({"x1": 2, "y1": 2, "x2": 2, "y2": 3, "color": "#0D47A1"})
    task = task_from_dict(data)
    with pytest.raises(Infeasible):
        Space.of(task)
    for engine in ("enum", "z3"):
        sol = solve(task, engine=engine)
        assert sol.status == "no_solution" and sol.stats["candidates"] == 0
        assert "cannot be reached along the picture" in sol.stats["reason"]


def test_tasks_without_a_picture_are_not_traced(real_tasks):
    assert trace_program(Space.of(real_tasks["87"])) is None
