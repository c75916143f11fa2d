"""Running programs: the reference's command semantics (SEMANTICS.md section 3), quirks included."""

from __future__ import annotations

import pytest
from core_helpers import make_task, programs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlogo_lang import parse, run
from xlogo_lang.ast import call_count
from xlogo_lang.errors import TaskWarning
from xlogo_lang.interpreter import (
    CALL_LIMIT,
    FORBIDDEN,
    MAX_CALLS,
    NO_TILE,
    OUT_OF_WORLD,
    WALL,
    _execute_flat,
    _execute_summarised,
    execute,
    flatten,
)


def go(task, text):
    return execute(task.world, parse(text))


def cell(task, x, y):
    return task.world.index(x, y)


# -- moves and turns ----------------------------------------------------------------------------


def test_the_trace_starts_with_the_start_cell_and_turns_add_nothing():
    task = make_task(turtle=(1, 1, 0))
    ex = go(task, "rt lt fd rt")
    assert ex.cells == [cell(task, 1, 1), cell(task, 1, 0)]


def test_fd_moves_the_way_the_turtle_faces():
    for direction, (x, y) in enumerate([(1, 0), (2, 1), (1, 2), (0, 1)]):
        task = make_task(turtle=(1, 1, direction))
        assert go(task, "fd").cells[-1] == cell(task, x, y)


def test_rt_turns_clockwise_and_lt_anticlockwise():
    task = make_task(turtle=(1, 1, 0))  # facing north
    assert go(task, "rt fd").cells[-1] == cell(task, 2, 1)  # east
    assert go(task, "lt fd").cells[-1] == cell(task, 0, 1)  # west


def test_bk_steps_backwards_without_turning_around():
    task = make_task(turtle=(1, 1, 0))
    ex = go(task, "bk fd fd")  # south, then north twice
    assert ex.cells == [cell(task, 1, 1), cell(task, 1, 2), cell(task, 1, 1), cell(task, 1, 0)]


def test_revisits_are_kept_in_the_trace():
    task = make_task(turtle=(0, 0, 1))
    assert go(task, "fd bk fd").cells == [0, 1, 0, 1]


def test_every_basic_action_counts_one_call_and_repeats_count_nothing():
    task = make_task(turtle=(1, 1, 0))
    assert go(task, "repeat(3){rt setpc(red) lt}").calls == 9


# -- crashes ------------------------------------------------------------------------------------


def test_a_wall_crash_is_reported_at_the_cell_being_left():
    with pytest.warns(TaskWarning, match="one-way wall"):  # legal, and run as written
        task = make_task(turtle=(0, 0, 1), walls={(0, 0): ["right"]})
    crash = go(task, "fd").crash
    assert (crash.kind, crash.x, crash.y, crash.step) == (WALL, 0, 0, 1)


def test_only_the_wall_of_the_tile_being_left_counts():
    # a wall written only on the far side does not stop the turtle
    with pytest.warns(TaskWarning, match="one-way wall"):
        task = make_task(turtle=(0, 0, 1), walls={(1, 0): ["left"]})
    assert go(task, "fd").crash is None
    assert go(task, "fd bk").crash.kind == WALL


def test_leaving_the_grid_is_reported_at_the_cell_outside_it():
    task = make_task(turtle=(0, 0, 0))
    crash = go(task, "fd").crash
    assert (crash.kind, crash.x, crash.y) == (OUT_OF_WORLD, 0, -1)


def test_a_wall_on_the_border_crashes_as_a_wall_first():
    task = make_task(turtle=(0, 0, 0), walls={(0, 0): ["top"]})
    assert go(task, "fd").crash.kind == WALL


def test_entering_a_forbidden_cell_crashes_there():
    task = make_task(turtle=(0, 0, 1), forbidden=((1, 0),))
    crash = go(task, "fd").crash
    assert (crash.kind, crash.x, crash.y) == (FORBIDDEN, 1, 0)


def test_a_missing_tile_counts_as_forbidden():
    task = make_task(turtle=(0, 0, 1), missing=((1, 0),))
    assert go(task, "fd").crash.kind == FORBIDDEN


def test_an_allowed_tile_that_does_not_exist_is_a_missing_tile_crash():
    task = make_task(turtle=(0, 0, 1), no_tile=((1, 0),))
    assert go(task, "fd").crash.kind == NO_TILE


def test_the_start_cell_is_never_checked():
    task = make_task(turtle=(1, 1, 0), forbidden=((1, 1),))
    assert go(task, "fd").crash is None


def test_execution_stops_at_the_first_crash():
    task = make_task(turtle=(0, 0, 0))
    ex = go(task, "fd rt rt fd fd")
    assert ex.crash.step == 1
    assert ex.calls == 1
    assert ex.cells == [0]


def test_the_crashing_step_is_marked_in_the_step_trace():
    task = make_task(turtle=(0, 0, 1))
    steps = go(task, "fd fd fd").steps
    assert [s.crashed for s in steps] == [False, False, True]
    assert steps[-1].cell == (3, 0)
    assert steps[-1].segment is None


def test_a_crash_verdict_has_no_goal_or_constraint_result():
    task = make_task(turtle=(0, 0, 0))
    verdict = run(task, "fd")
    assert verdict.crashed and not verdict.solved
    assert (verdict.goal_ok, verdict.constraints_ok) == (None, None)
    assert verdict.reference_dict()["crash_pos"] == [0, -1]


# -- drawing --------------------------------------------------------------------------------------


def test_the_pen_starts_black_and_setpc_changes_it():
    task = make_task(turtle=(0, 0, 1))
    ex = go(task, "fd setpc(red) fd")
    assert sorted(ex.drawn.values()) == ["black", "red"]


def test_redrawing_a_segment_keeps_the_last_colour_and_ignores_direction():
    task = make_task(turtle=(0, 0, 1))
    ex = go(task, "fd setpc(blue) bk")
    assert ex.drawn == {(0, 1): "blue"}


def test_white_is_a_pen_colour():
    task = make_task(turtle=(0, 0, 1))
    assert go(task, "setpc(white) fd").drawn == {(0, 1): "white"}


# -- the two execution paths --------------------------------------------------------------------


def test_flatten_unrolls_repeats_in_order():
    assert [b.type for b in flatten(parse("fd repeat(2){rt repeat(2){bk}} lt").body)] == [
        "fd", "rt", "bk", "bk", "rt", "bk", "bk", "lt",
    ]  # fmt: skip


def test_call_count_is_computed_without_unrolling():
    assert call_count(parse("repeat(12){" * 8 + "fd" + "}" * 8).body) == 12**8


@settings(max_examples=200, deadline=None)
@given(programs, st.sampled_from(["1", "22", "56", "64", "87", "93"]))
def test_the_summarised_path_finds_the_same_crash_as_the_flat_one(real_tasks, p, task_id):
    world = real_tasks[task_id].world
    if call_count(p.body) > MAX_CALLS:
        return
    flat = _execute_flat(world, p).crash
    summary = _execute_summarised(world, p).crash
    if flat is None:
        assert summary.kind == CALL_LIMIT  # the summary path is only used past the cap
    else:
        assert summary == flat


@pytest.mark.parametrize("task_id", ["1", "56", "64"])
def test_programs_past_the_call_cap_never_record_a_trace(real_tasks, task_id):
    ex = execute(real_tasks[task_id].world, parse("repeat(12){" * 5 + "rt" + "}" * 5))
    assert ex.truncated
    assert ex.crash.kind == CALL_LIMIT
    assert ex.calls == MAX_CALLS + 1


@settings(max_examples=150, deadline=None)
@given(programs, st.sampled_from(["1", "22", "56", "64", "87", "93"]))
def test_the_step_trace_replays_the_run_it_belongs_to(real_tasks, p, task_id):
    world = real_tasks[task_id].world
    if call_count(p.body) > MAX_CALLS:
        return
    ex = execute(world, p)
    steps = ex.steps
    assert len(steps) == ex.calls
    moved = [world.index(*s.cell) for s in steps if s.segment is not None]
    assert moved == ex.cells[1:]
    assert [s.crashed for s in steps].count(True) == (1 if ex.crash is not None else 0)
